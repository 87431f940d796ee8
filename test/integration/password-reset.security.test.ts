/**
 * Attacks on "forgot my password" (API.md "Additions: Who owns an email address"; OWASP ASVS
 * 5.0 6.4.3: a reset must not bypass MFA):
 * - account enumeration: an unknown, an unverified and a verified address get the same answer
 *   from the same work; only the verified account's email holds a code;
 * - a reset as a way around MFA: with a factor, the code buys only an MFA step, and the new
 *   password is not in force until that step succeeds; an abandoned reset changes nothing;
 *   the MFA lock still holds;
 * - stale sessions: a completed reset revokes every session, every remembered device and every
 *   login that was waiting for its second factor, including one racing the reset;
 * - guessing and replaying the code: 5 tries, single use under 20 parallel confirms.
 */

import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { decodeJwt } from 'jose';
import { ulid } from 'ulid';
import { describe, expect, it, vi } from 'vitest';
import { handler as createReset } from '../../functions/password-resets/create.ts';
import { openSession } from '../../shared/auth/open-session.ts';
import { verifyPassword } from '../../shared/auth/passwords.ts';
import { db, table } from '../../shared/db/client.ts';
import { listDevices } from '../../shared/db/devices.ts';
import { factorKey } from '../../shared/db/factors.ts';
import { findActiveSession, listUserSessionIds } from '../../shared/db/sessions.ts';
import { findUserById } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { call, emailsTo, lastEmailCode, logIn, PASSWORD, signUp, uniqueEmail } from '../support/api.ts';
import {
  account,
  answers,
  appCode,
  challenge,
  enrollSms,
  enrollTotp,
  invoke,
  mfaToken,
  otherThan,
  smsCount,
  verify,
  wrongAppCode,
} from '../support/mfa.ts';

const NEW_PASSWORD = 'a brand new pass phrase';
const SUBJECT = {
  code: 'Serverless MFA: your code to reset your password',
  noAccount: 'Serverless MFA: password reset requested',
  done: 'Serverless MFA: your password was reset',
};

const requestReset = (email: string) => call('POST', '/v1/password-resets', { body: { email } });
const confirmReset = (resetId: string, code: string, newPassword = NEW_PASSWORD) =>
  call('POST', `/v1/password-resets/${resetId}/confirm`, { body: { code, newPassword } });

/** A reset requested for `email`, with the code it emailed. */
async function resetFor(email: string) {
  const started = await requestReset(email);
  expect(started.status).toBe(202);
  return { resetId: started.body.resetId as string, code: await lastEmailCode(email) };
}

const stillWorks = async (token: string) => (await call('GET', '/v1/mfa/factors', { token })).status;

