import { describe, expect, it, vi } from 'vitest';
import type { Message, Occurrence } from '../../shared/notify/templates.ts';
import * as templates from '../../shared/notify/templates.ts';

const at = new Date('2026-03-01T08:30:15.123Z');
const until = new Date('2026-03-01T08:45:15.000Z');
const hostileAgent = '<script>alert("x")</script> Mozilla/5.0\r\nSubject: fake';
const ip = '203.0.113.7';
const full = '+31612345678';

const notices: [string, () => Message][] = [
  [
    'factorAdded',
    () =>
      templates.factorAdded({
        factorType: 'sms',
        destination: '+*******5678',
        at,
        ip,
        userAgent: hostileAgent,
      }),
  ],
  [
    'factorActivated',
    () => templates.factorActivated({ factorType: 'totp', at, ip, userAgent: hostileAgent }),
  ],
  [
    'factorRemoved',
    () =>
      templates.factorRemoved({
        factorType: 'email',
        destination: 'j***@example.com',
        at,
        ip,
        userAgent: hostileAgent,
      }),
  ],
  [
    'factorReplaced',
    () =>
      templates.factorReplaced({
        factorType: 'sms',
        previousDestination: '+*******5678',
        destination: '+*******0123',
        at,
        ip,
        userAgent: hostileAgent,
      }),
  ],
  ['recoveryCodesRegenerated', () => templates.recoveryCodesRegenerated({ at, ip, userAgent: hostileAgent })],
  ['recoveryCodeUsed', () => templates.recoveryCodeUsed({ remaining: 3, at, ip, userAgent: hostileAgent })],
  ['mfaLocked', () => templates.mfaLocked({ until, at, ip, userAgent: hostileAgent })],
  ['passwordLocked', () => templates.passwordLocked({ until, at, ip, userAgent: hostileAgent })],
  ['mfaReset', () => templates.mfaReset({ at, ip, userAgent: hostileAgent })],
  ['passwordWasReset', () => templates.passwordWasReset({ at, ip, userAgent: hostileAgent })],
];

describe('security notices', () => {
  it.each(notices)('%s says what, when, from where, and what to do', (_name, build) => {
    const m = build();
    expect(m.subject).toMatch(/^Serverless MFA: /);
    expect(m.text).toContain('When: 2026-03-01T08:30:15Z');
    expect(m.text).toContain(`IP address: ${ip}`);
    expect(m.text).toContain(
      "If this wasn't you: reset your password, then review your sign-in methods, and contact your administrator or support.",
    );
    expect(m.html).toContain('If this wasn&#39;t you: reset your password');
  });

  it.each(notices)('%s escapes the user agent in HTML and keeps it on one line in text', (_name, build) => {
    const m = build();
    expect(m.html).not.toContain('<script>');
    expect(m.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(m.text).toContain('Device: <script>alert("x")</script> Mozilla/5.0  Subject: fake');
    expect(m.text).not.toMatch(/^Subject: fake/m);
  });

  it.each(notices)('%s contains no code, token or 5+ digit run', (_name, build) => {
    const m = build();
    for (const part of [m.subject, m.text, m.html])
      expect(part.replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/g, '')).not.toMatch(/\d{5}/);
  });

  it.each([
    ['factorAdded', templates.factorAdded],
    ['factorActivated', templates.factorActivated],
    ['factorRemoved', templates.factorRemoved],
    ['factorReplaced', templates.factorReplaced],
  ] as const)('%s masks a full phone number or address passed by mistake', (_name, build) => {
    const sms = build({ factorType: 'sms', destination: full, previousDestination: full, at });
    for (const part of [sms.text, sms.html]) {
      expect(part).not.toContain('612345678');
      expect(part).toContain('+*******5678');
    }
    const email = build({ factorType: 'email', destination: 'jane.doe@example.com', at });
    expect(email.text).not.toContain('jane.doe');
    expect(email.text).toContain('j***@example.com');
  });

  it('leaves out IP and device when unknown', () => {
    const m = templates.mfaReset({ at } satisfies Occurrence);
    expect(m.text).not.toContain('IP address');
    expect(m.text).not.toContain('Device');
  });

  it.each([
    [0, 'You have no recovery codes left'],
    [1, 'You have 1 recovery code left'],
    [7, 'You have 7 recovery codes left'],
  ])('recoveryCodeUsed with %i left says "%s"', (remaining, phrase) => {
    expect(templates.recoveryCodeUsed({ remaining, at }).text).toContain(phrase);
  });

  it('lock notices give the end of the lock in UTC', () => {
    expect(templates.mfaLocked({ until, at }).text).toContain('until 2026-03-01T08:45:15Z');
    expect(templates.passwordLocked({ until, at }).text).toContain('until 2026-03-01T08:45:15Z');
  });
});

