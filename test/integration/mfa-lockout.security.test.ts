/**
 * Online guessing of the second factor (NIST SP 800-63B-4 §3.2.2, rate limiting: at most 100
 * consecutive failures; DESIGN "Limits": 10 across all factors and challenges of a user lock
 * MFA for 15 min, then growing delays, and a success resets the count):
 * - brute force of one challenge: 5 wrong codes burn it (§3.1.3.2), even the right code after;
 * - brute force across fresh challenges, resends or factors: one counter per user, so new
 *   challenges buy no guesses; the lock holds for every factor and for recovery codes too,
 *   and the account owner is emailed once;
 * - the lock expires, and the next one is longer.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { confirmFailure, type Reservation, refundAttempt } from '../../shared/db/guard.ts';
import { reserveMfaAttempt } from '../../shared/mfa/guard.ts';
import { call } from '../support/api.ts';
import {
  account,
  allEvents,
  answers,
  appCode,
  challenge,
  enrollSms,
  enrollTotp,
  mfaToken,
  otherThan,
  smsCode,
  subjectsTo,
  verify,
  wrongAppCode,
} from '../support/mfa.ts';

const LOCK_SUBJECT = 'Serverless MFA: sign-in paused after too many wrong codes';

describe('brute force of one challenge', () => {
  it('5 wrong codes burn the challenge: then even the right code is 429 too_many_attempts', async () => {
    const user = await account();
    const sms = await enrollSms(user);
    const token = await mfaToken(user.email);
    const started = await challenge(token, sms.factorId);
    const code = await smsCode(sms.phone);
    const wrong = otherThan(code);
    const challengeId = started.body.challengeId;

    const guesses = [];
    for (let i = 0; i < 5; i++) guesses.push(await verify({ mfaToken: token, challengeId, code: wrong }));
    expect(guesses.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401]);
    expect(guesses.map((answer) => answer.body)).toEqual([4, 3, 2, 1, 0].map((n) => answers.codeInvalid(n)));

    const right = await verify({ mfaToken: token, challengeId, code });
    expect(right.status).toBe(429);
    expect(right.body).toEqual(answers.tooManyAttempts);
    expect(right.headers.get('retry-after')).toBe('1');
    // A resend cannot revive it (checked before the cooldown), and a new challenge waits out the
    // factor's cooldown like a resend (after it, one can be asked for: mfa-resend tests).
    const resend = await call('POST', `/v1/mfa/challenges/${challengeId}/resend`, {
      body: { mfaToken: token },
    });
    expect(resend.body).toEqual(answers.tooManyAttempts);
    const next = await challenge(token, sms.factorId);
    expect(next.status).toBe(429);
    expect(next.body.error.code).toBe('resend_too_soon');
    expect(Number(next.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});

describe('lockout across challenges', () => {
  it('30 fresh TOTP challenges with wrong codes: locked from the 10th on, for every kind of code', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const token = await mfaToken(user.email);

    const outcomes = [];
    for (let i = 1; i <= 30; i++) {
      const started = await challenge(token, totp.factorId);
      expect(started.status).toBe(201);
      outcomes.push(
        await verify({
          mfaToken: token,
          challengeId: started.body.challengeId,
          code: wrongAppCode(totp.secret),
        }),
      );
    }
    // 1st-9th: code_invalid; attemptsRemaining is the smaller of the challenge's (4) and the
    // user's guard (10 - failures).
    expect(outcomes.slice(0, 9).map((answer) => answer.body)).toEqual(
      [4, 4, 4, 4, 4, 4, 3, 2, 1].map((n) => answers.codeInvalid(n)),
    );
    // 10th: the failure that sets the lock (15 minutes for a first lock); 11th-30th: locked.
    const tenth = outcomes[9];
    expect(tenth?.status).toBe(429);
    expect(tenth?.body).toEqual(answers.locked(900));
    expect(tenth?.headers.get('retry-after')).toBe('900');
    for (const answer of outcomes.slice(10)) {
      expect(answer.status).toBe(429);
      expect(answer.body).toEqual(answers.locked());
      expect(answer.body.error.retryAfter).toBeGreaterThan(850);
      expect(answer.body.error.retryAfter).toBeLessThanOrEqual(900);
      expect(answer.headers.get('retry-after')).toBe(String(answer.body.error.retryAfter));
    }

    // The right code is refused too, with or without a challenge, and so is a recovery code.
    const started = await challenge(token, totp.factorId);
    const rightCode = appCode(totp.secret);
    for (const attempt of [
      verify({ mfaToken: token, challengeId: started.body.challengeId, code: rightCode }),
      verify({ mfaToken: token, factorId: totp.factorId, code: rightCode }),
      call('POST', '/v1/mfa/recover', { body: { mfaToken: token, recoveryCode: totp.recoveryCodes?.[0] } }),
    ]) {
      const answer = await attempt;
      expect(answer.status).toBe(429);
      expect(answer.body).toEqual(answers.locked());
    }

    // One security email for the one lock, and the audit trail: 10 failures, 1 lock.
    expect((await subjectsTo(user.email)).filter((subject) => subject === LOCK_SUBJECT)).toHaveLength(1);
    const events = await allEvents(user.accessToken);
    expect(events.filter((event) => event.type === 'mfa.failed')).toHaveLength(10);
    expect(events.filter((event) => event.type === 'mfa.locked')).toEqual([
      expect.objectContaining({ details: { until: expect.any(String) } }),
    ]);
    expect(events.filter((event) => event.type === 'mfa.verified')).toHaveLength(0);
    // Nothing was used up meanwhile: the recovery codes are all there.
    const listed = await call('GET', '/v1/mfa/factors', { token: user.accessToken });
    expect(listed.body.recoveryCodesRemaining).toBe(10);
  });

  it('one counter across factors and code kinds: switching factor buys no guesses', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const sms = await enrollSms(user);
    const token = await mfaToken(user.email);
    const remaining = [];
    // 3 wrong TOTP codes, 3 wrong SMS codes (one challenge: a second one waits out the cooldown),
    // 3 wrong recovery codes.
    for (let i = 0; i < 3; i++) {
      const answer = await verify({
        mfaToken: token,
        factorId: totp.factorId,
        code: wrongAppCode(totp.secret),
      });
      remaining.push(answer.body.error.attemptsRemaining);
    }
    const started = await challenge(token, sms.factorId);
    const code = await smsCode(sms.phone);
    for (let i = 0; i < 3; i++) {
      const answer = await verify({
        mfaToken: token,
        challengeId: started.body.challengeId,
        code: otherThan(code),
      });
      remaining.push(answer.body.error.attemptsRemaining);
    }
    for (let i = 0; i < 3; i++) {
      const answer = await call('POST', '/v1/mfa/recover', {
        body: { mfaToken: token, recoveryCode: `ZZZZ-ZZZZ-ZZZZ-ZZZ${i}` },
      });
      remaining.push(answer.body.error.attemptsRemaining);
    }
    // The guard's count runs on through all three (9..1 left); the SMS challenge shows its own
    // count (4..2) while that is smaller.
    expect(remaining).toEqual([9, 8, 7, 4, 3, 2, 3, 2, 1]);
    const tenth = await verify({ mfaToken: token, factorId: totp.factorId, code: wrongAppCode(totp.secret) });
    expect(tenth.body).toEqual(answers.locked(900));
    expect((await subjectsTo(user.email)).filter((subject) => subject === LOCK_SUBJECT)).toHaveLength(1);
  });

  it('a success before the 10th failure resets the count', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const token = await mfaToken(user.email);
    for (let i = 0; i < 9; i++) {
      const answer = await verify({
        mfaToken: token,
        factorId: totp.factorId,
        code: wrongAppCode(totp.secret),
      });
      expect(answer.body).toEqual(answers.codeInvalid(9 - i));
    }
    expect(
      (await verify({ mfaToken: token, factorId: totp.factorId, code: appCode(totp.secret) })).body,
    ).toEqual(answers.authenticated);
    // A fresh count of 10: nine more failures are still code_invalid, the tenth locks.
    const next = await mfaToken(user.email);
    for (let i = 0; i < 9; i++) {
      const answer = await verify({
        mfaToken: next,
        factorId: totp.factorId,
        code: wrongAppCode(totp.secret),
      });
      expect(answer.body).toEqual(answers.codeInvalid(9 - i));
    }
    const tenth = await verify({ mfaToken: next, factorId: totp.factorId, code: wrongAppCode(totp.secret) });
    expect(tenth.body).toEqual(answers.locked(900));
  });
});

describe('the lock in time (the guard with an injected clock)', () => {
  // Each reservation here is a wrong code: its failure is confirmed, as checkProof does.
  const wrong = async (userId: string, at: Date) => {
    const reservation = await reserveMfaAttempt(userId, at);
    await confirmFailure(reservation);
    return reservation;
  };
  const shown = ({ remaining, lockedUntil }: Reservation) => ({
    remaining,
    ...(lockedUntil ? { lockedUntil } : {}),
  });

  it('ends after 15 minutes; the next lock lasts twice as long', async () => {
    const userId = `TEST-${randomUUID()}`;
    const start = new Date();
    const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
    for (let i = 0; i < 9; i++) await wrong(userId, start);
    expect(shown(await wrong(userId, start))).toEqual({ remaining: 0, lockedUntil: at(15) });
    await expect(reserveMfaAttempt(userId, at(14.9))).rejects.toMatchObject({
      code: 'locked',
      extra: { retryAfter: 6 },
    });
    // After the lock: one attempt counted afresh, 9 left.
    expect(shown(await wrong(userId, at(15.1)))).toEqual({ remaining: 9 });
    for (let i = 0; i < 8; i++) await wrong(userId, at(15.1));
    expect(shown(await wrong(userId, at(15.1)))).toEqual({ remaining: 0, lockedUntil: at(45.1) });
    await expect(reserveMfaAttempt(userId, at(45))).rejects.toMatchObject({ code: 'locked' });
  });

  it('race: while the attempt that would lock is undecided, the rest of its burst is told to retry (rate_limited), not locked; if it was right, nothing is locked', async () => {
    const userId = `TEST-${randomUUID()}`;
    const now = new Date();
    for (let i = 0; i < 9; i++) await wrong(userId, now);
    const last = await reserveMfaAttempt(userId, now); // the 10th: sets the lock, pending
    await expect(reserveMfaAttempt(userId, now)).rejects.toMatchObject({
      code: 'rate_limited',
      extra: { retryAfter: 1 },
    });
    await refundAttempt(last); // it was the right code
    expect(shown(await reserveMfaAttempt(userId, now))).toEqual({
      remaining: 0,
      lockedUntil: expect.any(Date),
    });
  });
});

describe('refused requests cost nothing', () => {
  it('lockout by proxy: requests refused before any code is compared (dead challenge, unknown factor) never lock the owner out', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const token = await mfaToken(user.email);
    const dead = [];
    for (let i = 0; i < 10; i++) {
      dead.push(await verify({ mfaToken: token, challengeId: '01ARZ3NDEKTSV4RRFFQ69G5FAV', code: '123456' }));
    }
    expect(dead.map((answer) => answer.body)).toEqual(Array(10).fill(answers.challengeExpired));
    const unknown = await verify({ mfaToken: token, factorId: '01ARZ3NDEKTSV4RRFFQ69G5FAV', code: '123456' });
    expect(unknown.status).toBe(404);
    // Nothing was counted: no failure events, no lock notice, and the right code still works.
    const events = await allEvents(user.accessToken);
    expect(events.filter((event) => event.type === 'mfa.failed' || event.type === 'mfa.locked')).toEqual([]);
    expect((await subjectsTo(user.email)).filter((subject) => subject === LOCK_SUBJECT)).toHaveLength(0);
    const right = await verify({ mfaToken: token, factorId: totp.factorId, code: appCode(totp.secret) });
    expect(right.status).toBe(200);
  });
});
