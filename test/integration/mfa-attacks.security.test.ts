/**
 * Attacks on the second factor, through the HTTP API with real parallel requests:
 * - double spending: one SMS code, one recovery code, one TOTP code presented many times at once
 *   (DESIGN principle 3: every state change is one conditional write or transaction), also
 *   across operations: one verification for several replacements of a factor, or one TOTP code
 *   for removing its own factor and regenerating recovery codes;
 * - parallel guessing of a pending factor's first code (attempts reserved before comparing);
 * - TOTP replay (RFC 6238 §5.2: "the verifier MUST NOT accept the second attempt of the OTP");
 * - cross use: a code or challenge carried to another challenge, another user's login, or
 *   another purpose (login / enrollment / verification);
 * - token confusion between mfaTokens, access tokens and refresh tokens;
 * - insecure direct object references: another user's factor or device id;
 * - sensitive changes without proof of a current factor;
 * - lenient code parsing (NIST SP 800-63B-4: exactly the code that was sent; DESIGN "Limits":
 *   six ASCII digits, no trimming, no full-width digits), which must not cost an attempt either.
 */
import { decodeJwt } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { handler as createFactor } from '../../functions/mfa/factors-create.ts';
import { getChallenge } from '../../shared/db/challenges.ts';
import { db } from '../../shared/db/client.ts';
import { type Answer, call, PASSWORD } from '../support/api.ts';
import {
  account,
  allEvents,
  answers,
  appCode,
  appCodeNow,
  challenge,
  enrollSms,
  enrollTotp,
  invoke,
  mfaToken,
  otherThan,
  smsCode,
  uniquePhone,
  verify,
  wrongAppCode,
} from '../support/mfa.ts';

/** Opens `count` keep-alive connections and loads the handlers, so a burst really overlaps. */
async function warmUp(count: number) {
  await Promise.all(Array.from({ length: count }, () => call('GET', '/v1/health')));
  // 400s: validation answers before anything is read or counted.
  await call('POST', '/v1/mfa/verify', { body: {} });
  await call('POST', '/v1/mfa/recover', { body: {} });
}

