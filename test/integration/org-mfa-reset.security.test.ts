/**
 * `POST /v1/orgs/{orgId}/mfa-reset { confirm, verification? }` (issue 11): the owner resets the
 * MFA of every other member at once, as the single reset does for one (factors, recovery codes
 * and remembered devices removed, sessions revoked, `mfa.reset` logged, the member emailed within
 * the daily notice cap). The attacks:
 * - an admin or a member strips the whole organisation (a takeover step, and a denial of service)
 *   → 403, logged as `org.action_refused`, nothing reset;
 * - a stolen password alone (an aal 1 owner token) → 403 caller_mfa_required;
 * - a mistaken or forged request without the organisation's exact name → 400, nothing reset, and
 *   the caller's step-up is not spent on it; a wrong verification → 401, nothing reset;
 * - an email bomb: 10 parallel bulk resets → each member reset (logged, emailed) once;
 * - reaching beyond the organisation: a member of another organisation stays untouched.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { listFactors } from '../../shared/db/factors.ts';
import { countRecoveryCodes } from '../../shared/db/recovery.ts';
import { type Answer, call, logIn } from '../support/api.ts';
import { type Account, account, emailsTo, enrollSms, enrollTotp, subjectsTo } from '../support/mfa.ts';
import {
  createOrg,
  type MfaAccount,
  member,
  orgEvents,
  orgWithMfaOwner,
  setPolicy,
  withMfa,
} from '../support/orgs.ts';

const RESET_SUBJECT = 'Serverless MFA: your multi-factor authentication was reset';

const resetAll = (token: string, orgId: string, body: Record<string, unknown>): Promise<Answer> =>
  call('POST', `/v1/orgs/${orgId}/mfa-reset`, { token, body });

const refresh = (user: Account) =>
  call('POST', '/v1/sessions/refresh', { body: { refreshToken: user.refreshToken } });

/** An organisation with an owner (MFA), an admin with TOTP, a member with SMS and a member without MFA. */
async function orgOfThree() {
  const name = `Acme ${randomUUID().slice(0, 8)}`;
  const { orgId, owner } = await orgWithMfaOwner(name);
  const admin = await member(owner.accessToken, orgId, 'admin');
  await enrollTotp(admin);
  const texted = await member(owner.accessToken, orgId);
  await enrollSms(texted);
  const plain = await member(owner.accessToken, orgId);
  return { name, orgId, owner, admin, texted, plain };
}

async function untouched(...users: Account[]) {
  for (const user of users) {
    expect((await logIn(user.email)).body.status, user.email).toBe('mfa_required');
    expect(await subjectsTo(user.email)).not.toContain(RESET_SUBJECT);
  }
}

describe('the owner resets everyone else', () => {
  it('an organisation of 3 members (2 with MFA, 1 without) → { reset: 2 }; their sessions end, they are emailed; the owner and another organisation are untouched', async () => {
    const { name, orgId, owner, admin, texted, plain } = await orgOfThree();
    const elsewhere = await orgWithMfaOwner(`Other ${randomUUID().slice(0, 8)}`);
    const outsider = await member(elsewhere.owner.accessToken, elsewhere.orgId);
    await enrollTotp(outsider);

    const answer = await resetAll(owner.accessToken, orgId, { confirm: name });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ reset: 2 });

    for (const user of [admin, texted]) {
      expect(await listFactors(user.userId)).toEqual([]);
      expect(await countRecoveryCodes(user.userId)).toBe(0);
      // Signed out at once: the refresh token of their session no longer works.
      expect((await refresh(user)).status).toBe(401);
      expect((await call('GET', '/v1/mfa/factors', { token: user.accessToken })).status).toBe(401);
      expect((await logIn(user.email)).body.status).toBe('authenticated'); // policy `off`
      const mails = (await emailsTo(user.email)).filter((mail) => mail.Subject === RESET_SUBJECT);
      expect(mails).toHaveLength(1);
      expect(mails[0]?.Body.text_part).toContain(
        'You can sign in with your password alone; you can set it up again in your security settings.',
      );
    }
    // Nothing to reset: left alone, still signed in, not emailed, not counted.
    expect((await refresh(plain)).status).toBe(200);
    expect(await subjectsTo(plain.email)).not.toContain(RESET_SUBJECT);
    // The owner keeps their own MFA and their session.
    expect(await listFactors(owner.userId)).toHaveLength(1);
    expect((await call('GET', `/v1/orgs/${orgId}`, { token: owner.accessToken })).status).toBe(200);
    await untouched(owner, outsider);

    const resets = (await orgEvents(owner.accessToken, orgId)).filter((event) => event.type === 'mfa.reset');
    expect(resets.map((event) => event.userId).sort()).toEqual([admin.userId, texted.userId].sort());
    for (const event of resets) {
      expect(event).toMatchObject({
        actorId: owner.userId,
        actorEmail: owner.email,
        details: { factorsRemoved: 1, devicesRemoved: 0, bulk: true },
      });
    }
    expect((await orgEvents(elsewhere.owner.accessToken, elsewhere.orgId)).map((e) => e.type)).not.toContain(
      'mfa.reset',
    );
  });

  it('under `required`, the reset email says MFA must be set up again at the next sign-in', async () => {
    const { name, orgId, owner, texted } = await orgOfThree();
    await setPolicy(owner.accessToken, orgId, { mode: 'required' });
    expect((await resetAll(owner.accessToken, orgId, { confirm: name })).body).toEqual({ reset: 2 });
    const [mail] = (await emailsTo(texted.email)).filter((m) => m.Subject === RESET_SUBJECT);
    expect(mail?.Body.text_part).toContain(
      'You will have to set up two-step verification again the next time you sign in.',
    );
    expect((await logIn(texted.email)).body.status).toBe('mfa_enrollment_required');
  });
});

