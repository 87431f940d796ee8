import { config } from '../config.ts';
import {
  type Challenge,
  challengePut,
  deleteChallenge,
  getChallenge,
  newChallengeId,
  replaceCode,
  reserveChallengeAttempt,
  restoreCode,
  voidChallenge,
  windows,
} from '../db/challenges.ts';
import { type Window, withAllowances } from '../db/rate.ts';
import { type TransactItem, transact } from '../db/transact.ts';
import {
  findUserById,
  normaliseEmail,
  setAttemptVerification,
  setVerification,
  type User,
} from '../db/users.ts';
import { ApiError } from '../http/errors.ts';
import { countCodeSend } from '../metrics.ts';
import { codeDigest, codeMatches, newOtpCode } from '../mfa/codes.ts';
import type { RequestContext } from '../mfa/guard.ts';
import { sendEmail } from '../notify/email.ts';
import { codeSendsFromIp } from '../notify/send-budget.ts';
import { resetCode, resetNoAccount, signupCode, signupExisting } from '../notify/templates.ts';

/**
 * Codes that prove an email address: the sign-up code and the password-reset code. Both are
 * asked for by someone who may not own the address, so every request does the same work and
 * gets the same answer whatever the address is: a live code when the address may get one (a
 * new or unverified sign-up, a reset of a verified account), otherwise a challenge that
 * matches no code and a notice to the address instead (DESIGN principle 6; OWASP Forgot
 * Password Cheat Sheet: "the same logic ... instead of a quick exit").
 *
 * Guessing is bounded like MFA codes: each code takes CODE_MAX_ATTEMPTS wrong tries, and each
 * address gets ACCOUNT_EMAILS_PER_ADDRESS_PER_DAY emails per purpose, shared by every case,
 * so the cap answers alike too. A failed delivery gives the allowance back and leaves no code.
 */
export type AccountPurpose = 'signup' | 'reset';

export interface PreparedCode {
  challenge: Challenge;
  /** Absent when the address must not get a working code. */
  code?: string;
  put: TransactItem;
}

const allowance = (purpose: AccountPurpose, email: string): Window => ({
  scope: `${purpose}-email`,
  key: normaliseEmail(email),
  seconds: 86_400,
  limit: config().accountEmailsPerAddressPerDay,
});

/** A new code for `email`: working when `userId` is given, else one that matches nothing. */
export async function prepareAccountCode(
  purpose: AccountPurpose,
  email: string,
  userId: string | undefined,
  now: Date,
): Promise<PreparedCode> {
  const challengeId = newChallengeId();
  // The digest is computed either way: both cases cost the same.
  const code = newOtpCode();
  const digest = await codeDigest(challengeId, code);
  const challenge: Challenge = {
    challengeId,
    purpose,
    email: normaliseEmail(email),
    ...(userId ? { userId, codeDigest: digest } : {}),
    attempts: 0,
    sends: 1,
    ...windows(now, purpose),
  };
  return { challenge, ...(userId ? { code } : {}), put: challengePut(challenge) };
}

function message(challenge: Challenge, code: string | undefined, context: RequestContext, now: Date) {
  const minutes = Math.round(config().accountCodeTtlSeconds / 60);
  const occurrence = { at: now, ...context };
  if (challenge.purpose === 'signup')
    return code ? signupCode({ code, minutes }) : signupExisting(occurrence);
  return code ? resetCode({ code, minutes }) : resetNoAccount(occurrence);
}

/**
 * Takes the address's allowance, lets `write` store a prepared code, and emails it (or the
 * notice). If the email cannot be sent, the code is deleted and the allowance given back.
 */
export async function issueAccountCode(
  purpose: AccountPurpose,
  email: string,
  context: RequestContext,
  now: Date,
  write: () => Promise<PreparedCode>,
): Promise<Challenge> {
  return withAllowances([allowance(purpose, email), codeSendsFromIp(context.ip)], now, async () => {
    const { challenge, code } = await write();
    try {
      await countCodeSend('email', () =>
        sendEmail(challenge.email as string, message(challenge, code, context, now)),
      );
    } catch (error) {
      await deleteChallenge(challenge.challengeId);
      throw error;
    }
    return challenge;
  });
}

