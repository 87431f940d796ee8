import { config } from '../config.ts';
import type { User } from '../db/users.ts';
import { ApiError } from '../http/errors.ts';
import type { RequestContext } from '../mfa/guard.ts';
import { type Checked, checkProof, METHODS, type Proof } from '../mfa/proof.ts';
import type { AccessClaims } from './tokens.ts';

/**
 * An aal 2 session that proved a factor itself, recently. A remembered device's login is aal 2
 * (`amr` ["pwd", "mfa"]) but proved nothing now: with the password and a device token found in
 * a browser's storage it must not change the account's MFA.
 */
function provedAFactorRecently(auth: AccessClaims, now: Date): boolean {
  const proved = auth.amr.some((method) => (METHODS as readonly string[]).includes(method));
  return auth.aal === 2 && proved && now.getTime() / 1000 - auth.auth_time <= config().stepUpMaxAgeSeconds;
}

/**
 * The password alone never changes a user's MFA: once the user has an active factor, every
 * change to their means of authentication needs, in the same request, proof of a current
 * factor (`verification`), or a session that proved one a moment ago (aal 2 with an
 * `auth_time` at most STEP_UP_MAX_AGE_SECONDS old). A user without a factor has only the
 * password to protect, which the caller checks.
 *
 * Returns the proof's checked items (to write with the change), or undefined when no proof
 * was needed or the fresh session stands in for it.
 */
export async function stepUp(
  user: User,
  auth: AccessClaims,
  verification: Proof | undefined,
  context: RequestContext,
  now = new Date(),
): Promise<Checked | undefined> {
  if (!user.activeFactors) return undefined;
  if (verification) return checkProof(user, verification, { purpose: 'verify' }, context, now);
  if (provedAFactorRecently(auth, now)) return undefined;
  throw new ApiError('verification_required');
}
