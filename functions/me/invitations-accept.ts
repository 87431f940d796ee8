import { openEnrollmentSession } from '../../shared/auth/open-session.ts';
import { notifyOwner } from '../../shared/auth/security-notice.ts';
import { stepUp } from '../../shared/auth/step-up.ts';
import { eventPuts } from '../../shared/db/events.ts';
import { listFactors } from '../../shared/db/factors.ts';
import { joinOrg, listInvitationsTo, removeInvitation } from '../../shared/db/orgs.ts';
import { revokeSession } from '../../shared/db/sessions.ts';
import { guarded, transact } from '../../shared/db/transact.ts';
import { findUserById } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { reportRecoveryUse } from '../../shared/mfa/notices.ts';
import { loginStep, policyFor } from '../../shared/mfa/policy.ts';
import { orgJoined } from '../../shared/notify/templates.ts';
import * as routes from '../routes/me.ts';

/** The invitation used up by joining: gone (revoked, expired, used) means not found. */
function guardedInvitation(email: string, orgId: string, now: Date) {
  const [invitation, orgCopy] = removeInvitation(email, orgId, now, { live: true });
  return [guarded(invitation, new ApiError('not_found')), orgCopy];
}

export const handler = http(routes.acceptInvitation, async ({ params, body, auth, ip, userAgent }) => {
  const user = await findUserById(auth.sub);
  if (!user) throw new ApiError('unauthorized');
  // Joining hands the organisation's admins power over this account's MFA (policy, reset): like
  // any change to it, a user with MFA proves a factor for it (a verification, or a session that
  // proved one minutes ago), not merely an old aal 2 session or a password.
  const context = { ip, userAgent };
  if ((user.activeFactors ?? 0) > 0 && auth.aal !== 2 && !body?.verification) {
    throw new ApiError('caller_mfa_required');
  }
  // What can refuse the join comes before the proof: a code sent with a request that fails
  // anyway must not be counted as a wrong guess, nor reserved and never given back.
  if (user.orgId) throw new ApiError('already_in_org');
  const invitation = (await listInvitationsTo(user.email)).find((item) => item.orgId === params.orgId);
  if (!invitation) throw new ApiError('not_found');
  const proof = await stepUp(user, auth, body?.verification, context);

  const now = new Date();
  const proofItems = proof?.items ?? [];
  await transact(
    [
      ...proofItems,
      ...guardedInvitation(user.email, invitation.orgId, now),
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
    // The proof's items and the invitation answer their own conflicts; the rest is the org join.
    () => new ApiError('already_in_org'),
    proof?.lost,
  );
  if (proof) await reportRecoveryUse(user, proof, context);
  await notifyOwner(
    user,
    (reportUrl) =>
      orgJoined({ at: now, ...context, orgName: invitation.orgName, role: invitation.role, reportUrl }),
    'org.member_added',
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
