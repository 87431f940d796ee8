/**
 * Resending codes and failed deliveries:
 * - resend as a way around the attempt limit: a resend voids the old code but does NOT reset
 *   the attempts (NIST SP 800-63B-4 §3.1.3.2), and a burned challenge cannot be resent, at
 *   login or for a pending factor's first code;
 * - resend flooding: a server-set cooldown (`resend_too_soon`);
 * - a failed SMS/email delivery spends nothing (DESIGN principle 6): no pending factor, no
 *   usable challenge, no send allowance, no replaced code, no spent proof.
 *
 * The runtime's handlers read their settings once per process (30 s cooldown). To resend
 * without waiting 30 s, this file runs the challenge handlers in-process with a 1 s cooldown:
 * `vi.hoisted` sets it before any module is imported (the setup file `env.ts`, which runs
 * first, copies the runtime's variables, and those do not include this one), and the first
 * test proves `config()` saw it. Challenges whose resend is tested are created in-process too,
 * since a challenge carries the `resendAvailableAt` of the process that created it.
 *
 * Failing deliveries use the local endpoints' `/_local/fail-destinations` hook, shared by every
 * test file of the run: unique numbers only, and the previous list is put back in afterAll.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as createChallenge } from '../../functions/mfa/challenges-create.ts';
import { handler as resendChallenge } from '../../functions/mfa/challenges-resend.ts';
import { handler as createFactor } from '../../functions/mfa/factors-create.ts';
import { handler as resendFactorCode } from '../../functions/mfa/factors-resend.ts';
import { config } from '../../shared/config.ts';
import { getChallenge } from '../../shared/db/challenges.ts';
import { db } from '../../shared/db/client.ts';
import { call, PASSWORD, uniqueEmail } from '../support/api.ts';
import {
  account,
  allEvents,
  answers,
  challenge,
  codeIn,
  deliverAgainTo,
  enrollSms,
  enrollTotp,
  failDeliveriesTo,
  failingDestinations,
  invoke,
  lastSms,
  mfaToken,
  otherThan,
  SIGNUP_CODE_SUBJECT,
  sleep,
  smsCode,
  smsCount,
  subjectsTo,
  uniquePhone,
  verify,
} from '../support/mfa.ts';

vi.hoisted(() => {
  process.env.RESEND_COOLDOWN_SECONDS = '1';
});
const AFTER_COOLDOWN_MS = 1100;

const startInProcess = (token: string, factorId: string) =>
  invoke(createChallenge, 'POST', '/v1/mfa/challenges', { body: { mfaToken: token, factorId } });

const resendInProcess = (token: string, challengeId: string) =>
  invoke(resendChallenge, 'POST', `/v1/mfa/challenges/${challengeId}/resend`, {
    body: { mfaToken: token },
    pathParameters: { challengeId },
  });

const challengeTimes = { expiresAt: expect.any(String), resendAvailableAt: expect.any(String) };

let previousFailList: string[];
const failing: string[] = [];

beforeAll(async () => {
  previousFailList = await failingDestinations();
});

afterAll(async () => {
  await deliverAgainTo(...failing);
  const now = await failingDestinations();
  for (const destination of previousFailList) expect(now).toContain(destination);
});

/** A unique destination whose sends fail from now on. */
async function failingDestination(destination: string): Promise<string> {
  failing.push(destination);
  await failDeliveriesTo(destination);
  return destination;
}