describe('reset answers tell nobody which addresses have accounts', () => {
  it('enumeration: an unknown, an unverified and a verified address get the same answer from the same work; only the account gets a code', async () => {
    const verified = await signUp();
    const unverified = uniqueEmail('unverified');
    await call('POST', '/v1/users', { body: { email: unverified, password: PASSWORD } });
    // Warm: the first call of a container loads the keyring, which is not per-address work.
    await invoke(createReset, 'POST', '/v1/password-resets', { body: { email: uniqueEmail('warm') } });
    const cases = { unknown: uniqueEmail('unknown'), unverified, verified: verified.email };

    const seen: Record<string, { status: number; keys: string[]; calls: string[]; emails: string[] }> = {};
    for (const [label, email] of Object.entries(cases)) {
      const before = (await emailsTo(email)).length;
      const send = vi.spyOn(db, 'send');
      const answer = await invoke(createReset, 'POST', '/v1/password-resets', { body: { email } });
      const calls = send.mock.calls.map(([command]) => (command as object).constructor.name);
      send.mockRestore();
      const mails = (await emailsTo(email)).slice(before);
      expect(answer.body).toEqual({
        resetId: expect.stringMatching(/^[0-9A-Z]{26}$/),
        expiresAt: expect.any(String),
      });
      seen[label] = {
        status: answer.status,
        keys: Object.keys(answer.body).sort(),
        calls,
        emails: mails.map((mail) => (/\b\d{6}\b/.test(mail.Body.text_part) ? 'code' : mail.Subject)),
      };
    }
    console.log('password reset, side by side:', JSON.stringify(seen));
    const { emails: _u, ...unknown } = seen.unknown as NonNullable<(typeof seen)['unknown']>;
    for (const label of ['unverified', 'verified']) {
      const { emails: _e, ...other } = seen[label] as NonNullable<(typeof seen)['unknown']>;
      expect(other).toEqual(unknown);
    }
    // The per-IP reset window; the address's current reset; the address's allowance, the
    // client's code sends; two reads; one transaction.
    expect(unknown).toMatchObject({
      status: 202,
      calls: [
        'UpdateCommand',
        'GetCommand',
        'UpdateCommand',
        'UpdateCommand',
        'GetCommand',
        'GetCommand',
        'TransactWriteCommand',
      ],
    });
    expect(seen.verified?.emails).toEqual(['code']);
    expect(seen.unknown?.emails).toEqual([SUBJECT.noAccount]);
    expect(seen.unverified?.emails).toEqual([SUBJECT.noAccount]);
  });

  it('enumeration: a reset of an unknown address takes codes like a real one (every code wrong), then burns', async () => {
    const real = await resetFor((await signUp()).email);
    const decoy = await requestReset(uniqueEmail('ghost'));
    const wrong = otherThan(real.code);
    for (let left = 4; left >= 0; left--) {
      const onReal = await confirmReset(real.resetId, wrong);
      const onDecoy = await confirmReset(decoy.body.resetId, wrong);
      expect(onReal).toMatchObject({ status: 401, body: answers.codeInvalid(left) });
      expect(onDecoy.body).toEqual(onReal.body);
    }
    expect(await confirmReset(real.resetId, real.code)).toMatchObject({
      status: 429,
      body: answers.tooManyAttempts,
    });
    expect(await confirmReset(decoy.body.resetId, real.code)).toMatchObject({ status: 429 });
  });
});

describe('only the newest reset of an address has a working code', () => {
  it('stale code: an older reset email (intercepted, or left in a mailbox) stops working once a newer reset is asked for', async () => {
    const user = await account();
    const older = await resetFor(user.email);
    const newer = await resetFor(user.email);
    expect(newer.resetId).not.toBe(older.resetId);
    expect(await confirmReset(older.resetId, older.code)).toMatchObject({
      status: 410,
      body: answers.challengeExpired,
    });
    expect((await confirmReset(newer.resetId, newer.code)).status).toBe(200);
    expect((await logIn(user.email, NEW_PASSWORD)).status).toBe(200);
  });

  it('enumeration: an address without an account has its older reset ended alike', async () => {
    const real = (await account()).email;
    const ghost = uniqueEmail('ghost');
    const olderReal = await requestReset(real);
    const olderGhost = await requestReset(ghost);
    await requestReset(real);
    await requestReset(ghost);
    const wrong = otherThan(await lastEmailCode(real));
    const onReal = await confirmReset(olderReal.body.resetId, wrong);
    const onGhost = await confirmReset(olderGhost.body.resetId, wrong);
    expect(onReal).toMatchObject({ status: 410, body: answers.challengeExpired });
    expect(onGhost).toEqual(onReal);
  });

  it('double click: 5 parallel resets of one address (its whole daily allowance) leave exactly one live reset, and its code works', async () => {
    const user = await account();
    const started = await Promise.all(Array.from({ length: 5 }, () => requestReset(user.email)));
    expect(started.map((answer) => answer.status)).toEqual(Array(5).fill(202));
    const ids = [...new Set(started.map((answer) => answer.body.resetId as string))];
    const wrong = otherThan(await lastEmailCode(user.email));
    const probes = await Promise.all(ids.map((id) => confirmReset(id, wrong)));
    const live = ids.filter((_, i) => probes[i]?.status === 401);
    expect(live).toHaveLength(1);
    for (const [i, probe] of probes.entries())
      if (ids[i] !== live[0]) expect(probe).toMatchObject({ status: 410, body: answers.challengeExpired });
    // The live one's code is in one of the emails sent (the newest of them, as mail arrives).
    const codes = (await emailsTo(user.email))
      .map((mail) => /\b(\d{6})\b/.exec(mail.Body.text_part)?.[1])
      .filter((code): code is string => Boolean(code));
    const outcomes = [];
    for (const code of codes.reverse()) {
      const answer = await confirmReset(live[0] as string, code);
      outcomes.push(answer.status);
      if (answer.status === 200) break;
    }
    expect(outcomes.at(-1)).toBe(200);
  });
});

