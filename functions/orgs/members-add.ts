import { managers, orgAccess } from '../../shared/auth/org-access.ts';
import { eventPuts } from '../../shared/db/events.ts';
import { joinOrg } from '../../shared/db/orgs.ts';
import { transact } from '../../shared/db/transact.ts';
import { findUserByEmail } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { routes } from '../routes.ts';

export const handler = http(routes.addMember, async ({ params, body, auth, ip, userAgent }) => {
  const { org, caller } = await orgAccess(auth, params.orgId, managers);
  const user = await findUserByEmail(body.email);
  if (!user) throw new ApiError('not_found', { message: 'No account has this email address.' });
  if (user.orgId) throw new ApiError('already_in_org');

  const now = new Date();
  await transact(
    [
      ...joinOrg(org.orgId, user, body.role, now),
      ...eventPuts(
        {
          type: 'org.member_added',
          userId: user.userId,
          actorId: caller.userId,
          orgId: org.orgId,
          ip,
          userAgent,
          details: { role: body.role },
        },
        now,
      ),
    ],
    () => new ApiError('already_in_org'),
  );
  return { status: 201, body: { userId: user.userId, role: body.role } };
});
