/**
 * Attacks on sign-up, i.e. on who owns an email address (API.md "Additions: Who owns an email
 * address"):
 * - account enumeration: a new, an unverified and a verified address get the same answer from
 *   the same work (status, body, headers, DynamoDB calls, one email each);
 * - address squatting: whoever signs up first with someone else's address owns nothing; the
 *   real owner's sign-up replaces the squatter's, whose password never works;
 * - racing sign-ups for one address: one account, one working code;
 * - guessing the emailed code: 5 wrong tries burn it; resends keep the count and obey a
 *   cooldown; codes expire; each address gets a capped number of emails a day;
 * - a failed delivery spends nothing.
 *
 * The cooldown test resends without waiting 30 s: as in mfa-resend.security.test.ts, the
 * handlers of this file run in-process with a 1 s cooldown (`vi.hoisted`, before config() is
 * read), and the verifications they resend are created in-process too.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as createSession } from '../../functions/sessions/create.ts';
import { handler as createUser } from '../../functions/users/create.ts';
import { handler as resendVerification } from '../../functions/users/verify-resend.ts';
import { checkAccountCode } from '../../shared/auth/account-codes.ts';
import { checkLoginPassword } from '../../shared/auth/password-check.ts';
import { hashPassword } from '../../shared/auth/passwords.ts';
import { config } from '../../shared/config.ts';
import { getChallenge } from '../../shared/db/challenges.ts';
import { db, table } from '../../shared/db/client.ts';
import { findUserByEmail, readAccount } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { codeMatches } from '../../shared/mfa/codes.ts';
import { call, emailsTo, lastEmailCode, logIn, PASSWORD, signUp, uniqueEmail } from '../support/api.ts';
import {
  answers,
  codeIn,
  deliverAgainTo,
  failDeliveriesTo,
  failingDestinations,
  invoke,
  otherThan,
  sleep,
} from '../support/mfa.ts';

vi.hoisted(() => {
  process.env.RESEND_COOLDOWN_SECONDS = '1';
});
const AFTER_COOLDOWN_MS = 1100;
const OTHER_PASSWORD = 'another long pass phrase';
const SUBJECT = {
  code: 'Serverless MFA: your code to confirm your email address',
  existing: 'Serverless MFA: someone tried to create an account with your address',
};
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const startSignUp = (email: string, password = PASSWORD) =>
  call('POST', '/v1/users', { body: { email, password } });
const verifySignUp = (verificationId: string, code: string) =>
  call('POST', '/v1/users/verify', { body: { verificationId, code } });
const resendSignUp = (verificationId: string) =>
  call('POST', '/v1/users/verify/resend', { body: { verificationId } });

/** The kind of each DynamoDB call a handler makes: `Get`, `Update`, `TransactWrite`… */
async function dynamoCalls<T>(work: () => Promise<T>): Promise<{ result: T; calls: string[] }> {
  const send = vi.spyOn(db, 'send');
  try {
    const result = await work();
    const calls = send.mock.calls.map(([command]) =>
      (command as { constructor: { name: string } }).constructor.name.replace(/Command$/, ''),
    );
    return { result, calls };
  } finally {
    send.mockRestore();
  }
}

/** The emails an address received while `work` ran. */
async function newEmails(address: string, work: () => Promise<unknown>) {
  const before = (await emailsTo(address)).length;
  await work();
  return (await emailsTo(address)).slice(before);
}

const headerNames = (headers: Headers) => [...headers.keys()].filter((name) => name !== 'date').sort();

beforeAll(async () => {
  // A warm container: the keyring and clients are loaded once, so every case below counts
  // only its own work.
  await invoke(createUser, 'POST', '/v1/users', { body: { email: uniqueEmail('warm'), password: PASSWORD } });
});