describe('a reset without MFA', () => {
  it('sets the new password, signs in, revokes every other session and tells the owner', async () => {
    const user = await account();
    const other = await logIn(user.email);
    const { resetId, code } = await resetFor(user.email);
    // Requesting alone changes nothing.
    expect((await logIn(user.email)).status).toBe(200);

    const done = await confirmReset(resetId, code);
    expect(done).toMatchObject({
      status: 200,
      body: { ...answers.authenticated, mfa: { enabled: false, suggested: false } },
    });
    expect(await stillWorks(done.body.accessToken)).toBe(200);
    for (const token of [user.accessToken, other.body.accessToken]) expect(await stillWorks(token)).toBe(401);
    const refreshed = await call('POST', '/v1/sessions/refresh', {
      body: { refreshToken: other.body.refreshToken },
    });
    expect(refreshed.status).toBe(401);

    expect((await logIn(user.email)).status).toBe(401);
    expect((await logIn(user.email, NEW_PASSWORD)).body.status).toBe('authenticated');
    const mails = await emailsTo(user.email);
    expect(mails.at(-1)?.Subject).toBe(SUBJECT.done);
    expect(mails.at(-1)?.Body.text_part).toContain("If this wasn't you");
    // The code worked once.
    expect(await confirmReset(resetId, code, `${NEW_PASSWORD} again`)).toMatchObject({
      status: 410,
      body: answers.challengeExpired,
    });
  });

  it('a new password that breaks the rules is refused before anything is spent', async () => {
    const user = await account();
    const { resetId, code } = await resetFor(user.email);
    for (const weak of ['short', 'passwordpassword1', `${user.email}${user.email}`]) {
      const refused = await confirmReset(resetId, code, weak);
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({ code: 'password_too_weak' });
    }
    // None of them spent an attempt of the code: the next right one still has all five.
    expect((await confirmReset(resetId, code)).status).toBe(200);
  });

  it('race: 20 parallel confirms with the right code set exactly one new password and open exactly one session', async () => {
    const user = await account();
    const { resetId, code } = await resetFor(user.email);
    const passwords = Array.from({ length: 20 }, (_, i) => `${NEW_PASSWORD} ${i}`);
    const answered = await Promise.all(passwords.map((password) => confirmReset(resetId, code, password)));
    const won = answered.flatMap((answer, i) => (answer.status === 200 ? [i] : []));
    expect(won).toHaveLength(1);
    // The losers are refused as a used or exhausted code: nothing else happened for them.
    for (const answer of answered.filter((a) => a.status !== 200))
      expect([410, 429]).toContain(answer.status);
    // Compared in-process: twenty wrong logins would lock the address.
    const stored = await findUserById(user.userId);
    const matches = await Promise.all(
      passwords.map((password) => verifyPassword(password, stored?.passwordHash ?? '')),
    );
    expect(matches.flatMap((match, i) => (match ? [i] : []))).toEqual(won);
    const live = [];
    for (const id of await listUserSessionIds(user.userId)) if (await findActiveSession(id)) live.push(id);
    expect(live).toEqual([decodeJwt(answered[won[0] as number]?.body.accessToken).sid]);
  });
});

