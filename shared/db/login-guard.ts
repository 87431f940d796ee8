import { config } from '../config.ts';
import { table } from './client.ts';
import { clearFailures, type Reservation, reserveAttempt } from './guard.ts';
import { normaliseEmail } from './users.ts';

/**
 * Password guessing: keyed by the normalised email whether or not an account has it, so a
 * locked address answers the same for a real account and an unknown one. A fixed lock
 * (no growth): API.md promises 15 minutes.
 */
const key = (email: string) => ({ pk: `LOGINGUARD#${normaliseEmail(email)}`, sk: 'PASSWORD' });

export function reservePasswordAttempt(email: string, now = new Date()): Promise<Reservation> {
  const { passwordMaxFailures, passwordLockSeconds } = config();
  return reserveAttempt(
    key(email),
    { maxFailures: passwordMaxFailures, lockSeconds: passwordLockSeconds, growth: false },
    now,
  );
}

export function clearPasswordFailures(email: string): Promise<void> {
  return clearFailures(key(email));
}

/** Transaction item: the address's owner proved it (a completed password reset). */
export function clearPasswordFailuresItem(email: string) {
  return { Delete: { TableName: table(), Key: key(email) } };
}