/** A new code on the same challenge after the cooldown: the old code dies, attempts stay. */
export async function resendAccountCode(
  purpose: AccountPurpose,
  challengeId: string,
  context: RequestContext,
  now = new Date(),
): Promise<Challenge> {
  const found = await getChallenge(challengeId);
  if (found?.purpose !== purpose || !found.email) throw new ApiError('challenge_expired');
  const code = newOtpCode();
  const digest = await codeDigest(challengeId, code);
  const live = found.codeDigest !== undefined;
  return withAllowances([allowance(purpose, found.email), codeSendsFromIp(context.ip)], now, async () => {
    const { previous, next } = await replaceCode(challengeId, { purpose }, live ? digest : undefined, now);
    try {
      await countCodeSend('email', () =>
        sendEmail(found.email as string, message(next, live ? code : undefined, context, now)),
      );
    } catch (error) {
      await restoreCode(previous, next);
      throw error;
    }
    return next;
  });
}

/**
 * Spends one attempt of the challenge, then compares: the challenge of a code that matched
 * (with its user), or `code_invalid` with the attempts left. One that matches nothing answers
 * exactly like a wrong code.
 */
export async function checkAccountCode(
  purpose: AccountPurpose,
  challengeId: string,
  code: string,
  now = new Date(),
): Promise<Challenge & { userId: string }> {
  const challenge = await reserveChallengeAttempt(challengeId, { purpose }, now);
  const matches = await codeMatches(challenge, code);
  if (!matches || !challenge.userId) {
    throw new ApiError('code_invalid', {
      extra: { attemptsRemaining: config().codeMaxAttempts - challenge.attempts },
    });
  }
  // A right code's attempt goes back with its use (consumeChallenge).
  return challenge as Challenge & { userId: string };
}

/**
 * The sign-up code a login with the right password re-offers: for an unverified account its
 * code, for a sign-up attempt on a verified address (`attempt`) that attempt's code, which
 * matches nothing; the same answers either way. The current one while it is inside its resend
 * cooldown (a second click sends nothing), else a new one that replaces it, under the same
 * daily allowance as sign-ups.
 */
export async function pendingVerification(
  user: User,
  context: RequestContext,
  options: { attempt?: boolean } = {},
  now = new Date(),
) {
  const attempt = options.attempt === true;
  const currentId = (of: User) => (attempt ? of.signupAttempt?.verificationId : of.verificationId);
  const current = await freshVerification(currentId(user), now);
  if (current) return current;
  try {
    return await issueAccountCode('signup', user.email, context, now, async () => {
      const prepared = await prepareAccountCode('signup', user.email, attempt ? undefined : user.userId, now);
      const id = prepared.challenge.challengeId;
      const previous = currentId(user);
      await transact(
        [
          attempt ? setAttemptVerification(user, id) : setVerification(user, id),
          ...(previous ? [voidChallenge(previous)] : []),
          prepared.put,
        ],
        () => new Raced(),
      );
      return prepared;
    });
  } catch (error) {
    if (!(error instanceof Raced)) throw error;
    // A parallel login made the new code first (a double click): answer with that one. A
    // sign-up that replaced the password meanwhile: this password is wrong now.
    const reread = await findUserById(user.userId);
    const same =
      reread &&
      (attempt
        ? reread.signupAttempt?.tag === user.signupAttempt?.tag
        : reread.passwordHash === user.passwordHash);
    const theirs = same ? await freshVerification(currentId(reread), now) : undefined;
    if (!theirs) throw new ApiError('invalid_credentials');
    return theirs;
  }
}

class Raced extends Error {}

async function freshVerification(challengeId: string | undefined, now: Date): Promise<Challenge | undefined> {
  const current = challengeId ? await getChallenge(challengeId) : undefined;
  const at = now.toISOString();
  const fresh =
    current &&
    !current.usedAt &&
    current.expiresAt > at &&
    current.resendAvailableAt > at &&
    current.attempts < config().codeMaxAttempts;
  return fresh ? current : undefined;
}
