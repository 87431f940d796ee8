/**
 * "The password alone never controls MFA" (API.md "Additions"):
 * - the stale-session takeover: a password-only session opened before the owner turned MFA on
 *   used to keep refreshing, add its own authenticator and, with it as the "verification",
 *   regenerate recovery codes and delete the owner's factors;
 * - every change to the means of authentication ends the user's other sessions and remembered
 *   devices (ASVS 5.0 7.4.3), table-driven over the changes;
 * - aal 2 re-authenticates after 24 h, or after 60 minutes idle (NIST SP 800-63B-4 §2.2.3),
 *   with an injected clock;
 * - claims come from the current state at every refresh (organisation, role, enrollment);
 * - the user sees and ends their sessions, changes their password, and "This wasn't me";
 * - passwords per NIST SP 800-63B-4 §3.1.1.2.
 */

import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { decodeJwt } from 'jose';
import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { loginAnswer } from '../../shared/auth/login-answer.ts';
import { hashPassword } from '../../shared/auth/passwords.ts';
import { refreshSession } from '../../shared/auth/refresh.ts';
import { config } from '../../shared/config.ts';
import { db, table } from '../../shared/db/client.ts';
import { listDevices } from '../../shared/db/devices.ts';
import { transact } from '../../shared/db/transact.ts';
import { bumpAuthVersion, findUserById } from '../../shared/db/users.ts';
import { call, emailsTo, lastEmailCode, logIn, PASSWORD, signUp, uniqueEmail } from '../support/api.ts';
import {
  type Account,
  account,
  answers,
  appCode,
  enrollSms,
  enrollTotp,
  mfaToken,
  smsCode,
  uniquePhone,
  verify,
} from '../support/mfa.ts';
import { addMember, createOrg, member, orgWithMfaOwner, setPolicy } from '../support/orgs.ts';

const NEW_PASSWORD = 'a brand new pass phrase';
const refresh = (refreshToken: string) => call('POST', '/v1/sessions/refresh', { body: { refreshToken } });
const works = async (token: string) => (await call('GET', '/v1/mfa/factors', { token })).status;
const refused = {
  status: 401,
  body: { error: { code: 'unauthorized', message: 'The refresh token is not valid.' } },
};

/** A second, parallel session of the user: by recovery code when MFA is on (each works once). */
async function parallelSession(user: Account, recoveryCode?: string) {
  const login = await logIn(user.email);
  if (login.body.status === 'authenticated') return login.body;
  const recovered = await call('POST', '/v1/mfa/recover', {
    body: { mfaToken: login.body.mfaToken, recoveryCode },
  });
  if (recovered.status !== 200) throw new Error(`recover: ${JSON.stringify(recovered.body)}`);
  return recovered.body;
}

