import { eventPuts } from '../../shared/db/events.ts';
import { joinOrg, listInvitationsTo, removeInvitation } from '../../shared/db/orgs.ts';
import { transact } from '../../shared/db/transact.ts';
import { findUserById } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { routes } from '../routes.ts';

export const handler = http(routes.acceptInvitation, async ({ params, auth, ip, userAgent }) => {
  const user = await findUserById(auth.sub);
  if (!user) throw new ApiError('unauthorized');
  // Joining hands the organisation's admins power over this account's MFA (policy, reset): a
  // stolen password alone must not be enough to hand it over.
  if ((user.activeFactors ?? 0) > 0 && auth.aal !== 2) throw new ApiError('caller_mfa_required');
  if (user.orgId) throw new ApiError('already_in_org');
  const invitation = (await listInvitationsTo(user.email)).find((item) => item.orgId === params.orgId);
  if (!invitation) throw new ApiError('not_found');

  const now = new Date();
  await transact(
    [
      ...removeInvitation(user.email, invitation.orgId, now, { live: true }),
      ...joinOrg(invitation.orgId, user, invitation.role, now),
      ...eventPuts(
        {
          type: 'org.member_added',
          userId: user.userId,
          actorId: invitation.invitedBy,
          orgId: invitation.orgId,
          ip,
          userAgent,
          details: { role: invitation.role },
        },
        now,
      ),
    ],
    (index) => new ApiError(index === 0 ? 'not_found' : 'already_in_org'),
  );
  // The caller's current tokens carry no `org` claim until the next login; access checks read
  // the profile, so nothing waits on it.
  return { status: 200, body: { orgId: invitation.orgId, role: invitation.role } };
});
