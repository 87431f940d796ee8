/**
 * Time-sync help for authenticator apps (issue 11): a wrong TOTP code that the factor would have
 * accepted at another 30-second step within ±10 minutes answers 401 `code_invalid` with
 * `clockSkewSeconds` ((matched step − current step) × 30: positive when the phone is ahead). It
 * is a wrong code all the same, counted like any (`attemptsRemaining` goes down), at login, at
 * activation and in a step-up `verification`. Codes come from oathtool, independently of the
 * service's own TOTP code.
 *
 * The attack the hint opens, and its answer: someone guessing codes with a stolen password who
 * is told "right in 180 s" would send the same code again 180 s later, so every future step of
 * the next 10 minutes would be a target instead of the current two (an elevenfold better guess).
 * A future step disclosed that way is burned: it is never accepted, not even by a write that
 * raced the read. Past steps tell nothing usable and stay as they are.
 */
import { describe, expect, it } from 'vitest';
import { acceptTotpStep, getFactor } from '../../shared/db/factors.ts';
import { transact } from '../../shared/db/transact.ts';
import { findUserById, type User } from '../../shared/db/users.ts';
import { checkProof } from '../../shared/mfa/proof.ts';
import { totpStep } from '../../shared/mfa/totp.ts';
import { call, PASSWORD } from '../support/api.ts';
import { account, answers, enrollTotp, mfaToken, oathCode, verify, wrongAppCode } from '../support/mfa.ts';

const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000);

/** `code_invalid` with the hint; a step boundary may pass between the test's clock and the server's. */
const skewed = (attemptsRemaining: number, seconds: number) => ({
  error: {
    code: 'code_invalid',
    message: 'The code is not valid.',
    attemptsRemaining,
    clockSkewSeconds: expect.toBeOneOf([seconds, seconds - 30]),
  },
});

describe('clockSkewSeconds at login (POST /v1/mfa/verify)', () => {
  it.each<[string, number | undefined, number | undefined]>([
    ['a code from 3 minutes ahead (the phone is fast)', 180, 180],
    ['a code from 3 minutes behind (the phone is slow)', -180, -180],
    ['a code from a minute ahead', 60, 60],
    ['a code from 20 minutes ahead: no hint, a typo as likely as a clock', 1200, undefined],
    ['a code from 20 minutes behind: no hint', -1200, undefined],
    ['a random wrong code: no hint', undefined, undefined],
  ])('%s → 401 code_invalid, counted like any wrong code', async (_, offset, hint) => {
    const user = await account();
    const totp = await enrollTotp(user);
    const token = await mfaToken(user.email);
    const first = await verify({ mfaToken: token, factorId: totp.factorId, code: wrongAppCode(totp.secret) });
    expect(first.body).toEqual(answers.codeInvalid(9));

    const code = offset === undefined ? wrongAppCode(totp.secret) : oathCode(totp.secret, inSeconds(offset));
    const answer = await verify({ mfaToken: token, factorId: totp.factorId, code });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(hint === undefined ? answers.codeInvalid(8) : skewed(8, hint));

    // With the clock fixed, the code of now signs in: a burned future step takes nothing else.
    const fixed = await verify({
      mfaToken: token,
      factorId: totp.factorId,
      code: oathCode(totp.secret, new Date()),
    });
    expect(fixed.body).toEqual(answers.authenticated);
  });
});

describe('clockSkewSeconds elsewhere a TOTP code is checked', () => {
  it('activating a new authenticator app with a code from 3 minutes ahead → the hint, one of 5 first-code attempts spent', async () => {
    const user = await account();
    const created = await call('POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: { type: 'totp', password: PASSWORD },
    });
    const activate = (code: string) =>
      call('POST', `/v1/mfa/factors/${created.body.factor.id}/activate`, {
        token: user.accessToken,
        body: { code },
      });
    const wrong = await activate(oathCode(created.body.secret, inSeconds(180)));
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual(skewed(4, 180));
    expect((await activate(wrongAppCode(created.body.secret))).body).toEqual(answers.codeInvalid(3));
    const activated = await activate(oathCode(created.body.secret, new Date()));
    expect(activated.status).toBe(200);
    expect(activated.body.factor.status).toBe('active');
  });

  it('a step-up verification (new recovery codes) with a code from 3 minutes behind → the hint, nothing created', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const answer = await call('POST', '/v1/mfa/recovery-codes', {
      token: user.accessToken,
      body: { verification: { factorId: totp.factorId, code: oathCode(totp.secret, inSeconds(-180)) } },
    });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(skewed(9, -180));
    // The first set still works: nothing was regenerated.
    const recovered = await call('POST', '/v1/mfa/recover', {
      body: { mfaToken: await mfaToken(user.email), recoveryCode: totp.recoveryCodes?.[0] },
    });
    expect(recovered.body.recoveryCodesRemaining).toBe(9);
  });
});

describe('the hint is not a head start for a guesser (an injected clock)', () => {
  const context = { ip: '203.0.113.9', userAgent: 'vitest' };
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error,
    );

  it('attack: a lucky guess told "right in 180 s" is sent again when its time comes → refused as used; the steps around it still work', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const profile = (await findUserById(user.userId)) as User;
    const proofWith = (code: string) => ({ factorId: totp.factorId, code });
    const now = new Date();
    const later = new Date(now.getTime() + 180_000);
    const guess = oathCode(totp.secret, later);

    const told = await refusal(checkProof(profile, proofWith(guess), { purpose: 'verify' }, context, now));
    expect(told).toMatchObject({
      code: 'code_invalid',
      extra: { attemptsRemaining: 9, clockSkewSeconds: 180 },
    });
    expect((await getFactor(user.userId, totp.factorId))?.burnedSteps).toEqual(new Set([totpStep(later)]));

    // 180 s later: the disclosed code is spent (a replay, which costs nothing and gives nothing).
    const again = await refusal(checkProof(profile, proofWith(guess), { purpose: 'verify' }, context, later));
    expect(again).toMatchObject({
      code: 'code_invalid',
      message: 'This code was already used.',
      extra: { attemptsRemaining: 0 },
    });
    // Even a write that did not see the burn (a race with the read) is refused by its condition.
    const unseen = { ...(await getFactor(user.userId, totp.factorId)), burnedSteps: undefined } as never;
    await expect(
      transact([acceptTotpStep(unseen, totpStep(later), later)], () => new Error('condition held')),
    ).rejects.toThrow('condition held');

    // Only that step: the next one's code works at its time, and its write forgets the burn.
    const next = new Date(later.getTime() + 30_000);
    const checked = await checkProof(
      profile,
      proofWith(oathCode(totp.secret, next)),
      { purpose: 'verify' },
      context,
      next,
    );
    expect(checked.totpStep).toBe(totpStep(next));
    await transact(checked.items);
    expect((await getFactor(user.userId, totp.factorId))?.burnedSteps).toBeUndefined();
  });

  it('a code from the past is told its skew and burns nothing (it can never become right)', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const profile = (await findUserById(user.userId)) as User;
    const now = new Date();
    const code = oathCode(totp.secret, new Date(now.getTime() - 180_000));
    const told = await refusal(
      checkProof(profile, { factorId: totp.factorId, code }, { purpose: 'verify' }, context, now),
    );
    expect(told).toMatchObject({ code: 'code_invalid', extra: { clockSkewSeconds: -180 } });
    expect((await getFactor(user.userId, totp.factorId))?.burnedSteps).toBeUndefined();
  });
});