describe('resend', () => {
  it('in this file the handlers run with a 1 s cooldown (set before config() was read)', () => {
    expect(config().resendCooldownSeconds).toBe(1);
  });

  it('flooding: a resend before the cooldown is 429 resend_too_soon with retryAfter', async () => {
    const user = await account();
    const sms = await enrollSms(user);
    const token = await mfaToken(user.email);
    const started = await challenge(token, sms.factorId);
    const resend = await call('POST', `/v1/mfa/challenges/${started.body.challengeId}/resend`, {
      body: { mfaToken: token },
    });
    expect(resend.status).toBe(429);
    expect(resend.body).toEqual({
      error: {
        code: 'resend_too_soon',
        message: 'Wait before requesting another code.',
        retryAfter: expect.any(Number),
      },
    });
    expect(resend.body.error.retryAfter).toBeGreaterThanOrEqual(29);
    expect(resend.body.error.retryAfter).toBeLessThanOrEqual(30);
    expect(resend.headers.get('retry-after')).toBe(String(resend.body.error.retryAfter));
    expect(await smsCount(sms.phone)).toBe(2); // enrollment + the challenge, no third
  });

  it('a resend voids the old code; the new one works', async () => {
    const user = await account();
    const sms = await enrollSms(user);
    const token = await mfaToken(user.email);
    const started = await startInProcess(token, sms.factorId);
    expect(started.status).toBe(201);
    const { challengeId } = started.body;
    const oldCode = await smsCode(sms.phone);

    await sleep(AFTER_COOLDOWN_MS);
    const resent = await resendInProcess(token, challengeId);
    expect(resent.status).toBe(200);
    expect(resent.body).toEqual(challengeTimes);
    expect(resent.body.expiresAt > started.body.expiresAt).toBe(true);
    expect(await smsCount(sms.phone)).toBe(3);
    const newCode = await smsCode(sms.phone);

    // The challenge is live and the caller's, so the old code is an ordinary wrong code for it
    // now: 401 code_invalid, counted (410 is for the challenge itself being over).
    if (oldCode !== newCode) {
      const old = await verify({ mfaToken: token, challengeId, code: oldCode });
      expect(old.status).toBe(401);
      expect(old.body).toEqual(answers.codeInvalid(4));
    }
    expect((await verify({ mfaToken: token, challengeId, code: newCode })).body).toEqual(
      answers.authenticated,
    );
  });

  it('cooldown bypass: after the cooldown, a new challenge for the factor (another login) voids the previous one and its code', async () => {
    const user = await account();
    const sms = await enrollSms(user);
    const firstLogin = await mfaToken(user.email);
    const first = await startInProcess(firstLogin, sms.factorId);
    expect(first.status).toBe(201);
    const firstCode = await smsCode(sms.phone);
    // Inside the cooldown: refused, whichever login asks.
    const secondLogin = await mfaToken(user.email);
    expect((await startInProcess(secondLogin, sms.factorId)).body.error.code).toBe('resend_too_soon');

    await sleep(AFTER_COOLDOWN_MS);
    const second = await startInProcess(secondLogin, sms.factorId);
    expect(second.status).toBe(201);
    expect(await getChallenge(first.body.challengeId)).toBeUndefined();
    // The first code no longer works anywhere: its challenge is gone (410), and on the new
    // challenge it is just a wrong code.
    expect(
      (await verify({ mfaToken: firstLogin, challengeId: first.body.challengeId, code: firstCode })).body,
    ).toEqual(answers.challengeExpired);
    const secondCode = await smsCode(sms.phone);
    expect(
      (await verify({ mfaToken: secondLogin, challengeId: second.body.challengeId, code: secondCode })).body,
    ).toEqual(answers.authenticated);
  });

  it('a resend does not reset attempts: 3 wrong, resend, 2 wrong, and the challenge is burned', async () => {
    const user = await account();
    const sms = await enrollSms(user);
    const token = await mfaToken(user.email);
    const { challengeId } = (await startInProcess(token, sms.factorId)).body;
    const first = await smsCode(sms.phone);

    const before = [];
    for (let i = 0; i < 3; i++)
      before.push(await verify({ mfaToken: token, challengeId, code: otherThan(first) }));
    expect(before.map((answer) => answer.body)).toEqual([4, 3, 2].map((n) => answers.codeInvalid(n)));

    await sleep(AFTER_COOLDOWN_MS);
    expect((await resendInProcess(token, challengeId)).status).toBe(200);
    const second = await smsCode(sms.phone);
    const after = [];
    for (let i = 0; i < 2; i++)
      after.push(await verify({ mfaToken: token, challengeId, code: otherThan(second) }));
    expect(after.map((answer) => answer.body)).toEqual([1, 0].map((n) => answers.codeInvalid(n)));

    // Burned: the next wrong code, the right one, and another resend are all too_many_attempts.
    expect((await verify({ mfaToken: token, challengeId, code: otherThan(second) })).body).toEqual(
      answers.tooManyAttempts,
    );
    expect((await verify({ mfaToken: token, challengeId, code: second })).body).toEqual(
      answers.tooManyAttempts,
    );
    await sleep(AFTER_COOLDOWN_MS);
    const again = await resendInProcess(token, challengeId);
    expect(again.status).toBe(429);
    expect(again.body).toEqual(answers.tooManyAttempts);
  });

  it('a resend does not renew the burned first code of a pending SMS factor: 5 wrong codes, then resend → 429 too_many_attempts, nothing sent', async () => {
    // More sends must not buy more guesses at the enrollment code either; the user starts over.
    const user = await account();
    const phone = uniquePhone();
    const created = await invoke(createFactor, 'POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: { type: 'sms', password: PASSWORD, phoneNumber: phone },
    });
    expect(created.status).toBe(201);
    const factorId: string = created.body.factor.id;
    const { challengeId } = created.body;
    const code = await smsCode(phone);
    const activate = (guess: string) =>
      call('POST', `/v1/mfa/factors/${factorId}/activate`, {
        token: user.accessToken,
        body: { code: guess, challengeId },
      });

    const wrong = [];
    for (let i = 0; i < 5; i++) wrong.push(await activate(otherThan(code)));
    expect(wrong.map((answer) => answer.body)).toEqual([4, 3, 2, 1, 0].map((n) => answers.codeInvalid(n)));

    // Past the cooldown, so only the burned challenge can refuse it.
    await sleep(AFTER_COOLDOWN_MS);
    const resent = await invoke(resendFactorCode, 'POST', `/v1/mfa/factors/${factorId}/resend`, {
      token: user.accessToken,
      pathParameters: { factorId },
    });
    expect(resent.status).toBe(429);
    expect(resent.body).toEqual(answers.tooManyAttempts);
    expect(resent.headers.get('retry-after')).toBe('1');
    expect(await smsCount(phone)).toBe(1);
    // Still burned: the right code does not activate it.
    const right = await activate(code);
    expect(right.status).toBe(429);
    expect(right.body).toEqual(answers.tooManyAttempts);
    expect((await getChallenge(challengeId))?.attempts).toBe(5);
    const listed = await call('GET', '/v1/mfa/factors', { token: user.accessToken });
    expect(listed.body.factors).toEqual([expect.objectContaining({ id: factorId, status: 'pending' })]);
  });

  it('a TOTP challenge has nothing to resend', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const token = await mfaToken(user.email);
    const { challengeId } = (await startInProcess(token, totp.factorId)).body;
    const resend = await resendInProcess(token, challengeId);
    expect(resend.status).toBe(400);
    expect(resend.body.error).toMatchObject({ code: 'invalid_request' });
  });
});

