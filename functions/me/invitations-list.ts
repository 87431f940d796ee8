import { listInvitationsTo } from '../../shared/db/orgs.ts';
import { findUserById } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import * as routes from '../routes/me.ts';

export const handler = http(routes.listMyInvitations, async ({ auth }) => {
  const user = await findUserById(auth.sub);
  if (!user) throw new ApiError('unauthorized');
  // Invitations go to an address; a token is only ever issued to its verified owner.
  const invitations = await listInvitationsTo(user.email);
  return {
    status: 200,
    body: {
      invitations: invitations.map(({ orgId, orgName, role, createdAt, expiresAt }) => ({
        orgId,
        orgName,
        role,
        createdAt,
        expiresAt,
      })),
    },
  };
});
