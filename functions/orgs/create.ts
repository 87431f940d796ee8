import { config } from '../../shared/config.ts';
import { table } from '../../shared/db/client.ts';
import { eventPuts } from '../../shared/db/events.ts';
import { defaultPolicy, joinOrg, newOrgId, orgKey } from '../../shared/db/orgs.ts';
import { transact } from '../../shared/db/transact.ts';
import { findUserById } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import * as routes from '../routes/orgs.ts';

export const handler = http(routes.createOrg, async ({ body, auth, ip, userAgent }) => {
  const user = await findUserById(auth.sub);
  if (!user) throw new ApiError('unauthorized');
  if (user.orgId) throw new ApiError('already_in_org');

  const now = new Date();
  const orgId = newOrgId();
  const org = {
    ...orgKey(orgId),
    orgId,
    name: body.name,
    policy: defaultPolicy(config().rememberDeviceDays),
    createdAt: now.toISOString(),
  };
  await transact(
    [
      { Put: { TableName: table(), Item: org, ConditionExpression: 'attribute_not_exists(pk)' } },
      ...joinOrg(orgId, user, 'owner', now),
      ...eventPuts(
        { type: 'org.member_added', userId: user.userId, orgId, ip, userAgent, details: { role: 'owner' } },
        now,
      ),
    ],
    // The profile's condition failed: a parallel request put the user in an organisation.
    () => new ApiError('already_in_org'),
  );
  return { status: 201, body: { orgId } };
});