describe('the stale-session takeover', () => {
  it('attack: a password-only session from before MFA was on cannot refresh, add a factor or prove anything with a pending one', async () => {
    const owner = await account();
    const attacker = (await logIn(owner.email)).body; // the password alone, before MFA
    expect(decodeJwt(attacker.accessToken).aal).toBe(1);
    const ownersOld = owner.accessToken;

    const totp = await enrollTotp(owner); // the owner turns MFA on (in their own session)
    // The attacker's session ended with it: no refresh, no calls.
    expect(await refresh(attacker.refreshToken)).toMatchObject(refused);
    expect(await works(attacker.accessToken)).toBe(401);
    // Logging in again with the password now stops at the second step.
    expect((await logIn(owner.email)).body.status).toBe('mfa_required');

    // An aal 1 token (here the owner's own from before the change) cannot add a factor with the
    // password alone.
    const added = await call('POST', '/v1/mfa/factors', {
      token: ownersOld,
      body: { type: 'totp', password: PASSWORD },
    });
    expect(added).toMatchObject({ status: 403, body: answers.verificationRequired });

    // A factor still pending proves nothing, even with its right code.
    const pending = await call('POST', '/v1/mfa/factors', {
      token: owner.accessToken, // fresh aal 2: may add
      body: { type: 'totp', password: PASSWORD },
    });
    expect(pending.status).toBe(201);
    const viaPending = { factorId: pending.body.factor.id, code: appCode(pending.body.secret) };
    for (const answer of [
      await call('POST', '/v1/mfa/recovery-codes', { token: ownersOld, body: { verification: viaPending } }),
      await call('DELETE', `/v1/mfa/factors/${totp.factorId}`, {
        token: ownersOld,
        body: { verification: viaPending },
      }),
    ]) {
      expect(answer).toMatchObject({ status: 404, body: answers.notFound });
    }
    const listed = await call('GET', '/v1/mfa/factors', { token: owner.accessToken });
    expect(listed.body).toMatchObject({ recoveryCodesRemaining: 10, mfaEnabled: true });
    expect(listed.body.factors.filter((f: { status: string }) => f.status === 'active')).toHaveLength(1);
  });

  it("attack: the password and a remembered device's token (found in a browser's storage) cannot change MFA", async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const remembered = await verify({
      mfaToken: await mfaToken(user.email),
      factorId: totp.factorId,
      code: appCode(totp.secret),
      rememberDevice: true,
    });
    const viaDevice = await call('POST', '/v1/sessions', {
      body: { email: user.email, password: PASSWORD, deviceToken: remembered.body.deviceToken },
    });
    expect(decodeJwt(viaDevice.body.accessToken)).toMatchObject({ aal: 2, amr: ['pwd', 'mfa'] });
    const token = viaDevice.body.accessToken;
    for (const answer of [
      await call('POST', '/v1/mfa/factors', { token, body: { type: 'totp', password: PASSWORD } }),
      await call('POST', '/v1/mfa/recovery-codes', { token, body: {} }),
      await call('DELETE', `/v1/mfa/factors/${totp.factorId}`, { token, body: {} }),
      await call('PUT', '/v1/me/password', {
        token,
        body: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      }),
    ]) {
      expect(answer).toMatchObject({ status: 403, body: answers.verificationRequired });
    }
  });

  it('a fresh aal 2 token may change factors without a verification; a stale or aal 1 one may not', async () => {
    const user = await account();
    const stale = user.accessToken;
    await enrollTotp(user); // refreshes: aal 2, auth_time now
    const sms = await enrollSms(user); // no verification: the token is fresh
    expect((await call('DELETE', `/v1/mfa/factors/${sms.factorId}`, { token: stale, body: {} })).status).toBe(
      403,
    );
    expect(
      (await call('DELETE', `/v1/mfa/factors/${sms.factorId}`, { token: user.accessToken, body: {} })).status,
    ).toBe(204);
  });
});

describe('PATCH /v1/mfa/factors/{factorId}', () => {
  it('renames a factor; for an active one, only with a step-up (the label is what login offers)', async () => {
    const user = await account();
    const stale = user.accessToken;
    const totp = await enrollTotp(user);
    const rename = (token: string, body: Record<string, unknown>) =>
      call('PATCH', `/v1/mfa/factors/${totp.factorId}`, { token, body });
    expect(await rename(stale, { label: 'Work phone' })).toMatchObject({
      status: 403,
      body: answers.verificationRequired,
    });
    const renamed = await rename(stale, {
      label: 'Work phone',
      verification: { recoveryCode: totp.recoveryCodes?.[0] },
    });
    expect(renamed).toMatchObject({
      status: 200,
      body: { factor: { id: totp.factorId, label: 'Work phone' } },
    });
    expect((await rename(user.accessToken, { label: 'Pixel' })).body.factor.label).toBe('Pixel'); // fresh aal 2
    const login = await logIn(user.email);
    expect(login.body.factors[0].label).toBe('Pixel');
  });
});

interface Scene {
  user: Account;
  totp?: Awaited<ReturnType<typeof enrollTotp>>;
  /** A parallel session, and a device remembered before the change. */
  other: { accessToken: string; refreshToken: string };
  deviceToken?: string;
}