describe('sign-up answers tell nobody which addresses have accounts', () => {
  it('in this file the handlers run with a 1 s cooldown (set before config() was read)', () => {
    expect(config().resendCooldownSeconds).toBe(1);
  });

  it('enumeration: a new, an unverified and a verified address get the same answer from the same work; the verified owner is told', async () => {
    const verified = await signUp();
    const unverified = uniqueEmail('unverified');
    expect((await startSignUp(unverified)).status).toBe(202);
    const cases = { new: uniqueEmail('new'), unverified, verified: verified.email };

    const seen: Record<
      string,
      { status: number; keys: string[]; headers: string[]; calls: string[]; emails: string[] }
    > = {};
    for (const [label, email] of Object.entries(cases)) {
      let answer: Awaited<ReturnType<typeof invoke>> | undefined;
      let calls: string[] = [];
      const mails = await newEmails(email, async () => {
        ({ result: answer, calls } = await dynamoCalls(() =>
          invoke(createUser, 'POST', '/v1/users', { body: { email, password: OTHER_PASSWORD } }),
        ));
      });
      if (!answer) throw new Error('no answer');
      const started = Date.now();
      expect(answer.body).toEqual({
        verificationId: expect.stringMatching(ULID),
        expiresAt: expect.any(String),
        resendAvailableAt: expect.any(String),
      });
      // 15 minutes to enter the code, 1 s (this file) before a resend: the same for all.
      expect(Date.parse(answer.body.expiresAt) - started).toBeGreaterThan(14 * 60_000);
      expect(Date.parse(answer.body.expiresAt) - started).toBeLessThanOrEqual(15 * 60_000);
      expect(Date.parse(answer.body.resendAvailableAt) - started).toBeLessThanOrEqual(1000);
      seen[label] = {
        status: answer.status,
        keys: Object.keys(answer.body).sort(),
        headers: headerNames(answer.headers),
        calls,
        emails: mails.map((mail) => mail.Subject),
      };
    }
    console.log('sign-up, side by side:', JSON.stringify(seen, null, 1));

    expect(seen.new?.status).toBe(202);
    const { emails: _n, ...fresh } = seen.new as NonNullable<(typeof seen)['new']>;
    for (const label of ['unverified', 'verified']) {
      const { emails: _e, ...other } = seen[label] as NonNullable<(typeof seen)['new']>;
      expect(other).toEqual(fresh);
    }
    // The client's per-IP sign-up window, the address's daily allowance and the client's code
    // sends, two reads (pointer, profile), one transaction.
    expect(fresh.calls).toEqual(['Update', 'Update', 'Update', 'Get', 'Get', 'TransactWrite']);
    // One email each: a code to the new and the unverified address, a notice to the owner.
    expect(seen.new?.emails).toEqual([SUBJECT.code]);
    expect(seen.unverified?.emails).toEqual([SUBJECT.code]);
    expect(seen.verified?.emails).toEqual([SUBJECT.existing]);
    const notice = (await emailsTo(verified.email)).at(-1)?.Body.text_part ?? '';
    expect(notice).toContain('which already has an account with us. Nothing was changed.');
    expect(notice).toContain('sign in instead, or reset your password');
    expect(notice).not.toMatch(/\b\d{6}\b/);
    // And the owner's account is untouched: their password still works, and the newcomer's
    // leads, as for any unproven sign-up, only to a code the newcomer never gets.
    expect((await logIn(verified.email)).body.status).toBe('authenticated');
    const newcomer = await logIn(verified.email, OTHER_PASSWORD);
    expect(newcomer.body).toMatchObject({ status: 'email_verification_required' });
    expect(newcomer.body.accessToken).toBeUndefined();
  });

  it('enumeration: signing up with a password, then logging in with it, answers alike for a new and a verified address', async () => {
    const owner = await signUp();
    const fresh = uniqueEmail('probe');
    const PROBE = 'enumeration probe pass phrase';
    const login = (email: string, password: string) =>
      dynamoCalls(() => invoke(createSession, 'POST', '/v1/sessions', { body: { email, password } }));
    const seen: Record<string, unknown> = {};
    for (const [label, email] of [
      ['new', fresh],
      ['verified', owner.email],
    ] as const) {
      const started = await invoke(createUser, 'POST', '/v1/users', { body: { email, password: PROBE } });
      const { result: answer, calls } = await login(email, PROBE);
      expect(answer.body).toEqual({ status: 'email_verification_required', ...started.body });
      const wrong = await logIn(email, 'yet another pass phrase');
      seen[label] = {
        status: answer.status,
        keys: Object.keys(answer.body).sort(),
        headers: headerNames(answer.headers),
        calls,
        wrong: [wrong.status, wrong.body],
        anyCode: (await verifySignUp(answer.body.verificationId, '123456')).body,
      };
    }
    console.log('sign-up then log in, side by side:', JSON.stringify(seen));
    expect(seen.verified).toEqual(seen.new);
    // The owner's own password is untouched, and the probe's password is no way in.
    expect((await logIn(owner.email)).body.status).toBe('authenticated');
    const withProbe = await logIn(owner.email, PROBE);
    expect(withProbe.body.status).toBe('email_verification_required');
    expect(withProbe.body.accessToken).toBeUndefined();
    const reauth = await call('POST', '/v1/mfa/factors', {
      token: owner.accessToken,
      body: { type: 'totp', password: PROBE },
    });
    expect(reauth).toMatchObject({ status: 401, body: { error: { code: 'invalid_credentials' } } });
    // It dies with the day, like an unproven account.
    const stored = await findUserByEmail(owner.email);
    const later = new Date(Date.now() + config().unverifiedAccountTtlSeconds * 1000 + 1000);
    await expect(
      checkLoginPassword(owner.email, stored, PROBE, { ip: '', userAgent: '' }, later),
    ).rejects.toMatchObject(new ApiError('invalid_credentials'));
  });

  it("attack: a sign-up's password cannot reset the lockout that guards the real one (and answers alike for an unproven account)", async () => {
    const owner = await signUp();
    const fresh = uniqueEmail('lockout');
    const PROBE = 'lockout probe pass phrase';
    const statuses: Record<string, number[]> = {};
    for (const [label, email] of [
      ['verified', owner.email],
      ['unverified', fresh],
    ] as const) {
      await startSignUp(email, PROBE);
      const seen: number[] = [];
      for (let i = 0; i < 8; i++) seen.push((await logIn(email, `wrong guess number ${i}`)).status);
      seen.push((await logIn(email, PROBE)).status); // counted, not a success: the 9th
      seen.push((await logIn(email, 'wrong guess number 9')).status); // the 10th: locks
      seen.push((await logIn(email, email === owner.email ? PASSWORD : PROBE)).status);
      statuses[label] = seen;
    }
    expect(statuses.verified).toEqual([...Array(8).fill(401), 200, 401, 429]);
    expect(statuses.unverified).toEqual(statuses.verified);
  });

  it("enumeration: the verified address's verificationId answers every code like a wrong code, then burns, exactly like a real one", async () => {
    const owner = await signUp();
    const real = await startSignUp(uniqueEmail('real'));
    const decoy = await startSignUp(owner.email, OTHER_PASSWORD);
    expect(decoy.status).toBe(202);
    const wrong = otherThan(await lastEmailCode(owner.email).catch(() => '000000'));
    for (let attemptsRemaining = 4; attemptsRemaining >= 0; attemptsRemaining--) {
      const onReal = await verifySignUp(real.body.verificationId, wrong);
      const onDecoy = await verifySignUp(decoy.body.verificationId, wrong);
      expect(onReal).toMatchObject({ status: 401, body: answers.codeInvalid(attemptsRemaining) });
      expect(onDecoy.status).toBe(onReal.status);
      expect(onDecoy.body).toEqual(onReal.body);
    }
    const burned = [
      await verifySignUp(real.body.verificationId, wrong),
      await verifySignUp(decoy.body.verificationId, wrong),
    ];
    for (const answer of burned) expect(answer).toMatchObject({ status: 429, body: answers.tooManyAttempts });
    // The owner's account was never touched.
    expect((await logIn(owner.email)).body.status).toBe('authenticated');
  });

  it('a legacy account (made before sign-up was verified: no flag on the profile) counts as verified', async () => {
    const email = uniqueEmail('legacy');
    const userId = ulid();
    const createdAt = new Date().toISOString();
    await db.send(
      new PutCommand({
        TableName: table(),
        Item: {
          pk: `USER#${userId}`,
          sk: 'PROFILE',
          userId,
          email,
          passwordHash: await hashPassword(PASSWORD),
          createdAt,
        },
      }),
    );
    await db.send(
      new PutCommand({ TableName: table(), Item: { pk: `EMAIL#${email}`, sk: 'USER', userId, createdAt } }),
    );
    expect((await logIn(email)).body.status).toBe('authenticated');
    const mails = await newEmails(email, () => startSignUp(email, OTHER_PASSWORD));
    expect(mails.map((mail) => mail.Subject)).toEqual([SUBJECT.existing]);
  });
});