describe('a reset never gets around MFA', () => {
  it('with TOTP: the code buys an MFA step; the new password counts only once the factor is verified', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const { resetId, code } = await resetFor(user.email);
    const step = await confirmReset(resetId, code);
    expect(step).toMatchObject({
      status: 200,
      body: {
        status: 'mfa_required',
        mfaToken: expect.any(String),
        expiresIn: 600,
        factors: [expect.objectContaining({ id: totp.factorId, type: 'totp' })],
      },
    });
    // Not yet: the old password still logs in (to its MFA step), the new one does not.
    expect((await logIn(user.email, NEW_PASSWORD)).status).toBe(401);
    expect((await logIn(user.email)).body.status).toBe('mfa_required');

    const verified = await verify({
      mfaToken: step.body.mfaToken,
      factorId: totp.factorId,
      code: appCode(totp.secret),
      rememberDevice: true,
    });
    expect(verified).toMatchObject({ status: 200, body: answers.authenticated });
    expect(decodeJwt(verified.body.accessToken)).toMatchObject({ aal: 2, amr: ['pwd', 'otp', 'mfa'] });
    expect((await logIn(user.email)).status).toBe(401);
    expect((await logIn(user.email, NEW_PASSWORD)).body.status).toBe('mfa_required');
    expect(await stillWorks(user.accessToken)).toBe(401);
    expect(await stillWorks(verified.body.accessToken)).toBe(200);
    expect((await emailsTo(user.email)).at(-1)?.Subject).toBe(SUBJECT.done);
    // The device remembered by the very step that completed the reset is the one that counts.
    expect(await listDevices(user.userId)).toHaveLength(1);
    const remembered = await call('POST', '/v1/sessions', {
      body: { email: user.email, password: NEW_PASSWORD, deviceToken: verified.body.deviceToken },
    });
    expect(remembered.body.status).toBe('authenticated');
  });

  it('attack: the mailbox alone: the sign-in address cannot be an email factor, and one made before that cannot finish a reset', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const refused = await call('POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: { type: 'email', password: PASSWORD, email: user.email.toUpperCase() },
    });
    expect(refused).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request', details: [{ path: 'body.email' }] } },
    });
    // The same mailbox under another name: a +tag, which nearly every provider delivers alike.
    const [local, domain] = user.email.split('@');
    const tagged = await call('POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: { type: 'email', password: PASSWORD, email: `${local}+mfa@${domain}` },
    });
    expect(tagged).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
    // A factor at the sign-in address from before the rule (written as it was stored then).
    const legacyId = ulid();
    await db.send(
      new PutCommand({
        TableName: table(),
        Item: {
          ...factorKey(user.userId, legacyId),
          factorId: legacyId,
          userId: user.userId,
          type: 'email',
          status: 'active',
          label: 'Email',
          destination: user.email,
          createdAt: new Date().toISOString(),
        },
      }),
    );
    const { resetId, code } = await resetFor(user.email);
    const step = await confirmReset(resetId, code);
    expect(step.body.factors.map((factor: { id: string }) => factor.id)).toEqual([totp.factorId]);
    const sent = (await emailsTo(user.email)).length;
    const viaMailbox = await call('POST', '/v1/mfa/challenges', {
      body: { mfaToken: step.body.mfaToken, factorId: legacyId },
    });
    expect(viaMailbox).toMatchObject({ status: 403, body: { error: { code: 'factor_type_not_allowed' } } });
    expect((await emailsTo(user.email)).length).toBe(sent);
    expect((await logIn(user.email, NEW_PASSWORD)).status).toBe(401);
  });

  it('abandoned: a reset whose MFA step never happens leaves the old password working', async () => {
    const user = await account();
    await enrollTotp(user);
    const { resetId, code } = await resetFor(user.email);
    expect((await confirmReset(resetId, code)).body.status).toBe('mfa_required');
    expect((await logIn(user.email, NEW_PASSWORD)).status).toBe(401);
    expect((await logIn(user.email)).body.status).toBe('mfa_required');
    expect(await stillWorks(user.accessToken)).toBe(200);
    expect((await emailsTo(user.email)).map((mail) => mail.Subject)).not.toContain(SUBJECT.done);
  });

  it('a recovery code completes the reset too, and the mfaToken is for this one reset only', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const { resetId, code } = await resetFor(user.email);
    const step = await confirmReset(resetId, code);
    const recovered = await call('POST', '/v1/mfa/recover', {
      body: { mfaToken: step.body.mfaToken, recoveryCode: totp.recoveryCodes?.[0] },
    });
    expect(recovered).toMatchObject({
      status: 200,
      body: { ...answers.authenticated, recoveryCodesRemaining: 9 },
    });
    expect((await logIn(user.email, NEW_PASSWORD)).body.status).toBe('mfa_required');
    const replay = await call('POST', '/v1/mfa/recover', {
      body: { mfaToken: step.body.mfaToken, recoveryCode: totp.recoveryCodes?.[1] },
    });
    expect(replay).toMatchObject({ status: 401, body: answers.mfaTokenInvalid });
  });

  it('a locked MFA stays locked through a reset: the reset neither clears the failures nor skips them', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const token = await mfaToken(user.email);
    for (let i = 0; i < 10; i++)
      await verify({ mfaToken: token, factorId: totp.factorId, code: wrongAppCode(totp.secret) });
    const { resetId, code } = await resetFor(user.email);
    const step = await confirmReset(resetId, code);
    expect(step.body.status).toBe('mfa_required');
    const locked = await verify({
      mfaToken: step.body.mfaToken,
      factorId: totp.factorId,
      code: appCode(totp.secret),
    });
    expect(locked).toMatchObject({ status: 429, body: answers.locked() });
    expect((await logIn(user.email, NEW_PASSWORD)).status).toBe(401);
  });

  it('race: 20 parallel confirms of one code with MFA yield exactly one MFA step', async () => {
    const user = await account();
    await enrollTotp(user);
    const { resetId, code } = await resetFor(user.email);
    const answered = await Promise.all(Array.from({ length: 20 }, () => confirmReset(resetId, code)));
    expect(answered.filter((answer) => answer.body.status === 'mfa_required')).toHaveLength(1);
  });
});

