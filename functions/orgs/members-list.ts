import { managers, orgAccess } from '../../shared/auth/org-access.ts';
import { listFactors } from '../../shared/db/factors.ts';
import { listMembers } from '../../shared/db/orgs.ts';
import { http } from '../../shared/http/handler.ts';
import * as routes from '../routes/orgs.ts';

export const handler = http(routes.listMembers, async ({ params, auth }) => {
  const { org } = await orgAccess(auth, params.orgId, managers);
  const members = await listMembers(org.orgId);
  // One Query per member: fine for the organisation sizes a member list is shown for; a large
  // tenant would want the factor types kept on the member item instead.
  const rows = await Promise.all(
    members.map(async (member) => {
      const types = (await listFactors(member.userId))
        .filter((f) => f.status === 'active')
        .map((f) => f.type);
      return {
        userId: member.userId,
        email: member.email,
        role: member.role,
        mfaEnabled: types.length > 0,
        factorTypes: [...new Set(types)].sort(),
      };
    }),
  );
  return { status: 200, body: { members: rows } };
});