describe('codes', () => {
  // 3GPP TS 23.038 basic character set (no escape table): what fits 160 characters in one segment.
  const GSM7 = /^[@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&'()*+,\-./0-9:;<=>?¡A-ZÄÖÑÜ§¿a-zäöñüà]*$/;

  it.each([
    {
      code: '123456',
      minutes: 5,
      expected:
        'Your Serverless MFA code is 123456. It expires in 5 minutes. Never share it: we will never ask for it.',
    },
    {
      code: '000001',
      minutes: 1,
      expected:
        'Your Serverless MFA code is 000001. It expires in 1 minute. Never share it: we will never ask for it.',
    },
    {
      code: '999999',
      minutes: 10,
      expected:
        'Your Serverless MFA code is 999999. It expires in 10 minutes. Never share it: we will never ask for it.',
    },
  ])('smsCode($code, $minutes) is one GSM-7 segment with the code early', ({ code, minutes, expected }) => {
    const sms = templates.smsCode({ code, minutes });
    expect(sms).toBe(expected);
    expect(sms.length).toBeLessThanOrEqual(160);
    expect(sms).toMatch(GSM7);
    expect(sms.indexOf(code)).toBeLessThan(40);
  });

  it('smsCode stays one segment with the longest allowed SERVICE_NAME, and a longer one is refused', async () => {
    const before = process.env.SERVICE_NAME;
    process.env.SERVICE_NAME = `Acme Identity & Access-${'x'.repeat(7)}`; // 30 characters
    try {
      vi.resetModules(); // a fresh config() cache
      const fresh = await import('../../shared/notify/templates.ts');
      const sms = fresh.smsCode({ code: '123456', minutes: 10 });
      expect(sms).toContain('Your Acme Identity & Access-xxxxxxx code is 123456.');
      expect(sms.length).toBeLessThanOrEqual(160);
      expect(sms).toMatch(GSM7);
      const { parseConfig } = await import('../../shared/config.ts');
      expect(() => parseConfig({ ...process.env, SERVICE_NAME: 'x'.repeat(31) })).toThrow(/SERVICE_NAME/);
      expect(() => parseConfig({ ...process.env, SERVICE_NAME: 'Ωmega ★' })).toThrow(/SERVICE_NAME/);
    } finally {
      if (before === undefined) delete process.env.SERVICE_NAME;
      else process.env.SERVICE_NAME = before;
    }
  });

  it('emailCode puts the code in the body, not the subject', () => {
    const m = templates.emailCode({ code: '482913', minutes: 5 });
    expect(m.subject).toBe('Your Serverless MFA verification code');
    expect(m.text.split('\n')[0]).toBe('Your Serverless MFA code is: 482913');
    expect(m.text).toContain('It expires in 5 minutes.');
    expect(m.html).toContain('<strong>482913</strong>');
  });
});

describe('account emails (sign-up, password reset, invitations)', () => {
  it.each([
    ['signupCode', templates.signupCode, 'confirm your email address'],
    ['resetCode', templates.resetCode, 'reset your password'],
  ] as const)(
    '%s names what the code is for, keeps it out of the subject, and says what ignoring it does',
    (_name, build, purpose) => {
      const m = build({ code: '482913', minutes: 15 });
      expect(m.subject).toBe(`Serverless MFA: your code to ${purpose}`);
      expect(m.subject).not.toContain('482913');
      expect(m.text.split('\n')[0]).toBe(`Your Serverless MFA code to ${purpose} is: 482913`);
      expect(m.text).toContain('It expires in 15 minutes.');
      expect(m.text).toMatch(/ignore this email/);
      expect(m.html).toContain('<strong>482913</strong>');
    },
  );

  it.each([
    ['signupExisting', templates.signupExisting],
    ['resetNoAccount', templates.resetNoAccount],
  ] as const)(
    '%s (a request a stranger may have made) has no code, says when and from where, and escapes the device',
    (_name, build) => {
      const m = build({ at, ip, userAgent: hostileAgent });
      expect(m.text).not.toMatch(/\b\d{6}\b/);
      expect(m.text).toContain('When: 2026-03-01T08:30:15Z');
      expect(m.text).toContain(`IP address: ${ip}`);
      expect(m.html).not.toContain('<script>');
      // Not "reset your password because someone got in": nothing happened to the account.
      expect(m.text).not.toContain("If this wasn't you");
    },
  );

  it.each([
    ['orgInvitation', (orgName: string) => templates.orgInvitation({ at, orgName, role: 'admin' })],
    [
      'orgSignupInvitation',
      (orgName: string) => templates.orgSignupInvitation({ at, orgName, role: 'member', days: 7 }),
    ],
  ] as const)(
    '%s cannot be made to speak with an organisation name from before names were checked',
    (_name, build) => {
      const m = build('Acme". ALERT: account locked. Restore: https://evil.example/r <b>x</b>');
      expect(m.text).toContain(
        'the organisation "Acme . ALERT  account locked. Restore  https   evil.example r  b x  b "',
      );
      expect(m.text).not.toContain('https://');
      expect(m.html).not.toContain('<b>');
      expect(m.text).toContain(
        'Organisation names are chosen by whoever creates them; we do not check them.',
      );
    },
  );
});