/** A user with TOTP, a parallel session, and a remembered device (all opened before the change). */
async function sceneWithMfa(): Promise<Scene> {
  const user = await account();
  const totp = await enrollTotp(user);
  const codes = totp.recoveryCodes ?? [];
  const other = await parallelSession(user, codes[0]);
  const remembered = await verify({
    mfaToken: await mfaToken(user.email),
    factorId: totp.factorId,
    code: appCode(totp.secret),
    rememberDevice: true,
  });
  return {
    user,
    totp: { ...totp, recoveryCodes: codes.slice(1) },
    other,
    deviceToken: remembered.body.deviceToken,
  };
}

const changes: [string, () => Promise<Scene>, (scene: Scene) => Promise<{ keeps?: string }>][] = [
  [
    'turning MFA on (the first activation)',
    async () => {
      const user = await account();
      return { user, other: await parallelSession(user) };
    },
    async ({ user }) => {
      await enrollTotp(user);
      return { keeps: user.accessToken };
    },
  ],
  [
    'adding a factor',
    sceneWithMfa,
    async ({ user }) => {
      await enrollSms(user);
      return { keeps: user.accessToken };
    },
  ],
  [
    'replacing a phone number',
    async () => {
      const scene = await sceneWithMfa();
      const sms = await enrollSms(scene.user);
      return { ...scene, sms: sms.factorId, phone: sms.phone } as Scene;
    },
    async (scene) => {
      const { user } = scene;
      const { sms, phone } = scene as Scene & { sms: string; phone: string };
      const sent = await call('POST', `/v1/mfa/factors/${sms}/codes`, { token: user.accessToken });
      const newPhone = uniquePhone();
      const created = await call('POST', '/v1/mfa/factors', {
        token: user.accessToken,
        body: {
          type: 'sms',
          password: PASSWORD,
          phoneNumber: newPhone,
          replaces: sms,
          verification: { challengeId: sent.body.challengeId, code: await smsCode(phone) },
        },
      });
      const activated = await call('POST', `/v1/mfa/factors/${created.body.factor.id}/activate`, {
        token: user.accessToken,
        body: { code: await smsCode(newPhone), challengeId: created.body.challengeId },
      });
      expect(activated.status).toBe(200);
      return { keeps: user.accessToken };
    },
  ],
  [
    'removing a factor',
    async () => {
      const scene = await sceneWithMfa();
      const sms = await enrollSms(scene.user);
      return { ...scene, sms: sms.factorId } as Scene;
    },
    async (scene) => {
      const { sms } = scene as Scene & { sms: string };
      const removed = await call('DELETE', `/v1/mfa/factors/${sms}`, {
        token: scene.user.accessToken,
        body: { verification: { recoveryCode: scene.totp?.recoveryCodes?.[0] } },
      });
      expect(removed.status).toBe(204);
      return { keeps: scene.user.accessToken };
    },
  ],
  [
    'regenerating recovery codes',
    sceneWithMfa,
    async ({ user, totp }) => {
      const made = await call('POST', '/v1/mfa/recovery-codes', {
        token: user.accessToken,
        body: { verification: { recoveryCode: totp?.recoveryCodes?.[0] } },
      });
      expect(made.status).toBe(201);
      return { keeps: user.accessToken };
    },
  ],
  [
    'changing the password',
    sceneWithMfa,
    async ({ user, totp }) => {
      const changed = await call('PUT', '/v1/me/password', {
        token: user.accessToken,
        body: {
          currentPassword: PASSWORD,
          newPassword: NEW_PASSWORD,
          verification: { recoveryCode: totp?.recoveryCodes?.[0] },
        },
      });
      expect(changed.status).toBe(204);
      return { keeps: user.accessToken };
    },
  ],
  [
    'resetting the password',
    sceneWithMfa,
    async ({ user, totp }) => {
      const started = await call('POST', '/v1/password-resets', { body: { email: user.email } });
      const step = await call('POST', `/v1/password-resets/${started.body.resetId}/confirm`, {
        body: { code: await lastEmailCode(user.email), newPassword: NEW_PASSWORD },
      });
      const done = await call('POST', '/v1/mfa/recover', {
        body: { mfaToken: step.body.mfaToken, recoveryCode: totp?.recoveryCodes?.[0] },
      });
      expect(done.status).toBe(200);
      return { keeps: done.body.accessToken };
    },
  ],
  [
    "an admin's MFA reset",
    async () => {
      const { orgId, owner } = await orgWithMfaOwner('Resets');
      const user = await member(owner.accessToken, orgId);
      const scene = await (async () => {
        const totp = await enrollTotp(user);
        const other = await parallelSession(user, totp.recoveryCodes?.[0]);
        return { user, totp, other };
      })();
      return { ...scene, orgId, admin: owner.accessToken } as Scene;
    },
    async (scene) => {
      const { orgId, admin } = scene as Scene & { orgId: string; admin: string };
      const reset = await call('POST', `/v1/orgs/${orgId}/members/${scene.user.userId}/mfa-reset`, {
        token: admin,
      });
      expect(reset.status).toBe(204);
      return {};
    },
  ],
];

