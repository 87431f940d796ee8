import { managers, orgAccess } from '../../shared/auth/org-access.ts';
import { listEvents } from '../../shared/db/events.ts';
import { http } from '../../shared/http/handler.ts';
import { routes } from '../routes.ts';

export const handler = http(routes.listOrgEvents, async ({ params, query, auth }) => {
  const { org } = await orgAccess(auth, params.orgId, managers);
  return { status: 200, body: await listEvents(`ORG#${org.orgId}`, query.limit, query.cursor) };
});