describe('squatting: an unverified account owns nothing', () => {
  it("attack: a squatter signs up with the owner's address first; the owner's sign-up replaces it and the squatter's password never works", async () => {
    const email = uniqueEmail('new.hire');
    const SQUAT = 'squatters own pass phrase';
    const squatter = await startSignUp(email, SQUAT);
    const squatterCode = await lastEmailCode(email); // the squatter cannot read it; the owner can
    expect((await logIn(email, SQUAT)).body.status).toBe('email_verification_required');

    const owner = await startSignUp(email, PASSWORD);
    expect(owner.status).toBe(202);
    const ownerCode = await lastEmailCode(email);
    // The squatter's verification died with its account: even its right code is refused, and
    // it cannot be resent.
    expect(await verifySignUp(squatter.body.verificationId, squatterCode)).toMatchObject({
      status: 410,
      body: answers.challengeExpired,
    });
    expect(await resendSignUp(squatter.body.verificationId)).toMatchObject({ status: 410 });
    // The squatter's password is gone, answered as for any wrong password.
    const squatLogin = await logIn(email, SQUAT);
    expect(squatLogin.status).toBe(401);
    expect(squatLogin.body.error.code).toBe('invalid_credentials');

    const done = await verifySignUp(owner.body.verificationId, ownerCode);
    expect(done).toMatchObject({ status: 200, body: answers.authenticated });
    expect((await logIn(email, SQUAT)).status).toBe(401);
    expect((await logIn(email, PASSWORD)).body.status).toBe('authenticated');
    // And a later squatter meets a verified account: a notice to the owner, and a code that
    // matches nothing; the squatter's password opens nothing.
    const late = await startSignUp(email, SQUAT);
    expect(late.status).toBe(202);
    const lateLogin = await logIn(email, SQUAT);
    expect(lateLogin.body).toEqual({ status: 'email_verification_required', ...late.body });
    expect(await verifySignUp(late.body.verificationId, ownerCode)).toMatchObject({ status: 401 });
    expect((await logIn(email, PASSWORD)).body.status).toBe('authenticated');
  });

  it('an unverified account is dead after 24 hours (checked on read, whatever the TTL did)', async () => {
    const email = uniqueEmail('stale');
    await startSignUp(email);
    const later = new Date(Date.now() + config().unverifiedAccountTtlSeconds * 1000 + 1000);
    expect(await findUserByEmail(email)).toMatchObject({ unverified: true });
    expect(await findUserByEmail(email, later)).toBeUndefined();
  });

  it('race: 8 parallel sign-ups with one new address leave one account and one working code', async () => {
    const email = uniqueEmail('race8');
    const passwords = Array.from({ length: 8 }, (_, i) => `${PASSWORD} ${i}`);
    const answers8 = await Promise.all(passwords.map((password) => startSignUp(email, password)));
    // The address's five sign-up emails a day are shared by racers too: the rest are refused.
    const statuses = answers8.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 202)).toHaveLength(config().accountEmailsPerAddressPerDay);
    expect(statuses.filter((status) => status !== 202)).toEqual([429, 429, 429]);
    const started = answers8.flatMap((answer, i) =>
      answer.status === 202 ? [{ answer, password: passwords[i] }] : [],
    );

    const { user } = await readAccount(email);
    expect(user).toMatchObject({ unverified: true });
    // Codes are stored only as keyed digests bound to their verification: pair each emailed
    // code with the one live verification by comparing digests, in-process.
    const codes = (await emailsTo(email)).map((mail) => codeIn(mail.Body.text_part));
    expect(codes).toHaveLength(started.length);
    const live = await getChallenge(user?.verificationId as string);
    if (!live) throw new Error('no live verification');
    const matching = [];
    for (const code of codes) if (await codeMatches(live, code)) matching.push(code);
    expect(matching).toHaveLength(1);
    const winner = started.find(({ answer }) => answer.body.verificationId === live.challengeId);
    expect(winner).toBeDefined();

    // Every other verification is dead, whatever code it is given.
    for (const { answer } of started) {
      if (answer === winner?.answer) continue;
      expect(await verifySignUp(answer.body.verificationId, matching[0] as string)).toMatchObject({
        status: 410,
      });
    }
    expect(await verifySignUp(live.challengeId, matching[0] as string)).toMatchObject({ status: 200 });
    // One account, with the winner's password only.
    for (const password of passwords) {
      expect((await logIn(email, password)).status).toBe(password === winner?.password ? 200 : 401);
    }
  });
});