describe('every change to the means of authentication ends the other sessions', () => {
  it.each(changes)(
    '%s: the parallel session cannot refresh or call; the session that made it continues',
    async (_name, setUp, change) => {
      const scene = await setUp();
      const { keeps } = await change(scene);
      expect(await refresh(scene.other.refreshToken)).toMatchObject(refused);
      expect(await works(scene.other.accessToken)).toBe(401);
      if (keeps) expect(await works(keeps)).toBe(200);
      if (scene.deviceToken) {
        // The device remembered before the change skips nothing any more.
        const password = (await logIn(scene.user.email)).status === 200 ? PASSWORD : NEW_PASSWORD;
        const login = await call('POST', '/v1/sessions', {
          body: { email: scene.user.email, password, deviceToken: scene.deviceToken },
        });
        expect(login.body.status).not.toBe('authenticated');
      }
    },
  );
});

describe('aal 2 does not last forever (injected clock)', () => {
  const context = { ip: '203.0.113.9', userAgent: 'clock', requestId: 'test' };
  const minutes = (n: number) => n * 60_000;

  async function aal2Session() {
    const user = await account();
    const totp = await enrollTotp(user);
    const verified = await verify({
      mfaToken: await mfaToken(user.email),
      factorId: totp.factorId,
      code: appCode(totp.secret),
    });
    return {
      refreshToken: verified.body.refreshToken as string,
      authTime: decodeJwt(verified.body.accessToken).auth_time as number,
    };
  }

  it('60 minutes without a refresh: the next one is refused, and the session is over', async () => {
    const { refreshToken, authTime } = await aal2Session();
    const start = authTime * 1000;
    const kept = await refreshSession(refreshToken, context, new Date(start + minutes(59)));
    expect(kept.status).toBe('authenticated');
    if (kept.status !== 'authenticated') return;
    await expect(
      refreshSession(kept.refreshToken, context, new Date(start + minutes(59 + 61))),
    ).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('24 hours after signing in, even when refreshed every 50 minutes', async () => {
    const { refreshToken, authTime } = await aal2Session();
    let token = refreshToken;
    let at = authTime * 1000;
    const limit = authTime * 1000 + config().aal2MaxAgeSeconds * 1000;
    while (at + minutes(50) < limit) {
      at += minutes(50);
      const next = await refreshSession(token, context, new Date(at));
      if (next.status !== 'authenticated') throw new Error('unexpected');
      token = next.refreshToken;
    }
    await expect(refreshSession(token, context, new Date(limit + 1000))).rejects.toMatchObject({
      code: 'unauthorized',
    });
  });

  it('an aal 1 session (no MFA) keeps its 30 days', async () => {
    const user = await account();
    const later = new Date(Date.now() + 25 * 3600_000);
    expect((await refreshSession(user.refreshToken, context, later)).status).toBe('authenticated');
  });
});

describe('claims come from the current state at every refresh', () => {
  it('joining an organisation: the next refresh carries org and role', async () => {
    const { orgId, owner } = await orgWithMfaOwner('Claims');
    const user = await member(owner.accessToken, orgId, 'admin');
    expect(decodeJwt(user.accessToken).org).toBeUndefined();
    const refreshed = await refresh(user.refreshToken);
    expect(decodeJwt(refreshed.body.accessToken)).toMatchObject({ org: orgId, role: 'admin' });
  });

  it('a member of a Required organisation without a factor gets the enrollment step on refresh, and on joining', async () => {
    const { orgId, owner } = await orgWithMfaOwner('Strict');
    const early = await member(owner.accessToken, orgId);
    await setPolicy(owner.accessToken, orgId, { mode: 'required' });
    const enroll = {
      status: 'mfa_enrollment_required',
      enrollmentToken: expect.any(String),
      expiresIn: 600,
      allowedFactorTypes: ['totp', 'sms', 'email'],
    };
    const refreshed = await refresh(early.refreshToken);
    expect(refreshed).toMatchObject({ status: 200, body: enroll });
    expect(decodeJwt(refreshed.body.enrollmentToken).scope).toBe('mfa:enroll');
    expect(await works(early.accessToken)).toBe(401); // the full session ended

    // Joining now: enrollment at once, inside the session that accepted (seed 001).
    const late = await account();
    await addMember(owner.accessToken, orgId, late.email, 'member');
    const accepted = await call('POST', `/v1/me/invitations/${orgId}/accept`, { token: late.accessToken });
    expect(accepted).toMatchObject({ status: 200, body: { orgId, role: 'member', ...enroll } });
    expect(await works(late.accessToken)).toBe(401);
    const factors = await call('GET', '/v1/mfa/factors', { token: accepted.body.enrollmentToken });
    expect(factors.status).toBe(200);
  });
});

describe('a login in flight across a change', () => {
  it('that kept the password is answered again from the account as it is now, not refused', async () => {
    const user = await account();
    const before = await findUserById(user.userId); // what the login read, password checked
    if (!before) throw new Error('no user');
    // A change that leaves the password (as "This wasn't me" does) commits meanwhile.
    await transact([bumpAuthVersion(before)]);
    const answered = await loginAnswer(before, { ip: '203.0.113.9', userAgent: 'in flight' });
    expect(answered.status).toBe('authenticated');
    if (answered.status !== 'authenticated') return;
    expect(await works(answered.accessToken)).toBe(200);
  });
});

describe('sessions the user sees and ends', () => {
  it('GET /v1/me/sessions lists live sessions with the current one marked; DELETE ends one, or all but the current', async () => {
    const user = await account();
    const second = (await logIn(user.email)).body;
    const third = (await logIn(user.email)).body;
    const listed = await call('GET', '/v1/me/sessions', { token: user.accessToken });
    expect(listed.status).toBe(200);
    expect(listed.body.sessions).toHaveLength(3);
    const mine = decodeJwt(user.accessToken).sid;
    for (const session of listed.body.sessions) {
      expect(session).toEqual({
        id: expect.any(String),
        createdAt: expect.any(String),
        lastUsedAt: null,
        ip: expect.any(String),
        userAgent: expect.any(String),
        aal: 1,
        current: session.id === mine,
      });
    }
    const secondId = decodeJwt(second.accessToken).sid as string;
    expect((await call('DELETE', `/v1/me/sessions/${secondId}`, { token: user.accessToken })).status).toBe(
      204,
    );
    expect(await refresh(second.refreshToken)).toMatchObject(refused);
    expect(await works(third.accessToken)).toBe(200);
    // Again, or someone else's: 404, as for a session that does not exist.
    const stranger = await account();
    for (const [id, token] of [
      [secondId, user.accessToken],
      [decodeJwt(third.accessToken).sid as string, stranger.accessToken],
    ] as const) {
      expect(await call('DELETE', `/v1/me/sessions/${id}`, { token })).toMatchObject({
        status: 404,
        body: answers.notFound,
      });
    }
    expect(await works(third.accessToken)).toBe(200);

    expect((await call('DELETE', '/v1/me/sessions', { token: user.accessToken })).status).toBe(204);
    expect(await works(third.accessToken)).toBe(401);
    expect(await works(user.accessToken)).toBe(200);
    const left = await call('GET', '/v1/me/sessions', { token: user.accessToken });
    expect(left.body.sessions.map((s: { id: string; current: boolean }) => [s.id, s.current])).toEqual([
      [mine, true],
    ]);
  });
});

describe('PUT /v1/me/password', () => {
  it('needs the current password and, with MFA, a verification; then every other session ends and the owner is told', async () => {
    const user = await account();
    const stale = user.accessToken;
    const totp = await enrollTotp(user);
    const other = await parallelSession(user, totp.recoveryCodes?.[0]);
    const change = (token: string, body: Record<string, unknown>) =>
      call('PUT', '/v1/me/password', { token, body });

    expect(
      await change(stale, { currentPassword: 'not the current one', newPassword: NEW_PASSWORD }),
    ).toMatchObject({
      status: 401,
      body: { error: { code: 'invalid_credentials' } },
    });
    expect(await change(stale, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD })).toMatchObject({
      status: 403,
      body: answers.verificationRequired,
    });
    expect(
      await change(stale, { currentPassword: PASSWORD, newPassword: 'passwordpassword1' }),
    ).toMatchObject({
      status: 400,
      body: { error: { code: 'password_too_weak', reason: 'common' } },
    });
    const done = await change(stale, {
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      verification: { recoveryCode: totp.recoveryCodes?.[1] },
    });
    expect(done.status).toBe(204);
    expect(await works(other.accessToken)).toBe(401);
    expect(await works(stale)).toBe(200);
    expect((await logIn(user.email)).status).toBe(401);
    expect((await logIn(user.email, NEW_PASSWORD)).body.status).toBe('mfa_required');
    const subjects = (await emailsTo(user.email)).map((mail) => mail.Subject);
    expect(subjects).toContain('Serverless MFA: your password was changed');
  });
});

describe('"This wasn\'t me"', () => {
  const tokenIn = (text: string) => /#\/secure\?token=([\w-]{43})/.exec(text)?.[1];

  it('every security email carries a single-use link; 20 parallel uses give one 204; every session and device ends', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const other = await parallelSession(user, totp.recoveryCodes?.[0]);
    const remembered = await verify({
      mfaToken: await mfaToken(user.email),
      factorId: totp.factorId,
      code: appCode(totp.secret),
      rememberDevice: true,
    });
    const notice = (await emailsTo(user.email)).find((mail) =>
      mail.Subject.endsWith('a sign-in method is now active'),
    );
    const token = tokenIn(notice?.Body.text_part ?? '');
    expect(token).toBeDefined();

    const reports = await Promise.all(
      Array.from({ length: 20 }, () => call('POST', '/v1/security-reports', { body: { token } })),
    );
    expect(reports.filter((answer) => answer.status === 204)).toHaveLength(1);
    for (const answer of reports.filter((a) => a.status !== 204)) {
      expect(answer).toMatchObject({ status: 410, body: answers.challengeExpired });
    }
    for (const session of [user, other, remembered.body]) expect(await works(session.accessToken)).toBe(401);
    expect(await listDevices(user.userId)).toEqual([]);
    const withDevice = await call('POST', '/v1/sessions', {
      body: { email: user.email, password: PASSWORD, deviceToken: remembered.body.deviceToken },
    });
    expect(withDevice.body.status).toBe('mfa_required');
    const confirmation = (await emailsTo(user.email)).at(-1);
    expect(confirmation?.Subject).toBe('Serverless MFA: your account was secured');
    expect(confirmation?.Body.text_part).toContain('Now reset your password');
    const events = await call('GET', '/v1/me/events?limit=5', {
      token: (await parallelSession(user, totp.recoveryCodes?.[1])).accessToken,
    });
    expect(events.body.events.map((event: { type: string }) => event.type)).toContain('account.reported');
  });

  it('an unknown or malformed token: 410, nothing happens', async () => {
    const user = await account();
    for (const token of ['x'.repeat(43), 'nope']) {
      expect(await call('POST', '/v1/security-reports', { body: { token } })).toMatchObject({
        status: 410,
        body: answers.challengeExpired,
      });
    }
    expect(await works(user.accessToken)).toBe(200);
  });
});

