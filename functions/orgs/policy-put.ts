import { managers, orgAccess, requireAal2 } from '../../shared/auth/org-access.ts';
import { table } from '../../shared/db/client.ts';
import { eventPuts } from '../../shared/db/events.ts';
import { type MfaPolicy, orgKey } from '../../shared/db/orgs.ts';
import { transact } from '../../shared/db/transact.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { routes } from '../routes.ts';

export const handler = http(routes.putMfaPolicy, async ({ params, body, auth, ip, userAgent }) => {
  const { org, caller } = await orgAccess(auth, params.orgId, managers);
  // An owner must use MFA before forcing it on everyone, and a policy is not loosened by a
  // stolen password alone either: every change needs an aal 2 session.
  requireAal2(auth);

  const now = new Date();
  const keepsRequired = org.policy.mode === 'required' && body.mode === 'required';
  const policy: MfaPolicy = {
    ...body,
    // The grace period counts from the moment `required` was switched on, not from each edit.
    ...(body.mode === 'required'
      ? { requiredSince: keepsRequired ? org.policy.requiredSince : now.toISOString() }
      : {}),
  };
  await transact(
    [
      {
        Update: {
          TableName: table(),
          Key: orgKey(org.orgId),
          UpdateExpression: 'SET policy = :policy',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':policy': policy },
        },
      },
      ...eventPuts(
        {
          type: 'org.policy_changed',
          userId: caller.userId,
          orgId: org.orgId,
          ip,
          userAgent,
          details: { from: org.policy, to: policy },
        },
        now,
      ),
    ],
    () => new ApiError('not_found'),
  );
  return { status: 200, body: { policy } };
});
