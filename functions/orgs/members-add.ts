import { managers, orgAccess } from '../../shared/auth/org-access.ts';
import { config } from '../../shared/config.ts';
import { eventPuts } from '../../shared/db/events.ts';
import { invite } from '../../shared/db/orgs.ts';
import { withAllowances } from '../../shared/db/rate.ts';
import { transact } from '../../shared/db/transact.ts';
import { findUserByEmail, isVerified, normaliseEmail } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { notifyAccount } from '../../shared/notify/email.ts';
import { orgInvitation, orgSignupInvitation } from '../../shared/notify/templates.ts';
import * as routes from '../routes/orgs.ts';

export const handler = http(routes.addMember, async ({ params, body, auth, ip, userAgent }) => {
  const { org, caller } = await orgAccess(auth, params.orgId, managers);
  const now = new Date();
  const email = normaliseEmail(body.email);
  const invitee = await findUserByEmail(email, now);
  const verified = invitee !== undefined && isVerified(invitee);
  // One of this organisation's members already: the admin sees them listed, so this tells nothing.
  if (verified && invitee.orgId === org.orgId) throw new ApiError('already_in_org');

  // Every other address is answered alike, whether it has an account, an unverified one, or one
  // in another organisation: an invitation to the address, which only its verified owner can
  // see and accept (POST /v1/me/invitations/{orgId}/accept). Each one emails the address and
  // anyone can create an organisation, so they are capped per admin, organisation and address.
  const { invitesPerAdminPerHour, invitesPerOrgPerDay, invitesPerAddressPerDay, invitationTtlDays } =
    config();
  const { invitation, puts } = invite(org, email, body.role, caller, now);
  await withAllowances(
    [
      { scope: 'invite-admin', key: caller.userId, seconds: 3600, limit: invitesPerAdminPerHour },
      { scope: 'invite-org', key: org.orgId, seconds: 86_400, limit: invitesPerOrgPerDay },
      { scope: 'invite-address', key: email, seconds: 86_400, limit: invitesPerAddressPerDay },
    ],
    now,
    () =>
      transact([
        ...puts,
        ...eventPuts(
          {
            type: 'org.member_invited',
            userId: caller.userId,
            orgId: org.orgId,
            ip,
            userAgent,
            details: { email, role: body.role },
          },
          now,
        ),
      ]),
  );
  const occurrence = { at: now, orgName: org.name, role: body.role };
  await notifyAccount(
    email,
    verified ? orgInvitation(occurrence) : orgSignupInvitation({ ...occurrence, days: invitationTtlDays }),
    { userId: caller.userId, event: 'org.member_invited' },
  );
  return {
    status: 201,
    body: { status: 'invited', email, role: body.role, expiresAt: invitation.expiresAt },
  };
});