describe('failed deliveries spend nothing', () => {
  it('a failed resend keeps the old code, the cooldown and the send count', async () => {
    const user = await account();
    const sms = await enrollSms(user);
    const token = await mfaToken(user.email);
    const { challengeId } = (await startInProcess(token, sms.factorId)).body;
    const code = await smsCode(sms.phone);
    const before = await getChallenge(challengeId);

    await sleep(AFTER_COOLDOWN_MS);
    await failingDestination(sms.phone);
    const resend = await resendInProcess(token, challengeId);
    await deliverAgainTo(sms.phone);
    expect(resend.status).toBe(502);
    expect(resend.body).toEqual(answers.deliveryFailed);

    // The challenge is as before the attempt: same code, times and send count (only the TTL,
    // housekeeping, may have moved on by the new expiry).
    expect(await getChallenge(challengeId)).toEqual({ ...before, ttl: expect.any(Number) });
    expect((await verify({ mfaToken: token, challengeId, code })).body).toEqual(answers.authenticated);
  });

  it('a login challenge that cannot be delivered leaves no usable challenge and no spent allowance', async () => {
    const user = await account();
    const sms = await enrollSms(user); // one send of the factor's 5 per hour
    const token = await mfaToken(user.email);
    await failingDestination(sms.phone);

    // Six failures: were the allowance spent, the fifth would already be 429 rate_limited.
    const send = vi.spyOn(db, 'send');
    for (let i = 0; i < 6; i++) {
      send.mockClear();
      const failed = await startInProcess(token, sms.factorId);
      expect(failed.status).toBe(502);
      expect(failed.body).toEqual(answers.deliveryFailed);
      // The id the handler wrote (it never reached the client) is gone again, and useless.
      const written = send.mock.calls
        .map(([command]) => command.input as { Item?: { pk?: string; challengeId?: string } })
        .find((input) => input.Item?.pk?.startsWith('CHALLENGE#'));
      const challengeId = written?.Item?.challengeId as string;
      expect(challengeId).toEqual(expect.any(String));
      expect(await getChallenge(challengeId)).toBeUndefined();
      expect((await verify({ mfaToken: token, challengeId, code: '123456' })).body).toEqual(
        answers.challengeExpired,
      );
    }
    send.mockRestore();
    await deliverAgainTo(sms.phone);

    const started = await challenge(token, sms.factorId);
    expect(started.status).toBe(201);
    const code = await smsCode(sms.phone);
    expect((await verify({ mfaToken: token, challengeId: started.body.challengeId, code })).status).toBe(200);
    const events = await allEvents(user.accessToken);
    expect(events.filter((event) => event.type === 'mfa.challenge_sent')).toHaveLength(1);
  });

  it('enrolling an SMS factor to a failing number: 502, no pending factor, the number enrolls right after', async () => {
    const user = await account();
    const phone = await failingDestination(uniquePhone());
    // Ten failures: the destination's daily allowance (10) would be used up were it spent.
    for (let i = 0; i < 10; i++) {
      const failed = await call('POST', '/v1/mfa/factors', {
        token: user.accessToken,
        body: { type: 'sms', password: PASSWORD, phoneNumber: phone },
      });
      expect(failed.status).toBe(502);
      expect(failed.body).toEqual(answers.deliveryFailed);
    }
    const listed = await call('GET', '/v1/mfa/factors', { token: user.accessToken });
    expect(listed.body).toEqual({ factors: [], recoveryCodesRemaining: 0, mfaEnabled: false });
    expect((await allEvents(user.accessToken)).map((event) => event.type)).not.toContain('factor.added');
    // Only the sign-up code: no factor notice for a factor that was never added.
    expect(await subjectsTo(user.email)).toEqual([SIGNUP_CODE_SUBJECT]);

    await deliverAgainTo(phone);
    const created = await call('POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: { type: 'sms', password: PASSWORD, phoneNumber: phone },
    });
    expect(created.status).toBe(201);
    const activated = await call('POST', `/v1/mfa/factors/${created.body.factor.id}/activate`, {
      token: user.accessToken,
      body: { code: codeIn(await lastSms(phone)), challengeId: created.body.challengeId },
    });
    expect(activated.status).toBe(200);
  });

  it('enrolling an email factor to a failing address: 502 and nothing left', async () => {
    const user = await account();
    const address = await failingDestination(uniqueEmail('failing-factor'));
    const failed = await call('POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: { type: 'email', password: PASSWORD, email: address },
    });
    expect(failed.status).toBe(502);
    expect(failed.body).toEqual(answers.deliveryFailed);
    expect((await call('GET', '/v1/mfa/factors', { token: user.accessToken })).body.factors).toEqual([]);
  });

  it('changing to a failing number leaves the proof of the old one unspent', async () => {
    const user = await account();
    const old = await enrollSms(user);
    const sent = await call('POST', `/v1/mfa/factors/${old.factorId}/codes`, { token: user.accessToken });
    const verification = { challengeId: sent.body.challengeId, code: await smsCode(old.phone) };
    const next = await failingDestination(uniquePhone());
    const failed = await call('POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: { type: 'sms', password: PASSWORD, phoneNumber: next, replaces: old.factorId, verification },
    });
    expect(failed.status).toBe(502);
    await deliverAgainTo(next);
    // The same verification still works for the retry.
    const retried = await call('POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: { type: 'sms', password: PASSWORD, phoneNumber: next, replaces: old.factorId, verification },
    });
    expect(retried.status).toBe(201);
    const listed = await call('GET', '/v1/mfa/factors', { token: user.accessToken });
    expect(listed.body.factors.map((f: { status: string }) => f.status).sort()).toEqual([
      'active',
      'pending',
    ]);
  });
});
