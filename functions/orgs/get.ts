import { everyone, orgAccess } from '../../shared/auth/org-access.ts';
import { http } from '../../shared/http/handler.ts';
import * as routes from '../routes/orgs.ts';

export const handler = http(routes.getOrg, async ({ params, auth }) => {
  const { org } = await orgAccess(auth, params.orgId, everyone);
  return { status: 200, body: { orgId: org.orgId, name: org.name, policy: org.policy } };
});
