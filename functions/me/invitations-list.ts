import { listInvitations } from '../../shared/db/orgs.ts';
import { http } from '../../shared/http/handler.ts';
import { routes } from '../routes.ts';

export const handler = http(routes.listMyInvitations, async ({ auth }) => {
  const invitations = await listInvitations(auth.sub);
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