describe('guessing and flooding the sign-up code', () => {
  it('brute force: 4, 3, 2, 1, 0 attempts left, then 429 too_many_attempts even for the right code', async () => {
    const email = uniqueEmail('guess');
    const started = await startSignUp(email);
    const code = await lastEmailCode(email);
    for (let left = 4; left >= 0; left--) {
      expect(await verifySignUp(started.body.verificationId, otherThan(code))).toMatchObject({
        status: 401,
        body: answers.codeInvalid(left),
      });
    }
    const burned = await verifySignUp(started.body.verificationId, code);
    expect(burned).toMatchObject({ status: 429, body: answers.tooManyAttempts });
    expect(burned.headers.get('retry-after')).toBe('1');
    expect((await logIn(email)).body.status).toBe('email_verification_required');
  });

  it('used: a verified code is refused the second time (410), and not spent on a code that is not six digits', async () => {
    const email = uniqueEmail('used');
    const started = await startSignUp(email);
    const code = await lastEmailCode(email);
    const malformed = await verifySignUp(started.body.verificationId, '12345');
    expect(malformed.status).toBe(400);
    expect(await verifySignUp(started.body.verificationId, code)).toMatchObject({ status: 200 });
    expect(await verifySignUp(started.body.verificationId, code)).toMatchObject({
      status: 410,
      body: answers.challengeExpired,
    });
  });

  it('expiry: a code is refused after its 15 minutes, without spending an attempt', async () => {
    const email = uniqueEmail('late');
    const started = await startSignUp(email);
    const code = await lastEmailCode(email);
    const late = new Date(Date.parse(started.body.expiresAt) + 1);
    await expect(checkAccountCode('signup', started.body.verificationId, code, late)).rejects.toMatchObject(
      new ApiError('challenge_expired'),
    );
    expect((await getChallenge(started.body.verificationId))?.attempts).toBe(0);
  });

  it('flooding: a resend inside the cooldown is 429 resend_too_soon; after it, the old code dies and the attempts stay', async () => {
    const email = uniqueEmail('resend');
    const started = await invoke(createUser, 'POST', '/v1/users', { body: { email, password: PASSWORD } });
    const first = await lastEmailCode(email);
    const resend = () =>
      invoke(resendVerification, 'POST', '/v1/users/verify/resend', {
        body: { verificationId: started.body.verificationId },
      });
    const early = await resend();
    expect(early).toMatchObject({ status: 429, body: { error: { code: 'resend_too_soon' } } });
    expect(early.headers.get('retry-after')).toBe('1');
    expect(await verifySignUp(started.body.verificationId, otherThan(first))).toMatchObject({
      body: answers.codeInvalid(4),
    });

    await sleep(AFTER_COOLDOWN_MS);
    const resent = await resend();
    expect(resent).toMatchObject({
      status: 200,
      body: { expiresAt: expect.any(String), resendAvailableAt: expect.any(String) },
    });
    const second = await lastEmailCode(email);
    expect(
      await verifySignUp(started.body.verificationId, first === second ? otherThan(first) : first),
    ).toMatchObject({
      body: answers.codeInvalid(3),
    });
    expect(await verifySignUp(started.body.verificationId, second)).toMatchObject({ status: 200 });
  });

  it('a login with the right password to an unverified account re-offers the code: the same one inside the cooldown, then a new one', async () => {
    const email = uniqueEmail('relogin');
    const started = await invoke(createUser, 'POST', '/v1/users', { body: { email, password: PASSWORD } });
    const login = () =>
      invoke(createSession, 'POST', '/v1/sessions', { body: { email, password: PASSWORD } });
    const sentBefore = (await emailsTo(email)).length;
    const again = await login();
    expect(again.body).toEqual({ status: 'email_verification_required', ...started.body });
    expect((await emailsTo(email)).length).toBe(sentBefore);

    await sleep(AFTER_COOLDOWN_MS);
    const fresh = await login();
    expect(fresh.body).toMatchObject({ status: 'email_verification_required' });
    expect(fresh.body.verificationId).not.toBe(started.body.verificationId);
    expect(await verifySignUp(started.body.verificationId, await lastEmailCode(email))).toMatchObject({
      status: 410,
    });
    expect(await verifySignUp(fresh.body.verificationId, await lastEmailCode(email))).toMatchObject({
      status: 200,
    });
  });

  it('race: a double click on Sign in for an unverified account sends one new code, and both answers name it', async () => {
    const email = uniqueEmail('double');
    await invoke(createUser, 'POST', '/v1/users', { body: { email, password: PASSWORD } });
    await sleep(AFTER_COOLDOWN_MS);
    const sent = (await emailsTo(email)).length;
    const login = () =>
      invoke(createSession, 'POST', '/v1/sessions', { body: { email, password: PASSWORD } });
    const answered = await Promise.all([login(), login(), login()]);
    expect(answered.map((answer) => answer.body.status)).toEqual(
      Array(3).fill('email_verification_required'),
    );
    expect(new Set(answered.map((answer) => answer.body.verificationId)).size).toBe(1);
    expect((await emailsTo(email)).length).toBe(sent + 1);
    expect(await verifySignUp(answered[0]?.body.verificationId, await lastEmailCode(email))).toMatchObject({
      status: 200,
    });
  });

  it('a wrong password to an unverified account answers exactly as for an unknown address', async () => {
    const email = uniqueEmail('unverified-wrong');
    await startSignUp(email);
    const wrong = await logIn(email, 'not the password at all');
    const unknown = await logIn(uniqueEmail('nobody'), 'not the password at all');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(headerNames(wrong.headers)).toEqual(headerNames(unknown.headers));
  });

  it('flooding: each address gets at most 5 sign-up emails a day, and the 6th request is 429 whatever the address', async () => {
    const owner = await signUp(); // its own sign-up code was the first of its five
    const fresh = uniqueEmail('flood');
    await startSignUp(fresh);
    for (let i = 0; i < 4; i++) {
      expect((await startSignUp(owner.email, OTHER_PASSWORD)).status).toBe(202);
      expect((await startSignUp(fresh, OTHER_PASSWORD)).status).toBe(202);
    }
    const onOwner = await startSignUp(owner.email, OTHER_PASSWORD);
    const onFresh = await startSignUp(fresh, OTHER_PASSWORD);
    for (const answer of [onOwner, onFresh]) {
      expect(answer.status).toBe(429);
      expect(answer.body).toEqual({
        error: { code: 'rate_limited', message: 'Too many requests.', retryAfter: expect.any(Number) },
      });
    }
    expect(await emailsTo(owner.email)).toHaveLength(5);
    expect(await emailsTo(fresh)).toHaveLength(5);
  });
});

