/**
 * Races whose losers are the real user (issue 10): a double-click, a retry storm or a shared
 * account sends the same right answer many times at once. Only wrong answers count toward a
 * lock: the losers of a race of right answers are refused (used, replaced or retry-in-a-second)
 * but never `locked`, and the user signs in right after. A burst of wrong answers still gets at
 * most 10 evaluated (password-lockout tests), and its surplus may be told `rate_limited`.
 *
 * Real parallel requests over HTTP against the local runtime, each from its own address.
 */
import { describe, expect, it } from 'vitest';
import { mfaLockedUntil } from '../../shared/mfa/guard.ts';
import { type Answer, call, logIn, PASSWORD, signUp } from '../support/api.ts';
import { account, answers, appCode, enrollTotp, mfaToken, verify } from '../support/mfa.ts';

const BURST = 30;

const tally = (all: Answer[]) =>
  all.reduce<Record<string, number>>((counts, answer) => {
    const label = `${answer.status} ${answer.body?.error?.code ?? answer.body?.status ?? ''}`.trim();
    counts[label] = (counts[label] ?? 0) + 1;
    return counts;
  }, {});

const codesOf = (all: Answer[]) => all.map((answer) => answer.body?.error?.code).filter(Boolean);

describe('a burst of right answers is no attack', () => {
  it(`race: ${BURST} parallel verifies with the one right TOTP code → exactly one session, no lock, the user signs in right after`, async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const token = await mfaToken(user.email);
    const code = appCode(totp.secret);
    const all = await Promise.all(
      Array.from({ length: BURST }, () => verify({ mfaToken: token, factorId: totp.factorId, code })),
    );
    console.log(`${BURST} parallel right TOTP codes:`, tally(all));
    expect(all.filter((answer) => answer.status === 200)).toHaveLength(1);
    // Losers: the login was used up, or the step was (this code was already used), or they were
    // the surplus of a burst told to retry in a second. Never `locked`.
    for (const code of codesOf(all)) {
      expect(['mfa_token_invalid', 'code_invalid', 'rate_limited']).toContain(code);
    }
    for (const lost of all.filter((answer) => answer.body?.error?.code === 'code_invalid')) {
      expect(lost.body).toEqual(answers.alreadyUsed);
    }
    expect(await mfaLockedUntil(user.userId)).toBeUndefined();
    const next = await mfaToken(user.email);
    const recovered = await call('POST', '/v1/mfa/recover', {
      body: { mfaToken: next, recoveryCode: totp.recoveryCodes?.[0] },
    });
    expect(recovered.body).toEqual({ ...answers.authenticated, recoveryCodesRemaining: 9 });
  });

  it(`race: ${BURST} parallel logins with the one right recovery code → exactly one session, no lock, the code spent`, async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const token = await mfaToken(user.email);
    const recoveryCode = totp.recoveryCodes?.[0];
    const all = await Promise.all(
      Array.from({ length: BURST }, () =>
        call('POST', '/v1/mfa/recover', { body: { mfaToken: token, recoveryCode } }),
      ),
    );
    console.log(`${BURST} parallel right recovery codes:`, tally(all));
    expect(all.filter((answer) => answer.status === 200)).toHaveLength(1);
    for (const code of codesOf(all)) {
      expect(['mfa_token_invalid', 'code_invalid', 'rate_limited']).toContain(code);
    }
    for (const lost of all.filter((answer) => answer.body?.error?.code === 'code_invalid')) {
      expect(lost.body).toEqual(answers.alreadyUsed);
    }
    expect(await mfaLockedUntil(user.userId)).toBeUndefined();
    // Spent for good, and the user signs in right after with the next one.
    const next = await mfaToken(user.email);
    const again = await call('POST', '/v1/mfa/recover', { body: { mfaToken: next, recoveryCode } });
    expect(again.body).toEqual(answers.alreadyUsed);
    const other = await call('POST', '/v1/mfa/recover', {
      body: { mfaToken: next, recoveryCode: totp.recoveryCodes?.[1] },
    });
    expect(other.body).toEqual({ ...answers.authenticated, recoveryCodesRemaining: 8 });
  });

  it(`race: ${BURST} parallel logins with the right password → none locked, none wrong, the user logs in right after`, async () => {
    const { email } = await signUp();
    const all = await Promise.all(Array.from({ length: BURST }, () => logIn(email, PASSWORD)));
    console.log(`${BURST} parallel right passwords:`, tally(all));
    // Each either signs in, or (the surplus of a burst beyond the 10 attempts in flight) is
    // told to retry in a second; a retry does sign in.
    for (const answer of all) {
      if (answer.status === 200) expect(answer.body.status).toBe('authenticated');
      else {
        expect(answer.body.error.code).toBe('rate_limited');
        expect(answer.headers.get('retry-after')).toBe('1');
      }
    }
    expect(all.filter((answer) => answer.status === 200).length).toBeGreaterThanOrEqual(10);
    const after = await logIn(email, PASSWORD);
    expect(after.status).toBe(200);
    expect(after.body.status).toBe('authenticated');
  });

  it('race: 5 wrong and 25 right passwords at once (a user retyping while a script guesses) → no lock, the user logs in right after', async () => {
    const { email } = await signUp();
    const all = await Promise.all(
      Array.from({ length: 30 }, (_, i) => logIn(email, i % 6 === 0 ? 'a wrong password guess' : PASSWORD)),
    );
    console.log('5 wrong and 25 right passwords at once:', tally(all));
    expect(codesOf(all)).not.toContain('locked');
    expect(all.filter((answer) => answer.status === 401).length).toBeLessThanOrEqual(5);
    expect((await logIn(email, PASSWORD)).status).toBe(200);
  });
});
