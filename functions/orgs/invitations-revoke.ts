import { managers, orgAccess } from '../../shared/auth/org-access.ts';
import { eventPuts } from '../../shared/db/events.ts';
import { removeInvitation } from '../../shared/db/orgs.ts';
import { transact } from '../../shared/db/transact.ts';
import { normaliseEmail } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import * as routes from '../routes/orgs.ts';

export const handler = http(routes.revokeOrgInvitation, async ({ params, auth, ip, userAgent }) => {
  const { org, caller } = await orgAccess(auth, params.orgId, managers);
  const now = new Date();
  const email = normaliseEmail(params.email);
  await transact(
    [
      ...removeInvitation(email, org.orgId, now),
      ...eventPuts(
        {
          type: 'org.invitation_revoked',
          userId: caller.userId,
          orgId: org.orgId,
          ip,
          userAgent,
          details: { email },
        },
        now,
      ),
    ],
    () => new ApiError('not_found'),
  );
  return { status: 204 };
});