describe('failed deliveries spend nothing', () => {
  let previous: string[];
  const failing = uniqueEmail('bounce');
  beforeAll(async () => {
    previous = await failingDestinations();
    await failDeliveriesTo(failing);
  });
  afterAll(async () => {
    await deliverAgainTo(failing);
    expect(await failingDestinations()).toEqual(expect.arrayContaining(previous));
  });

  it('a sign-up whose code cannot be emailed: 502, no live code, no allowance used; it works once mail flows again', async () => {
    for (let i = 0; i < 6; i++) {
      const failed = await startSignUp(failing);
      expect(failed.status).toBe(502);
      expect(failed.body).toEqual(answers.deliveryFailed);
    }
    const { user } = await readAccount(failing);
    const current = user?.verificationId ? await getChallenge(user.verificationId) : undefined;
    expect(current).toBeUndefined();
    await deliverAgainTo(failing);
    const started = await startSignUp(failing);
    expect(started.status).toBe(202);
    expect(await verifySignUp(started.body.verificationId, await lastEmailCode(failing))).toMatchObject({
      status: 200,
    });
    const stored = await db.send(
      new GetCommand({ TableName: table(), Key: { pk: `EMAIL#${failing}`, sk: 'USER' } }),
    );
    expect(stored.Item?.ttl).toBeUndefined();
  });
});
