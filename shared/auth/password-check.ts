import { recordEvent } from '../db/events.ts';
import type { Reservation } from '../db/guard.ts';
import { clearPasswordFailures, reservePasswordAttempt } from '../db/login-guard.ts';
import type { User } from '../db/users.ts';
import { ApiError } from '../http/errors.ts';
import type { RequestContext } from '../mfa/guard.ts';
import { notifyAccount } from '../notify/email.ts';
import { passwordLocked } from '../notify/templates.ts';
import { verifyAgainstDummy, verifyPassword } from './passwords.ts';

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
  const reservation = await reservePasswordAttempt(email);
  const valid = user ? await verifyPassword(password, user.passwordHash) : await verifyAgainstDummy(password);
  if (!user || !valid) {
    if (user && reservation.lockedUntil) await lockedOut(user, reservation, context);
    throw new ApiError('invalid_credentials');
  }
  await clearPasswordFailures(email);
  return user;
}

async function lockedOut(user: User, reservation: Reservation, context: RequestContext): Promise<void> {
  const until = reservation.lockedUntil as Date;
  await recordEvent({
    type: 'password.locked',
    userId: user.userId,
    ...context,
    details: { until: until.toISOString() },
  });
  await notifyAccount(user.email, passwordLocked({ at: new Date(), until, ...context }), {
    userId: user.userId,
    event: 'password.locked',
  });
}
