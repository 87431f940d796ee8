import { recordEvent } from '../db/events.ts';
import { getOrg, type Org, type Role } from '../db/orgs.ts';
import { findUserById, type User } from '../db/users.ts';
import { ApiError } from '../http/errors.ts';
import { inGracePeriod } from '../mfa/policy.ts';
import type { AccessClaims } from './tokens.ts';

/**
 * The caller's standing in an organisation, from their profile rather than the token's `role`
 * claim (a role changed since the token was issued counts at once). Outsiders get 404 whether
 * or not the organisation exists; members without the role get 403.
 */
export async function orgAccess(
  auth: AccessClaims,
  orgId: string,
  roles: readonly Role[],
  now = new Date(),
): Promise<{ org: Org; caller: User }> {
  const caller = await findUserById(auth.sub);
  if (!caller || caller.orgId !== orgId) throw new ApiError('not_found');
  const org = await getOrg(orgId);
  if (!org) throw new ApiError('not_found');
  if (!caller.role || !roles.includes(caller.role)) throw new ApiError('forbidden');
  // A token from before the organisation required MFA (up to one access-token lifetime old) does
  // not keep its holder's standing in it: refreshing it answers the enrollment step instead.
  if (auth.aal !== 2 && org.policy.mode === 'required' && !inGracePeriod(org.policy, now)) {
    throw new ApiError('caller_mfa_required');
  }
  return { org, caller };
}

/**
 * A refused attempt by an owner or admin is itself a security event: it goes to the
 * organisation's audit log (and the caller's activity) before the 403.
 */
export async function refuse(
  org: Org,
  caller: User,
  action: string,
  reason: string,
  context: { ip: string; userAgent: string },
  /** The member the refused action was aimed at: the log says whom it was about. */
  target?: User,
): Promise<never> {
  await recordEvent({
    type: 'org.action_refused',
    userId: caller.userId,
    orgId: org.orgId,
    ...context,
    details: {
      action,
      reason,
      ...(target ? { targetUserId: target.userId, targetEmail: target.email } : {}),
    },
  });
  throw new ApiError('forbidden', { message: reason });
}

/** Changes that bind other people need the caller to have used MFA in this session. */
export function requireAal2(auth: AccessClaims): void {
  if (auth.aal !== 2) throw new ApiError('caller_mfa_required');
}

export const managers: readonly Role[] = ['owner', 'admin'];
export const everyone: readonly Role[] = ['owner', 'admin', 'member'];