describe('stale sessions after a reset', () => {
  it('remembered devices and logins waiting for their second factor die with the old password', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const remembered = await verify({
      mfaToken: await mfaToken(user.email),
      factorId: totp.factorId,
      code: appCode(totp.secret),
      rememberDevice: true,
    });
    const { deviceToken } = remembered.body;
    expect(
      (await call('POST', '/v1/sessions', { body: { email: user.email, password: PASSWORD, deviceToken } }))
        .body.status,
    ).toBe('authenticated');
    const waiting = await mfaToken(user.email); // the attacker's login, password step done

    const recovery = totp.recoveryCodes?.[0];
    const { resetId, code } = await resetFor(user.email);
    const step = await confirmReset(resetId, code);
    expect(
      await call('POST', '/v1/mfa/recover', {
        body: { mfaToken: step.body.mfaToken, recoveryCode: recovery },
      }),
    ).toMatchObject({ status: 200 });

    expect(await stillWorks(remembered.body.accessToken)).toBe(401);
    expect(await listDevices(user.userId)).toEqual([]);
    const withDevice = await call('POST', '/v1/sessions', {
      body: { email: user.email, password: NEW_PASSWORD, deviceToken },
    });
    expect(withDevice.body.status).toBe('mfa_required');
    const late = await call('POST', '/v1/mfa/recover', {
      body: { mfaToken: waiting, recoveryCode: totp.recoveryCodes?.[1] },
    });
    expect(late).toMatchObject({ status: 401, body: answers.mfaTokenInvalid });
  });

  it('attack: a login the reset ended cannot text the owner either (challenge and resend refused, nothing sent)', async () => {
    const user = await account();
    const sms = await enrollSms(user);
    // The attacker's login, password step done, with a code already sent once.
    const waiting = await mfaToken(user.email);
    const started = await challenge(waiting, sms.factorId);
    expect(started.status).toBe(201);
    const sent = await smsCount(sms.phone);

    const { resetId, code } = await resetFor(user.email);
    const step = await confirmReset(resetId, code);
    const done = await call('POST', '/v1/mfa/recover', {
      body: { mfaToken: step.body.mfaToken, recoveryCode: sms.recoveryCodes?.[0] },
    });
    expect(done.status).toBe(200);

    expect(await challenge(waiting, sms.factorId)).toMatchObject({
      status: 401,
      body: answers.mfaTokenInvalid,
    });
    const resend = await call('POST', `/v1/mfa/challenges/${started.body.challengeId}/resend`, {
      body: { mfaToken: waiting },
    });
    expect(resend).toMatchObject({ status: 401, body: answers.mfaTokenInvalid });
    expect(await smsCount(sms.phone)).toBe(sent);
  });

  it('race: a login checked against the old password that commits after the reset does not keep its session', async () => {
    const user = await account();
    const before = await findUserById(user.userId);
    if (!before) throw new Error('no user');
    const { resetId, code } = await resetFor(user.email);
    expect((await confirmReset(resetId, code)).status).toBe(200);
    // `before` is what a login in flight read before the reset committed: its session is
    // written, then refused and revoked.
    await expect(
      openSession(before, { aal: 1, amr: ['pwd'], ip: '203.0.113.9', userAgent: 'racer' }),
    ).rejects.toMatchObject(new ApiError('invalid_credentials'));
    const sessions = await call('POST', '/v1/sessions', { body: { email: user.email, password: PASSWORD } });
    expect(sessions.status).toBe(401);
  });
});
