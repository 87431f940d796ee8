import { managers, orgAccess } from '../../shared/auth/org-access.ts';
import { listOrgInvitations } from '../../shared/db/orgs.ts';
import { http } from '../../shared/http/handler.ts';
import * as routes from '../routes/orgs.ts';

export const handler = http(routes.listOrgInvitations, async ({ params, auth }) => {
  const { org } = await orgAccess(auth, params.orgId, managers);
  const invitations = await listOrgInvitations(org.orgId);
  return {
    status: 200,
    body: {
      invitations: invitations.map(({ email, role, invitedBy, invitedByEmail, createdAt, expiresAt }) => ({
        email,
        role,
        invitedBy,
        invitedByEmail,
        createdAt,
        expiresAt,
      })),
    },
  };
});
