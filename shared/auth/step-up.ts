import { config } from '../config.ts';
import type { User } from '../db/users.ts';
import { ApiError } from '../http/errors.ts';
import type { RequestContext } from '../mfa/guard.ts';
import { type Checked, checkProof, type Proof } from '../mfa/proof.ts';
import type { AccessClaims } from './tokens.ts';

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
  if (auth.aal === 2 && now.getTime() / 1000 - auth.auth_time <= config().stepUpMaxAgeSeconds)
    return undefined;
  throw new ApiError('verification_required');
}
