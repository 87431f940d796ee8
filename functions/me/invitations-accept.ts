import { openEnrollmentSession } from '../../shared/auth/open-session.ts';
import { eventPuts } from '../../shared/db/events.ts';
import { listFactors } from '../../shared/db/factors.ts';
import { joinOrg, listInvitationsTo, removeInvitation } from '../../shared/db/orgs.ts';
import { revokeSession } from '../../shared/db/sessions.ts';
import { transact } from '../../shared/db/transact.ts';
import { findUserById } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { loginStep, policyFor } from '../../shared/mfa/policy.ts';
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
  // An organisation that requires MFA of a member without a factor: enrollment comes at once,
  // inside this session (seed 001), exactly as the next login or refresh would demand it. The
  // full session ends; the enrollment token's activation opens the next one. Otherwise the next
  // refresh carries the `org` claim (access checks read the profile meanwhile).
  const joined = { orgId: invitation.orgId, role: invitation.role };
  const member = { ...user, orgId: invitation.orgId, role: invitation.role };
  const [policy, factors] = await Promise.all([policyFor(member), listFactors(user.userId)]);
  const step = loginStep(
    policy,
    factors.filter((factor) => factor.status === 'active'),
    now,
  );
  if (step.kind !== 'enrollment_required') return { status: 200, body: joined };
  await revokeSession(auth.sid, 'enrollment_required', now);
  const { enrollmentToken, expiresIn } = await openEnrollmentSession(member, { ip, userAgent }, now);
  return {
    status: 200,
    body: {
      ...joined,
      status: 'mfa_enrollment_required',
      enrollmentToken,
      expiresIn,
      allowedFactorTypes: step.allowedFactorTypes,
    },
  };
});
