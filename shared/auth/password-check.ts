import { recordEvent } from '../db/events.ts';
import { confirmFailure, type Reservation } from '../db/guard.ts';
import { clearPasswordFailures, reservePasswordAttempt } from '../db/login-guard.ts';
import type { User } from '../db/users.ts';
import { ApiError } from '../http/errors.ts';
import type { RequestContext } from '../mfa/guard.ts';
import { passwordLocked } from '../notify/templates.ts';
import { passwordTag, tagMatches, verifyAgainstDummy } from './passwords.ts';
import { notifyOwner } from './security-notice.ts';

/**
 * Checks a password under the lockout of its email (login and re-authentication alike, so a
 * stolen access token cannot be used to guess the password either). Unknown users cost the
 * same hash as known ones.
 */
export async function checkPassword(
  email: string,
  user: User | undefined,
  password: string,
  context: RequestContext,
): Promise<User> {
  const checked = await checkLoginPassword(email, user, password, context);
  if (checked.signupAttempt) throw new ApiError('invalid_credentials');
  return checked.user;
}

/**
 * A login's password check. Besides the account's own password it accepts, as
 * `signupAttempt`, the password of a recent sign-up for the (verified) address: that login
 * then answers exactly as an unverified account's would, so signing up with a password and
 * logging in with it tells nobody whether the address had an account. One derivation either
 * way: the attempt is stored under the account's salt.
 */
export async function checkLoginPassword(
  email: string,
  user: User | undefined,
  password: string,
  context: RequestContext,
  now = new Date(),
): Promise<{ user: User; signupAttempt: boolean }> {
  const reservation = await reservePasswordAttempt(email);
  if (!user) {
    await verifyAgainstDummy(password);
    await confirmFailure(reservation);
    throw new ApiError('invalid_credentials');
  }
  const tag = await passwordTag(password, user.passwordHash);
  const attempt =
    user.signupAttempt && user.signupAttempt.expiresAt > now.toISOString() ? user.signupAttempt : undefined;
  const matches = tag ? tagMatches(tag, user.passwordHash, attempt?.tag) : { own: false, other: false };
  // Only a password that can lead to a session ends a run of failures. One that leads only to
  // an emailed code (an unproven sign-up's, or a sign-up attempt's on a verified address, both
  // chosen by whoever signed up) counts like a wrong one: else anyone could sign up with a
  // victim's address and, between guesses, reset the lockout that guards the real password.
  const opens = matches.own && !user.unverified;
  if (opens) {
    await clearPasswordFailures(email);
  } else {
    await confirmFailure(reservation);
    if (reservation.lockedUntil) await lockedOut(user, reservation, context);
  }
  if (!matches.own && !matches.other) throw new ApiError('invalid_credentials');
  return { user, signupAttempt: !matches.own };
}

async function lockedOut(user: User, reservation: Reservation, context: RequestContext): Promise<void> {
  const until = reservation.lockedUntil as Date;
  await recordEvent({
    type: 'password.locked',
    userId: user.userId,
    ...context,
    details: { until: until.toISOString() },
  });
  await notifyOwner(
    user,
    (reportUrl) => passwordLocked({ at: new Date(), until, ...context, reportUrl }),
    'password.locked',
  );
}