function tally(all: Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of all) {
    const key = `${answer.status} ${answer.body?.error?.code ?? answer.body?.status}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe('double spending under parallel requests', () => {
  it('race: 20 parallel verifies of ONE SMS code give exactly one session', async () => {
    const user = await account();
    const sms = await enrollSms(user);
    const token = await mfaToken(user.email);
    const started = await challenge(token, sms.factorId);
    const code = await smsCode(sms.phone);
    await warmUp(20);

    const all = await Promise.all(
      Array.from({ length: 20 }, () =>
        verify({ mfaToken: token, challengeId: started.body.challengeId, code }),
      ),
    );
    console.log('20 parallel verifies of one SMS code:', tally(all));

    const won = all.filter((answer) => answer.status === 200);
    expect(won).toHaveLength(1);
    expect(won[0]?.body).toEqual(answers.authenticated);
    // The split of the 19 others depends on timing; each refusal has one exact meaning:
    // - 401 mfa_token_invalid: arrived after the winner's transaction deleted the login (single use);
    // - 410 challenge_expired: held one of the 5 reserved attempts but lost the transaction that
    //   marks the challenge used, or arrived after it was used;
    // - 429 too_many_attempts: the challenge's 5 attempts were all reserved (not yet used);
    // - 429 locked: the user's guard had its 10 attempts in flight (it counts before it checks),
    //   or this request held the 10th and its challenge was refused (that attempt set the lock;
    //   the winner's success then clears it).
    // A right code is never answered code_invalid. With all 20 in flight together (as here,
    // after the warm-up) that is 10 or 11 locked, and 9 or 8 split between 410 and 429.
    // Whatever the timing: at most 10 guard attempts pass before the winner clears them.
    const refusals: Record<string, unknown> = {
      mfa_token_invalid: answers.mfaTokenInvalid,
      challenge_expired: answers.challengeExpired,
      too_many_attempts: answers.tooManyAttempts,
      locked: answers.locked(),
    };
    for (const lost of all.filter((answer) => answer.status !== 200)) {
      expect(Object.keys(refusals)).toContain(lost.body.error.code);
      expect(lost.body).toEqual(refusals[lost.body.error.code]);
    }
    expect(all.filter((a) => a.body.error?.code === 'locked').length).toBeLessThanOrEqual(11);
    // The challenge itself: used, and never more than its 5 attempts reserved.
    const stored = await getChallenge(started.body.challengeId);
    expect(stored?.usedAt).toEqual(expect.any(String));
    expect(stored?.attempts).toBeLessThanOrEqual(5);

    // Exactly one session: one aal-2 session.created event, and the one refresh token works.
    const session = won[0]?.body;
    const events = await allEvents(session.accessToken);
    expect(events.filter((e) => e.type === 'session.created' && e.details.aal === 2)).toHaveLength(1);
    expect(events.filter((e) => e.type === 'mfa.verified')).toHaveLength(1);
    const refreshed = await call('POST', '/v1/sessions/refresh', {
      body: { refreshToken: session.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    // The code is spent for good: the challenge answers 410 even to a fresh login of the user.
    const next = await mfaToken(user.email);
    expect((await verify({ mfaToken: next, challengeId: started.body.challengeId, code })).body).toEqual(
      answers.challengeExpired,
    );
    // And the burst left the user able to log in: the winner's success cleared the guard. The
    // factor's code was used, so its next one goes out at once (no resend cooldown).
    const fresh = await challenge(next, sms.factorId);
    expect(fresh.status).toBe(201);
    expect(
      (await verify({ mfaToken: next, challengeId: fresh.body.challengeId, code: await smsCode(sms.phone) }))
        .body,
    ).toEqual(answers.authenticated);
  });

  it('race: 20 parallel recovery-code regenerations with ONE /codes challenge code (no login involved) → exactly one 201, the challenge spent', async () => {
    // The test above shares one mfaToken, so the login's single use alone would stop the
    // others; here nothing but the challenge itself (purpose verify) can stop a second use.
    const user = await account();
    const sms = await enrollSms(user);
    const sent = await call('POST', `/v1/mfa/factors/${sms.factorId}/codes`, { token: user.accessToken });
    expect(sent.status).toBe(201);
    const verification = { challengeId: sent.body.challengeId, code: await smsCode(sms.phone) };
    await warmUp(20);

    const all = await Promise.all(
      Array.from({ length: 20 }, () =>
        call('POST', '/v1/mfa/recovery-codes', { token: user.accessToken, body: { verification } }),
      ),
    );
    console.log('20 parallel regenerations with one /codes code:', tally(all));

    const won = all.filter((answer) => answer.status === 201);
    expect(won).toHaveLength(1);
    // The others: 410 (held one of the 5 reserved attempts but lost the transaction that marks
    // the challenge used, or came after it), or 429 too_many_attempts (the 5 were all reserved).
    // The challenge's 5 attempts come before the user's guard (10), so never `locked`.
    for (const lost of all.filter((answer) => answer.status !== 201)) {
      expect([410, 429]).toContain(lost.status);
      expect(lost.body).toEqual(lost.status === 410 ? answers.challengeExpired : answers.tooManyAttempts);
    }
    const stored = await getChallenge(sent.body.challengeId);
    expect(stored?.usedAt).toEqual(expect.any(String));
    expect(stored?.attempts).toBeLessThanOrEqual(5);

    // One new set: the winner's codes work, the enrollment's do not, and one event says so.
    const fresh = won[0]?.body.recoveryCodes as string[];
    const old = await call('POST', '/v1/mfa/recover', {
      body: { mfaToken: await mfaToken(user.email), recoveryCode: sms.recoveryCodes?.[0] },
    });
    // A code of a replaced set is known as spent: refused, and no failure is counted for it.
    expect(old.body).toEqual(answers.alreadyUsed);
    const current = await call('POST', '/v1/mfa/recover', {
      body: { mfaToken: await mfaToken(user.email), recoveryCode: fresh[0] },
    });
    expect(current.body).toEqual({ ...answers.authenticated, recoveryCodesRemaining: 9 });
    const events = await allEvents(current.body.accessToken);
    // The first set came with the factor; exactly one more.
    expect(events.filter((e) => e.type === 'recovery_codes.generated')).toHaveLength(2);
    // Spent for good: the same verification once more is 410.
    const again = await call('POST', '/v1/mfa/recovery-codes', {
      token: user.accessToken,
      body: { verification },
    });
    expect(again.body).toEqual(answers.challengeExpired);
  });

  it('race: ONE recovery code sent with 20 logins at once works exactly once', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const recoveryCode = totp.recoveryCodes?.[0];
    // One after the other: 20 correct passwords (the password guard counts in-flight attempts too).
    const tokens: string[] = [];
    for (let i = 0; i < 20; i++) tokens.push(await mfaToken(user.email));
    await warmUp(20);

    const all = await Promise.all(
      tokens.map((token) => call('POST', '/v1/mfa/recover', { body: { mfaToken: token, recoveryCode } })),
    );
    console.log('20 parallel recoveries with one code:', tally(all));

    const won = all.filter((answer) => answer.status === 200);
    expect(won).toHaveLength(1);
    expect(won[0]?.body).toEqual({ ...answers.authenticated, recoveryCodesRemaining: 9 });
    // The others: code_invalid (the code was already gone, or their transaction lost the
    // `contains` condition), or rate_limited (the surplus of the burst, told to retry in a
    // second). Never locked: a right code is no failure, however many times it is sent.
    for (const lost of all.filter((answer) => answer.status !== 200)) {
      expect([401, 429]).toContain(lost.status);
      // A loser of the transaction hears code_invalid; one that read the set after the win hears
      // "already used" (the code is known as spent, so it counts as no failure either).
      expect([
        answers.codeInvalid(0),
        answers.alreadyUsed,
        { error: { code: 'rate_limited', message: 'Too many requests.', retryAfter: 1 } },
      ]).toContainEqual(lost.body);
    }
    const listed = await call('GET', '/v1/mfa/factors', { token: won[0]?.body.accessToken });
    expect(listed.body.recoveryCodesRemaining).toBe(9);
    const events = await allEvents(won[0]?.body.accessToken);
    expect(events.filter((e) => e.type === 'recovery_code.used')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'session.created' && e.details.aal === 2)).toHaveLength(1);
  });

  it('race: ONE recovery code as the verification of 5 parallel regenerations works once', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const recoveryCode = totp.recoveryCodes?.[0];
    const all = await Promise.all(
      Array.from({ length: 5 }, () =>
        call('POST', '/v1/mfa/recovery-codes', {
          token: user.accessToken,
          body: { verification: { recoveryCode } },
        }),
      ),
    );
    const won = all.filter((answer) => answer.status === 201);
    expect(won).toHaveLength(1);
    for (const lost of all.filter((answer) => answer.status !== 201)) {
      expect([answers.codeInvalid(0), answers.alreadyUsed]).toContainEqual(lost.body);
    }
    // The winner's codes are the set now: the old ones, including the one used, are gone.
    const fresh = won[0]?.body.recoveryCodes as string[];
    expect(
      (await call('GET', '/v1/mfa/factors', { token: user.accessToken })).body.recoveryCodesRemaining,
    ).toBe(10);
    const old = await call('POST', '/v1/mfa/recover', {
      body: { mfaToken: await mfaToken(user.email), recoveryCode: totp.recoveryCodes?.[1] },
    });
    expect(old.body).toEqual(answers.alreadyUsed);
    const current = await call('POST', '/v1/mfa/recover', {
      body: { mfaToken: await mfaToken(user.email), recoveryCode: fresh[0] },
    });
    expect(current.status).toBe(200);
  });

  it('replay: the same TOTP code twice in a row is refused the second time', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const code = appCode(totp.secret);
    const first = await verify({ mfaToken: await mfaToken(user.email), factorId: totp.factorId, code });
    expect(first.body).toEqual(answers.authenticated);
    expect(decodeJwt(first.body.accessToken)).toMatchObject({ aal: 2, amr: ['pwd', 'otp', 'mfa'] });

    const replay = await verify({ mfaToken: await mfaToken(user.email), factorId: totp.factorId, code });
    // Refused as used; and no failure is counted: a used code is no guess (and a double click
    // or a retry must not lock its owner out).
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual(answers.alreadyUsed);
    // Through a TOTP challenge as well: the step is recorded on the factor, not the challenge.
    const token = await mfaToken(user.email);
    const started = await challenge(token, totp.factorId);
    expect((await verify({ mfaToken: token, challengeId: started.body.challengeId, code })).body).toEqual(
      answers.alreadyUsed,
    );
    // Nothing was counted: a wrong code now still has all ten (and the challenge all five) tries.
    const wrong = await verify({
      mfaToken: token,
      challengeId: started.body.challengeId,
      code: wrongAppCode(totp.secret),
    });
    expect(wrong.body).toEqual(answers.codeInvalid(5 - 1));
  });

  it('replay: the same TOTP code sent twice in parallel gives exactly one session', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const code = appCode(totp.secret);
    const tokens = [await mfaToken(user.email), await mfaToken(user.email)];
    const all = await Promise.all(
      tokens.map((token) => verify({ mfaToken: token, factorId: totp.factorId, code })),
    );
    expect(all.map((answer) => answer.status).sort()).toEqual([200, 401]);
    // The loser either read the factor after the winner recorded the step (a replay of a used
    // code) or lost the transaction's `lastTotpStep < :step` condition: "already used" both
    // ways, and never a counted failure.
    const lost = all.find((answer) => answer.status === 401)?.body;
    expect(lost).toEqual(answers.alreadyUsed);
  });
});

describe('one proof, one use, across different operations', () => {
  it('race: 3 parallel replacements of ONE SMS factor with ONE verification → exactly one 201; the losers leave no factor or challenge behind', async () => {
    const user = await account();
    const old = await enrollSms(user);
    const sent = await call('POST', `/v1/mfa/factors/${old.factorId}/codes`, { token: user.accessToken });
    const verification = { challengeId: sent.body.challengeId, code: await smsCode(old.phone) };
    const phones = [uniquePhone(), uniquePhone(), uniquePhone()];

    // In process, so that the ids each request wrote (and never answered) can be seen.
    const send = vi.spyOn(db, 'send');
    const all = await Promise.all(
      phones.map((phoneNumber) =>
        invoke(createFactor, 'POST', '/v1/mfa/factors', {
          token: user.accessToken,
          body: { type: 'sms', password: PASSWORD, phoneNumber, replaces: old.factorId, verification },
        }),
      ),
    );
    const written = send.mock.calls.flatMap(([command]) => {
      const input = command.input as {
        Item?: Record<string, string>;
        TransactItems?: { Put?: { Item?: Record<string, string> } }[];
      };
      return [input.Item, ...(input.TransactItems ?? []).map((item) => item.Put?.Item)];
    });
    send.mockRestore();
    console.log('3 parallel replacements with one verification:', tally(all));

    const won = all.filter((answer) => answer.status === 201);
    expect(won).toHaveLength(1);
    for (const lost of all.filter((answer) => answer.status !== 201)) {
      expect(lost.status).toBe(410);
      expect(lost.body).toEqual(answers.challengeExpired);
    }
    const winner = won[0]?.body;

    // The user's factors: the old active one and the winner's pending one, nothing else.
    const listed = await call('GET', '/v1/mfa/factors', { token: user.accessToken });
    expect(listed.body.factors.map((f: { id: string; status: string }) => [f.id, f.status]).sort()).toEqual(
      [
        [old.factorId, 'active'],
        [winner.factor.id, 'pending'],
      ].sort(),
    );
    // Every factor and enrollment challenge a loser wrote is gone: its id activates nothing,
    // even with the code its phone received.
    const factorIds = written
      .filter((item) => item?.sk?.startsWith('FACTOR#') && item.status === 'pending')
      .map((item) => item?.factorId as string);
    const challengeIds = written
      .filter((item) => item?.pk?.startsWith('CHALLENGE#') && item.purpose === 'enroll')
      .map((item) => item?.challengeId as string);
    expect(factorIds).toContain(winner.factor.id);
    expect(challengeIds).toContain(winner.challengeId);
    for (const factorId of factorIds.filter((id) => id !== winner.factor.id)) {
      const activated = await call('POST', `/v1/mfa/factors/${factorId}/activate`, {
        token: user.accessToken,
        body: { code: '123456' },
      });
      expect(activated.status).toBe(404);
      expect(activated.body).toEqual(answers.notFound);
    }
    for (const challengeId of challengeIds.filter((id) => id !== winner.challengeId)) {
      expect(await getChallenge(challengeId)).toBeUndefined();
    }
    // The winner's change goes through.
    const phone = phones[all.findIndex((answer) => answer.status === 201)] as string;
    const activated = await call('POST', `/v1/mfa/factors/${winner.factor.id}/activate`, {
      token: user.accessToken,
      body: { code: await smsCode(phone), challengeId: winner.challengeId },
    });
    expect(activated.status).toBe(200);
    const after = await call('GET', '/v1/mfa/factors', { token: user.accessToken });
    expect(after.body.factors.map((f: { id: string }) => f.id)).toEqual([winner.factor.id]);
  });

  it('race: ONE TOTP code of factor A as the verification of deleting A and of new recovery codes, in parallel → exactly one succeeds', async () => {
    // The Delete of A cannot also record A's step in the same transaction; the step check sits
    // in the Delete's condition instead, so the code still works once (RFC 6238 §5.2).
    const rounds = await Promise.all(
      [0, 1, 2].map(async () => {
        const user = await account();
        const a = await enrollTotp(user);
        const b = await enrollTotp(user);
        const verification = { factorId: a.factorId, code: appCode(a.secret) };
        const [removed, regenerated] = await Promise.all([
          call('DELETE', `/v1/mfa/factors/${a.factorId}`, {
            token: user.accessToken,
            body: { verification },
          }),
          call('POST', '/v1/mfa/recovery-codes', { token: user.accessToken, body: { verification } }),
        ]);
        return { user, a, b, removed, regenerated };
      }),
    );
    for (const { user, a, b, removed, regenerated } of rounds) {
      const outcome = [removed.status, regenerated.status];
      expect([
        [204, 401],
        [204, 404],
        [401, 201],
      ]).toContainEqual(outcome);
      const lost = removed.status === 204 ? regenerated : removed;
      // Already used (the step, or the factor, was taken by the other write).
      expect(['code_invalid', 'not_found']).toContain(lost.body.error.code);

      const listed = await call('GET', '/v1/mfa/factors', { token: user.accessToken });
      const recovered = await call('POST', '/v1/mfa/recover', {
        body: { mfaToken: await mfaToken(user.email), recoveryCode: a.recoveryCodes?.[0] },
      });
      if (removed.status === 204) {
        // Removed, and the recovery codes shown at enrollment are still the set.
        expect(listed.body.factors.map((f: { id: string }) => f.id)).toEqual([b.factorId]);
        expect(recovered.body).toEqual({ ...answers.authenticated, recoveryCodesRemaining: 9 });
      } else {
        // New codes, and A is still there; an old code is known as spent (not counted).
        expect(listed.body.factors.map((f: { id: string }) => f.id).sort()).toEqual(
          [a.factorId, b.factorId].sort(),
        );
        expect(recovered.body).toEqual(answers.alreadyUsed);
      }
    }
  });
});

describe('guessing the first code of a pending factor', () => {
  it('attack: 20 parallel wrong codes on a pending TOTP factor → 5 answered 401, the rest 429; then the right code → 429', async () => {
    const user = await account();
    const created = await call('POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: { type: 'totp', password: PASSWORD },
    });
    const { secret } = created.body;
    const path = `/v1/mfa/factors/${created.body.factor.id}/activate`;
    await warmUp(20);

    const all = await Promise.all(
      Array.from({ length: 20 }, () =>
        call('POST', path, { token: user.accessToken, body: { code: wrongAppCode(secret) } }),
      ),
    );
    console.log('20 parallel wrong first codes:', tally(all));
    // Each attempt is reserved before the code is compared: at most 5, however many at once.
    const compared = all.filter((answer) => answer.status === 401);
    expect(compared.length).toBeLessThanOrEqual(5);
    for (const answer of compared) expect(answer.body).toEqual(answers.codeInvalid());
    // One reserved attempt each: 4, 3, 2, … left, never the same count twice.
    const remaining = compared.map((answer) => answer.body.error.attemptsRemaining as number);
    expect(remaining.sort()).toEqual([4, 3, 2, 1, 0].slice(0, compared.length).sort());
    for (const answer of all.filter((a) => a.status !== 401)) {
      expect(answer.status).toBe(429);
      expect(answer.body).toEqual(answers.tooManyAttempts);
    }

    const right = await call('POST', path, { token: user.accessToken, body: { code: appCode(secret) } });
    expect(right.status).toBe(429);
    expect(right.body).toEqual(answers.tooManyAttempts);
    const listed = await call('GET', '/v1/mfa/factors', { token: user.accessToken });
    expect(listed.body).toEqual({
      factors: [expect.objectContaining({ id: created.body.factor.id, status: 'pending' })],
      recoveryCodesRemaining: 0,
      mfaEnabled: false,
    });
  });
});

describe('cross use of codes and challenges', () => {
  it('a code of one challenge does not work on another: it is just a wrong code there', async () => {
    const user = await account();
    const sms = await enrollSms(user);
    // Two phones: a second challenge for the same factor would void the first.
    const other = await enrollSms(user);
    const token = await mfaToken(user.email);
    const first = await challenge(token, sms.factorId);
    const firstCode = await smsCode(sms.phone);
    const second = await challenge(token, other.factorId);
    const secondCode = await smsCode(other.phone);
    // Codes are digested with their challenge id. The second challenge is live and this user's,
    // so the first code is a wrong guess there (401, counted), not a 410.
    const carried = await verify({ mfaToken: token, challengeId: second.body.challengeId, code: firstCode });
    expect(carried.body).toEqual(answers.codeInvalid(secondCode === firstCode ? expect.anything() : 4));
    // Nothing consumed: the first challenge still takes its own code.
    const own = await verify({ mfaToken: token, challengeId: first.body.challengeId, code: firstCode });
    expect(own.body).toEqual(answers.authenticated);
  });

  it("user B's mfaToken cannot verify user A's challenge, and spends none of its attempts", async () => {
    const alice = await account();
    const aliceSms = await enrollSms(alice);
    const bob = await account();
    await enrollSms(bob);
    const aliceToken = await mfaToken(alice.email);
    const started = await challenge(aliceToken, aliceSms.factorId);
    const code = await smsCode(aliceSms.phone);

    const stolen = await verify({
      mfaToken: await mfaToken(bob.email),
      challengeId: started.body.challengeId,
      code,
    });
    expect(stolen.status).toBe(410);
    expect(stolen.body).toEqual(answers.challengeExpired);
    // Alice's challenge: all 5 attempts left, and her code still works.
    const wrong = await verify({
      mfaToken: aliceToken,
      challengeId: started.body.challengeId,
      code: otherThan(code),
    });
    expect(wrong.body).toEqual(answers.codeInvalid(4));
    expect(
      (await verify({ mfaToken: aliceToken, challengeId: started.body.challengeId, code })).body,
    ).toEqual(answers.authenticated);
  });

  it('a challenge of another login of the same user is refused', async () => {
    const user = await account();
    const sms = await enrollSms(user);
    const first = await mfaToken(user.email);
    const started = await challenge(first, sms.factorId);
    const code = await smsCode(sms.phone);
    const other = await verify({
      mfaToken: await mfaToken(user.email),
      challengeId: started.body.challengeId,
      code,
    });
    expect(other.body).toEqual(answers.challengeExpired);
    expect((await verify({ mfaToken: first, challengeId: started.body.challengeId, code })).status).toBe(200);
  });

  it('an enrollment challenge (pending factor) used at login is refused; the factor still activates', async () => {
    const user = await account();
    await enrollTotp(user);
    const phone = uniquePhone();
    const created = await call('POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: { type: 'sms', password: PASSWORD, phoneNumber: phone },
    });
    const code = await smsCode(phone);
    const atLogin = await verify({
      mfaToken: await mfaToken(user.email),
      challengeId: created.body.challengeId,
      code,
    });
    expect(atLogin.status).toBe(410);
    expect(atLogin.body).toEqual(answers.challengeExpired);
    const activated = await call('POST', `/v1/mfa/factors/${created.body.factor.id}/activate`, {
      token: user.accessToken,
      body: { code, challengeId: created.body.challengeId },
    });
    expect(activated.status).toBe(200);
    expect(activated.body.factor.status).toBe('active');
  });

  it('a verification challenge (/codes) used at login is refused; it still works as a verification', async () => {
    const user = await account();
    const sms = await enrollSms(user);
    const sent = await call('POST', `/v1/mfa/factors/${sms.factorId}/codes`, { token: user.accessToken });
    expect(sent.status).toBe(201);
    const code = await smsCode(sms.phone);
    const atLogin = await verify({
      mfaToken: await mfaToken(user.email),
      challengeId: sent.body.challengeId,
      code,
    });
    expect(atLogin.body).toEqual(answers.challengeExpired);
    const regenerated = await call('POST', '/v1/mfa/recovery-codes', {
      token: user.accessToken,
      body: { verification: { challengeId: sent.body.challengeId, code } },
    });
    expect(regenerated.status).toBe(201);
  });

  it('a login challenge used as a verification is refused; it still completes the login', async () => {
    const user = await account();
    const sms = await enrollSms(user);
    const token = await mfaToken(user.email);
    const started = await challenge(token, sms.factorId);
    const code = await smsCode(sms.phone);
    const asVerification = await call('POST', '/v1/mfa/recovery-codes', {
      token: user.accessToken,
      body: { verification: { challengeId: started.body.challengeId, code } },
    });
    expect(asVerification.status).toBe(410);
    expect(asVerification.body).toEqual(answers.challengeExpired);
    const removal = await call('DELETE', `/v1/mfa/factors/${sms.factorId}`, {
      token: user.accessToken,
      body: { verification: { challengeId: started.body.challengeId, code } },
    });
    expect(removal.body).toEqual(answers.challengeExpired);
    expect((await verify({ mfaToken: token, challengeId: started.body.challengeId, code })).body).toEqual(
      answers.authenticated,
    );
  });
});

describe('token confusion', () => {
  it('an mfaToken is not a bearer token', async () => {
    const user = await account();
    await enrollTotp(user);
    const token = await mfaToken(user.email);
    const listed = await call('GET', '/v1/mfa/factors', { token });
    expect(listed.status).toBe(401);
    expect(listed.body).toEqual(answers.unauthorized);
    // Sent as a raw Authorization header too.
    const raw = await call('GET', '/v1/mfa/factors', { headers: { authorization: `Bearer ${token}` } });
    expect(raw.body).toEqual(answers.unauthorized);
  });

  it('an access token or a refresh token is not an mfaToken', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const code = appCode(totp.secret);
    for (const wrongKind of [user.accessToken, user.refreshToken]) {
      const answer = await verify({ mfaToken: wrongKind, factorId: totp.factorId, code });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(answers.mfaTokenInvalid);
    }
    // Nothing was checked or spent: the code still completes a real login.
    expect(
      (await verify({ mfaToken: await mfaToken(user.email), factorId: totp.factorId, code })).status,
    ).toBe(200);
  });

  it('an mfaToken works for one login only', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const token = await mfaToken(user.email);
    expect(
      (await verify({ mfaToken: token, factorId: totp.factorId, code: appCode(totp.secret) })).status,
    ).toBe(200);
    const again = await verify({
      mfaToken: token,
      factorId: totp.factorId,
      code: await appCodeNow(totp.secret, -1),
    });
    expect(again.status).toBe(401);
    expect(again.body).toEqual(answers.mfaTokenInvalid);
    expect((await challenge(token, totp.factorId)).body).toEqual(answers.mfaTokenInvalid);
    const recovered = await call('POST', '/v1/mfa/recover', {
      body: { mfaToken: token, recoveryCode: totp.recoveryCodes?.[0] },
    });
    expect(recovered.body).toEqual(answers.mfaTokenInvalid);
  });
});

describe("another user's ids", () => {
  it("another user's factor and device ids answer 404 everywhere and change nothing", async () => {
    const alice = await account();
    const aliceTotp = await enrollTotp(alice);
    const aliceSms = await enrollSms(alice);
    const aliceToken = await mfaToken(alice.email);
    const remembered = await verify({
      mfaToken: aliceToken,
      factorId: aliceTotp.factorId,
      code: appCode(aliceTotp.secret),
      rememberDevice: true,
    });
    const aliceDevices = await call('GET', '/v1/mfa/devices', { token: remembered.body.accessToken });
    const deviceId = aliceDevices.body.devices[0].id;

    const bob = await account();
    const bobTotp = await enrollTotp(bob);
    const bobToken = await mfaToken(bob.email);
    const bearer = { token: bob.accessToken };

    const attempts = [
      await challenge(bobToken, aliceSms.factorId),
      await challenge(bobToken, aliceTotp.factorId),
      await verify({
        mfaToken: bobToken,
        factorId: aliceTotp.factorId,
        code: await appCodeNow(aliceTotp.secret, -1),
      }),
      await call('POST', `/v1/mfa/factors/${aliceSms.factorId}/activate`, {
        ...bearer,
        body: { code: '123456' },
      }),
      await call('POST', `/v1/mfa/factors/${aliceSms.factorId}/codes`, bearer),
      await call('POST', `/v1/mfa/factors/${aliceSms.factorId}/resend`, bearer),
      await call('DELETE', `/v1/mfa/factors/${aliceTotp.factorId}`, {
        ...bearer,
        body: { verification: { factorId: bobTotp.factorId, code: appCode(bobTotp.secret) } },
      }),
      await call('DELETE', `/v1/mfa/devices/${deviceId}`, bearer),
    ];
    for (const answer of attempts) {
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual(answers.notFound);
    }
    // Bob's probing sent nothing to Alice's phone and left her factors and device alone.
    const aliceNow = await call('GET', '/v1/mfa/factors', { token: alice.accessToken });
    expect(aliceNow.body.factors.map((f: { id: string; status: string }) => [f.id, f.status])).toEqual(
      expect.arrayContaining([
        [aliceTotp.factorId, 'active'],
        [aliceSms.factorId, 'active'],
      ]),
    );
    expect((await call('GET', '/v1/mfa/devices', { token: alice.accessToken })).body.devices).toHaveLength(1);
  });
});

describe('changes without a verification', () => {
  it('removing a factor and regenerating recovery codes need a right verification; nothing changes', async () => {
    const user = await account();
    // An aal 1 token from before MFA was on: what the password alone gets (a fresh aal 2 one
    // would stand in for the proof; see step-up.security.test.ts).
    const stolen = user.accessToken;
    const totp = await enrollTotp(user);
    const sms = await enrollSms(user);
    const bearer = { token: stolen };

    const noProof = [
      await call('DELETE', `/v1/mfa/factors/${sms.factorId}`, { ...bearer, body: {} }),
      await call('POST', '/v1/mfa/recovery-codes', { ...bearer, body: {} }),
    ];
    for (const answer of noProof) {
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual(answers.verificationRequired);
    }

    const wrong = { verification: { factorId: totp.factorId, code: wrongAppCode(totp.secret) } };
    const wrongRecovery = { verification: { recoveryCode: 'AAAA-BBBB-CCCC-DDDD' } };
    const badProof = [
      await call('DELETE', `/v1/mfa/factors/${sms.factorId}`, { ...bearer, body: wrong }),
      await call('POST', '/v1/mfa/recovery-codes', { ...bearer, body: wrong }),
      await call('DELETE', `/v1/mfa/factors/${sms.factorId}`, { ...bearer, body: wrongRecovery }),
      await call('POST', '/v1/mfa/recovery-codes', { ...bearer, body: wrongRecovery }),
    ];
    // Counted on the user's one guard: 9, 8, 7, 6 left.
    expect(badProof.map((answer) => answer.status)).toEqual([401, 401, 401, 401]);
    expect(badProof.map((answer) => answer.body)).toEqual([9, 8, 7, 6].map((n) => answers.codeInvalid(n)));

    const listed = await call('GET', '/v1/mfa/factors', bearer);
    expect(listed.body).toEqual({
      factors: expect.arrayContaining([
        expect.objectContaining({ id: totp.factorId, status: 'active' }),
        expect.objectContaining({ id: sms.factorId, status: 'active' }),
      ]),
      recoveryCodesRemaining: 10,
      mfaEnabled: true,
    });
    // The original recovery codes still work.
    const recovered = await call('POST', '/v1/mfa/recover', {
      body: { mfaToken: await mfaToken(user.email), recoveryCode: totp.recoveryCodes?.[0] },
    });
    expect(recovered.body).toEqual({ ...answers.authenticated, recoveryCodesRemaining: 9 });
  });
});

describe('code formats', () => {
  // Each is refused by the schema before anything is read or counted.
  const malformed: [string, unknown][] = [
    ['a leading space', ' 123456'],
    ['a trailing space', '123456 '],
    ['full-width digits', '１２３４５６'],
    ['a JSON number', 123456],
    ['seven digits', '1234567'],
    ['five digits', '12345'],
    ['a letter', '12345a'],
  ];

  it.each(malformed)('%s is 400 invalid_request naming body.code, and costs no attempt', async (_, code) => {
    const user = await account();
    const sms = await enrollSms(user);
    const token = await mfaToken(user.email);
    const started = await challenge(token, sms.factorId);
    const real = await smsCode(sms.phone);

    for (const body of [
      { mfaToken: token, challengeId: started.body.challengeId, code },
      { mfaToken: token, factorId: sms.factorId, code },
    ]) {
      const answer = await verify(body);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({
        error: {
          code: 'invalid_request',
          message: 'The request is not valid.',
          details: [{ path: 'body.code', message: expect.any(String) }],
        },
      });
    }
    // Not counted: the next wrong code is the challenge's first (4 left) and the guard's first.
    const next = await verify({
      mfaToken: token,
      challengeId: started.body.challengeId,
      code: otherThan(real),
    });
    expect(next.body).toEqual(answers.codeInvalid(4));
    // Even a code that is right once trimmed or narrowed was refused, not accepted.
    expect(
      (await verify({ mfaToken: token, challengeId: started.body.challengeId, code: real })).status,
    ).toBe(200);
  });
});