describe('who may not', () => {
  it.each([
    ['an admin', 'admin'],
    ['a member', 'member'],
  ] as const)(
    'attack: %s (aal 2) resets the whole organisation → 403 forbidden, logged, nothing reset',
    async (_, role) => {
      const { name, orgId, owner, admin, texted } = await orgOfThree();
      const caller: MfaAccount = await withMfa(
        role === 'admin'
          ? await member(owner.accessToken, orgId, 'admin')
          : await member(owner.accessToken, orgId),
      );
      const answer = await resetAll(caller.accessToken, orgId, { confirm: name });
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual({
        error: { code: 'forbidden', message: 'Only the owner can reset the MFA of the whole organisation.' },
      });
      const [latest] = await orgEvents(owner.accessToken, orgId);
      expect(latest).toMatchObject({
        type: 'org.action_refused',
        actorId: caller.userId,
        actorEmail: caller.email,
        details: { action: 'mfa.reset' },
      });
      await untouched(owner, admin, texted, caller);
    },
  );

  it('attack: a stolen password alone (the owner at aal 1) → 403 caller_mfa_required, nothing reset', async () => {
    const plain = await account();
    const aal1 = plain.accessToken;
    const name = `Acme ${randomUUID().slice(0, 8)}`;
    const orgId = await createOrg(aal1, name);
    const owner = await withMfa(plain);
    const user = await member(owner.accessToken, orgId);
    await enrollTotp(user);
    const answer = await resetAll(aal1, orgId, { confirm: name });
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual({
      error: { code: 'caller_mfa_required', message: 'Sign in with multi-factor authentication to do this.' },
    });
    await untouched(user);
  });
});

describe('the confirmation and the step-up', () => {
  it.each([
    ['another name', (name: string) => `${name} Ltd`],
    ['the name in other case', (name: string) => name.toUpperCase()],
    ['the name with a trailing space', (name: string) => `${name} `],
    ['no name at all', () => ''],
  ])(
    'attack: a request without the exact name (%s) → 400 invalid_request at body.confirm, nothing reset, the step-up not spent',
    async (_, confirmOf) => {
      const { name, orgId, owner, admin, texted } = await orgOfThree();
      const verification = { recoveryCode: owner.totp.recoveryCodes?.[0] };
      const answer = await resetAll(owner.accessToken, orgId, { confirm: confirmOf(name), verification });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: { code: 'invalid_request' } });
      expect(answer.body.error.details.map((d: { path: string }) => d.path)).toEqual(['body.confirm']);
      await untouched(admin, texted);
      // The same recovery code then does the real reset: the typo did not use it up.
      const done = await resetAll(owner.accessToken, orgId, { confirm: name, verification });
      expect(done.body).toEqual({ reset: 2 });
    },
  );

  it('attack: a wrong verification → 401 code_invalid, nothing reset', async () => {
    const { name, orgId, owner, admin, texted } = await orgOfThree();
    const answer = await resetAll(owner.accessToken, orgId, {
      confirm: name,
      verification: { recoveryCode: 'AAAA-BBBB-CCCC-DDDD' },
    });
    expect(answer.status).toBe(401);
    expect(answer.body.error.code).toBe('code_invalid');
    await untouched(admin, texted);
  });
});

describe('races', () => {
  it('attack: 10 parallel bulk resets (an email bomb) → each member reset, logged and emailed once in all, never above the cap of 3', async () => {
    const { name, orgId, owner, admin, texted } = await orgOfThree();
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => resetAll(owner.accessToken, orgId, { confirm: name })),
    );
    console.log(
      '10 parallel bulk resets:',
      answers.map((answer) => `${answer.status} ${JSON.stringify(answer.body)}`),
    );
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    expect(answers.reduce((sum, answer) => sum + answer.body.reset, 0)).toBe(2);
    const resets = (await orgEvents(owner.accessToken, orgId)).filter((event) => event.type === 'mfa.reset');
    for (const user of [admin, texted]) {
      expect(resets.filter((event) => event.userId === user.userId)).toHaveLength(1);
      const emailed = (await subjectsTo(user.email)).filter((subject) => subject === RESET_SUBJECT);
      expect(emailed.length).toBeLessThanOrEqual(3);
      expect(emailed).toHaveLength(1);
    }
  });
});

describe('organisation names', () => {
  it('phishing: a name that is a web address (quoted in invitations to strangers) is refused', async () => {
    const owner = await account();
    for (const name of [
      'IT Support - verify at www.evil-login.com now',
      'Acme evil.example',
      'Acme https'.concat('://x'),
    ]) {
      const created = await call('POST', '/v1/orgs', { token: owner.accessToken, body: { name } });
      expect(created.status, name).toBe(400);
      expect(created.body.error.code).toBe('invalid_request');
    }
    expect(
      (await call('POST', '/v1/orgs', { token: owner.accessToken, body: { name: 'Acme B.V.' } })).status,
    ).toBe(201);
  });

  it('a name typed with a decomposed é is stored in NFC, and the composed é a keyboard types confirms the reset', async () => {
    const { orgId, owner } = await orgWithMfaOwner(`Cafe\u0301 ${randomUUID().slice(0, 8)}`);
    const org = await call('GET', `/v1/orgs/${orgId}`, { token: owner.accessToken });
    expect(org.body.name.startsWith('Caf\u00e9 ')).toBe(true);
    const done = await resetAll(owner.accessToken, orgId, { confirm: org.body.name.normalize('NFD') });
    expect(done).toMatchObject({ status: 200, body: { reset: 0 } });
  });
});
