import { managers, orgAccess, refuse, requireAal2 } from '../../shared/auth/org-access.ts';
import { stepUp } from '../../shared/auth/step-up.ts';
import { findUserById } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { resetMemberMfa } from '../../shared/mfa/reset.ts';
import * as routes from '../routes/orgs.ts';

export const handler = http(routes.resetMemberMfa, async ({ params, body, auth, ip, userAgent }) => {
  const context = { ip, userAgent };
  const { org, caller } = await orgAccess(auth, params.orgId, managers);
  requireAal2(auth);
  const member = await findUserById(params.userId);
  // Someone outside this organisation looks exactly like nobody.
  if (!member || member.orgId !== org.orgId) throw new ApiError('not_found');
  // Never one's own: with a stolen password and a remembered device (aal 2 without a factor),
  // creating an organisation and resetting oneself would wipe the account's MFA. A lost phone
  // of one's own is what recovery codes are for.
  if (member.userId === caller.userId) {
    await refuse(
      org,
      caller,
      'mfa.reset',
      'Your own MFA cannot be reset here: sign in with a recovery code.',
      context,
      member,
    );
  }
  // Admins reset members; only the owner resets an admin (or is reset by nobody).
  if (member.role !== 'member' && caller.role !== 'owner') {
    const reason =
      member.role === 'owner'
        ? "Nobody can reset the owner's MFA: the owner signs in with a recovery code."
        : 'Only the owner can reset the MFA of an admin.';
    await refuse(org, caller, 'mfa.reset', reason, context, member);
  }
  // Wiping someone's sign-in methods is done with the caller's own, proven now: a verification,
  // or a session that proved a factor minutes ago (not a remembered device, not an old session).
  const proof = await stepUp(caller, auth, body?.verification, context);
  // Always done and logged, even with nothing left to remove: the admin asked for this member.
  await resetMemberMfa(member, { org, caller, context }, { now: new Date(), ...(proof ? { proof } : {}) });
  return { status: 204 };
});
