import { eventPuts } from '../db/events.ts';
import type { Factor } from '../db/factors.ts';
import { clearPasswordFailuresItem } from '../db/login-guard.ts';
import type { PendingLogin } from '../db/logins.ts';
import { authVersionOf, changePassword, sameMailbox, type User } from '../db/users.ts';
import type { RequestContext } from '../mfa/guard.ts';
import { passwordWasReset } from '../notify/templates.ts';
import { endOtherSessions } from './auth-change.ts';
import { notifyOwner } from './security-notice.ts';

/**
 * A password reset takes effect in one write: the new hash and a new password version (which
 * ends every mfaToken, login in flight and remembered device obtained with the old password),
 * the lifted password lock (the owner proved the address) and the event. MFA failures and
 * locks stay as they are. Afterwards every other session is revoked and the owner told.
 */
export function passwordResetItems(
  user: User,
  passwordHash: string,
  context: RequestContext,
  now: Date,
  options: { factorsSeen?: number } = {},
) {
  return [
    changePassword(user, passwordHash, now, options),
    clearPasswordFailuresItem(user.email),
    ...eventPuts({ type: 'password.reset', userId: user.userId, orgId: user.orgId, ...context }, now),
  ];
}

/**
 * After the reset committed (`user` as read before it): every other session revoked (but
 * `keep`, the one the reset opened), older devices forgotten, the owner emailed.
 */
export async function afterPasswordReset(user: User, context: RequestContext, keep?: string): Promise<void> {
  await endOtherSessions(user.userId, authVersionOf(user) + 1, keep, 'password_reset');
  await notifyOwner(
    user,
    (reportUrl) => passwordWasReset({ at: new Date(), ...context, reportUrl }),
    'password.reset',
  );
}

/**
 * An email factor at the account's own address proves the mailbox, which is what the reset
 * code proved already: it cannot be the second factor of a reset (new ones are refused at
 * enrollment; this covers factors made before that).
 */
export function secondToTheMailbox(factor: Factor, user: User): boolean {
  return factor.type === 'email' && sameMailbox(factor.destination ?? '', user.email);
}

/**
 * For the MFA step that completes a reset (verify or recover with the reset's mfaToken): the
 * items that put the new password in force with the session, and the version the session is
 * opened under. For an ordinary login: nothing, and the login's own version.
 */
export function completingReset(login: PendingLogin, user: User, context: RequestContext, now: Date) {
  if (!login.reset) return { items: [], authVersion: login.authVersion };
  return {
    items: passwordResetItems(user, login.reset.passwordHash, context, now),
    authVersion: authVersionOf(user) + 1,
  };
}
