import { managers, orgAccess } from '../../shared/auth/org-access.ts';
import { eventPuts } from '../../shared/db/events.ts';
import { invite } from '../../shared/db/orgs.ts';
import { hit } from '../../shared/db/rate.ts';
import { transact } from '../../shared/db/transact.ts';
import { findUserByEmail } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { notifyAccount } from '../../shared/notify/email.ts';
import { orgInvitation } from '../../shared/notify/templates.ts';
import { routes } from '../routes.ts';

const INVITES_PER_USER_PER_DAY = 5;
const INVITES_PER_ORG_PER_DAY = 200;

export const handler = http(routes.addMember, async ({ params, body, auth, ip, userAgent }) => {
  const { org, caller } = await orgAccess(auth, params.orgId, managers);
  const user = await findUserByEmail(body.email);
  if (!user) throw new ApiError('not_found', { message: 'No account has this email address.' });
  if (user.orgId) throw new ApiError('already_in_org');

  // An invitation, not a membership: the user accepts it (POST /v1/me/invitations/{orgId}/accept).
  // Each one emails the invitee: anyone can create an organisation, so the emails are capped.
  const now = new Date();
  await hit(
    { scope: 'invite-user', key: user.userId, seconds: 86_400, limit: INVITES_PER_USER_PER_DAY },
    now,
  );
  await hit({ scope: 'invite-org', key: org.orgId, seconds: 86_400, limit: INVITES_PER_ORG_PER_DAY }, now);
  const { puts } = invite(org, user.userId, body.role, caller.userId, now);
  await transact([
    ...puts,
    ...eventPuts(
      {
        type: 'org.member_invited',
        userId: user.userId,
        actorId: caller.userId,
        orgId: org.orgId,
        ip,
        userAgent,
        details: { role: body.role },
      },
      now,
    ),
  ]);
  await notifyAccount(user.email, orgInvitation({ at: now, orgName: org.name, role: body.role }), {
    userId: user.userId,
    event: 'org.member_invited',
  });
  return { status: 201, body: { userId: user.userId, role: body.role, status: 'invited' } };
});
