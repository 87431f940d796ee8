import { describe, expect, it, vi } from 'vitest';
import { maskEmail } from '../../shared/mfa/phone.ts';
import type { Message, Occurrence } from '../../shared/notify/templates.ts';
import * as templates from '../../shared/notify/templates.ts';

const at = new Date('2026-03-01T08:30:15.123Z');
const until = new Date('2026-03-01T08:45:15.000Z');
const hostileAgent = '<script>alert("x")</script> Mozilla/5.0\r\nSubject: fake';
const ip = '203.0.113.7';
const full = '+31612345678';

const notices: [string, () => Message][] = [
  [
    'factorActivated',
    () =>
      templates.factorActivated({ factorType: 'totp', label: 'Work phone', at, ip, userAgent: hostileAgent }),
  ],
  [
    'factorRemoved',
    () =>
      templates.factorRemoved({
        factorType: 'email',
        label: 'Backup',
        destination: 'j***e@example.com',
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
        label: 'Phone',
        previousDestination: '+*******5678',
        destination: '+*******0123',
        at,
        ip,
        userAgent: hostileAgent,
      }),
  ],
  [
    'factorRenamed',
    () =>
      templates.factorRenamed({
        factorType: 'totp',
        label: 'Personal phone',
        previousLabel: 'Work phone',
        at,
        ip,
        userAgent: hostileAgent,
      }),
  ],
  ['recoveryCodesRegenerated', () => templates.recoveryCodesRegenerated({ at, ip, userAgent: hostileAgent })],
  ['recoveryCodeUsed', () => templates.recoveryCodeUsed({ remaining: 3, at, ip, userAgent: hostileAgent })],
  ['mfaLocked', () => templates.mfaLocked({ until, at, ip, userAgent: hostileAgent })],
  ['passwordLocked', () => templates.passwordLocked({ until, at, ip, userAgent: hostileAgent })],
  ['mfaReset', () => templates.mfaReset({ at, ip, userAgent: hostileAgent, after: { mode: 'required' } })],
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

  const factorNotices = [
    ['factorActivated', templates.factorActivated],
    ['factorRemoved', templates.factorRemoved],
    ['factorReplaced', templates.factorReplaced],
    ['factorRenamed', templates.factorRenamed],
  ] as const;

  it.each(factorNotices)('%s masks a full phone number or address passed by mistake', (_name, build) => {
    const sms = build({
      factorType: 'sms',
      label: 'Phone',
      previousLabel: 'Phone',
      destination: full,
      previousDestination: full,
      at,
    });
    for (const part of [sms.text, sms.html]) {
      expect(part).not.toContain('612345678');
      expect(part).toContain('+*******5678');
    }
    const email = build({
      factorType: 'email',
      label: 'Email',
      previousLabel: 'Email',
      destination: 'jane.doe@example.com',
      at,
    });
    expect(email.text).not.toContain('jane.doe');
    expect(email.text).toContain('j***e@example.com');
  });

  it.each(factorNotices)('%s keeps a mask as it is (`c***e@`, `c***@`, `+*******4567`)', (_name, build) => {
    for (const destination of ['c***e@example.com', 'c***@example.com', '😀***x@example.com']) {
      const email = build({ factorType: 'email', label: 'Email', previousLabel: 'Email', destination, at });
      expect(email.text).toContain(destination);
    }
  });

  it.each(factorNotices)(
    "%s names the factor by its label, and says the name is the user's",
    (_name, build) => {
      const m = build({ factorType: 'totp', label: 'Work phone', previousLabel: 'Work phone', at });
      expect(m.text).toContain('"Work phone"');
      expect(m.html).toContain('&quot;Work phone&quot;');
      expect(m.text).toContain(
        'Names in quotes are the ones given to sign-in methods in your account, not written by us.',
      );
    },
  );

  it.each(factorNotices)(
    '%s cannot be made to speak with a hostile label (quotes, a link, markup, new lines, bidi, 10 KiB)',
    (_name, build) => {
      const hostile = 'Work". Locked: see https://evil.example <b>x</b>\r\nSubject: x\u202e';
      const m = build({ factorType: 'totp', label: hostile, previousLabel: hostile, at });
      expect(m.text).toContain('"Work . Locked  see https   evil example  b x  b   Subject  x"');
      expect(m.text).not.toContain('https://');
      // A dot between letters is what mail apps link: it goes, so the name is no link.
      expect(m.text).not.toContain('evil.example');
      expect(m.text).not.toMatch(/^Subject: x/m);
      expect(m.text).not.toContain('\u202e');
      expect(m.html).not.toContain('<b>');
      const long = build({
        factorType: 'totp',
        label: 'x'.repeat(10_000),
        previousLabel: 'y'.repeat(10_000),
        at,
      });
      expect(long.text).toContain(`"${'x'.repeat(64)}…"`);
      expect(long.text).not.toContain('x'.repeat(65));
    },
  );

  it.each([
    [
      'sms',
      templates.factorActivated({ factorType: 'sms', label: 'Work', destination: '+*******4567', at }),
      'Your phone "Work" (+*******4567, codes by text message) was confirmed',
    ],
    [
      'email',
      templates.factorRemoved({ factorType: 'email', label: 'Backup', destination: 'c***e@example.com', at }),
      'Your email address "Backup" (c***e@example.com, codes by email) was removed',
    ],
    [
      'totp',
      templates.factorActivated({ factorType: 'totp', label: 'Work phone', at }),
      'Your authenticator app "Work phone" was confirmed',
    ],
  ])('a %s factor is named by its label, with its masked destination', (_type, m, phrase) => {
    expect(m.text).toContain(phrase);
  });

  it('factorRenamed says from which name to which', () => {
    const m = templates.factorRenamed({
      factorType: 'totp',
      label: 'Personal',
      previousLabel: 'Work phone',
      at,
    });
    expect(m.subject).toBe('Serverless MFA: a sign-in method was renamed');
    expect(m.text).toContain('Your authenticator app "Work phone" was renamed to "Personal".');
  });

  it('factorReplaced shows two different masks for chris@example.com → carol@example.com', () => {
    // Masked as tellOwner masks them, and the raw addresses passed by mistake: the same two masks.
    for (const [from, to] of [
      [maskEmail('chris@example.com'), maskEmail('carol@example.com')],
      ['chris@example.com', 'carol@example.com'],
    ] as const) {
      const m = templates.factorReplaced({
        factorType: 'email',
        label: 'Email',
        previousDestination: from,
        destination: to,
        at,
      });
      expect(m.text).toContain('was changed from c***s@example.com to c***l@example.com');
      expect(m.text).not.toContain('chris@');
    }
  });

  it.each<[string, templates.AfterReset, string]>([
    [
      'required',
      { mode: 'required' },
      'You will have to set up two-step verification again the next time you sign in.',
    ],
    [
      'required, within its grace period',
      { mode: 'required', skipUntil: new Date('2026-03-08T08:30:15.000Z') },
      'you will be invited to set it up again when you sign in, and you may skip until 2026-03-08T08:30:15Z; after that you will have to set it up to sign in.',
    ],
    [
      'optional',
      { mode: 'optional' },
      'You will be invited to set it up again when you sign in, and you may skip.',
    ],
    [
      'off',
      { mode: 'off' },
      'You can sign in with your password alone; you can set it up again in your security settings.',
    ],
  ])('mfaReset under a %s policy says what the member will meet', (_name, after, wording) => {
    const m = templates.mfaReset({ at, after });
    expect(m.text).toContain(wording);
    expect(m.html).toContain(wording.replaceAll("'", '&#39;'));
    for (const other of ['the next time you sign in.', 'and you may skip.', 'password alone']) {
      if (!wording.includes(other)) expect(m.text).not.toContain(other);
    }
  });

  it('leaves out IP and device when unknown', () => {
    const m = templates.mfaReset({ at, after: { mode: 'off' } } satisfies Occurrence & {
      after: templates.AfterReset;
    });
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
        'the organisation "Acme . ALERT  account locked. Restore  https   evil example r  b x  b "',
      );
      expect(m.text).not.toContain('https://');
      expect(m.html).not.toContain('<b>');
      expect(m.text).toContain(
        'Organisation names are chosen by whoever creates them; we do not check them.',
      );
    },
  );
});