describe('passwords (NIST SP 800-63B-4 §3.1.1.2), checked whenever one is set', () => {
  const emoji = ['😀', '😃', '😄', '😁', '😆', '😅', '🤣', '😂', '🙂', '🙃', '😉', '😊', '😇', '🥰', '😍'];
  const accented = 'éèêëàâäôöûüçîïñ'.normalize('NFD'); // 15 letters, 30 code points before NFKC
  const signUpWith = (email: string, password: string) =>
    call('POST', '/v1/users', { body: { email, password } });

  it.each([
    ['a common password made longer', 'passwordpassword1', 'common'],
    ['a run of digits', '123456789012345', 'common'],
    ['14 characters', 'x7#Kq!2mZ9@wLp', 'too_short'],
    ['8 emoji (16 UTF-16 units, 8 code points)', emoji.slice(0, 8).join(''), 'too_short'],
    [
      '8 decomposed é (16 UTF-16 units, 8 code points after NFKC)',
      'é'.normalize('NFD').repeat(8),
      'too_short',
    ],
  ])('refuses %s: 400 password_too_weak, reason %s', async (_name, password, reason) => {
    const answer = await signUpWith(uniqueEmail('weak'), password);
    expect(answer).toMatchObject({ status: 400, body: { error: { code: 'password_too_weak', reason } } });
  });

  it("refuses the email address's local part repeated, and the service's name (reason context)", async () => {
    const email = uniqueEmail('ada.lovelace');
    const local = email.split('@')[0] as string;
    for (const password of [`${local}${local}`, 'serverlessmfa2026!']) {
      expect(await signUpWith(email, password)).toMatchObject({
        status: 400,
        body: { error: { code: 'password_too_weak', reason: 'context' } },
      });
    }
  });

  it.each([
    ['15 emoji', emoji.join('')],
    ['15 decomposed accented letters', accented],
  ])('accepts %s (15 code points after NFKC)', async (_name, password) => {
    const email = uniqueEmail('long');
    expect((await signUpWith(email, password)).status).toBe(202);
    const verified = await call('POST', '/v1/users/verify', {
      body: {
        verificationId: (await logIn(email, password)).body.verificationId,
        code: await lastEmailCode(email),
      },
    });
    expect(verified.body.status).toBe('authenticated');
  });

  it('never at login: an account whose weak password predates the rules still signs in with it', async () => {
    const email = uniqueEmail('old');
    const userId = ulid();
    const createdAt = new Date().toISOString();
    const weak = 'short but old'; // 13 characters: what the earlier rules accepted
    await db.send(
      new PutCommand({
        TableName: table(),
        Item: {
          pk: `USER#${userId}`,
          sk: 'PROFILE',
          userId,
          email,
          passwordHash: await hashPassword(weak),
          createdAt,
        },
      }),
    );
    await db.send(
      new PutCommand({ TableName: table(), Item: { pk: `EMAIL#${email}`, sk: 'USER', userId, createdAt } }),
    );
    expect((await logIn(email, weak)).body.status).toBe('authenticated');
  });

  it('a too-long password (over 128 code points) is refused too', async () => {
    expect(await signUpWith(uniqueEmail('long'), 'abcdefghij'.repeat(13))).toMatchObject({
      status: 400,
      body: { error: { code: 'password_too_weak', reason: 'too_long' } },
    });
  });

  it('the owner can still sign up while a refused password leaves nothing behind', async () => {
    const email = uniqueEmail('clean');
    await signUpWith(email, 'passwordpassword1');
    expect(await emailsTo(email)).toEqual([]);
    expect((await createOrg((await signUp(email)).accessToken, 'Fine')).length).toBe(26);
  });
});
