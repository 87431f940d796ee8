import { managers, orgAccess, refuse, requireAal2 } from '../../shared/auth/org-access.ts';
import { stepUp } from '../../shared/auth/step-up.ts';
import { table } from '../../shared/db/client.ts';
import { eventPuts } from '../../shared/db/events.ts';
import { type MfaPolicy, orgKey } from '../../shared/db/orgs.ts';
import { transact } from '../../shared/db/transact.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { weakenings } from '../../shared/mfa/policy.ts';
import * as routes from '../routes/orgs.ts';

export const handler = http(routes.putMfaPolicy, async ({ params, body, auth, ip, userAgent }) => {
  const context = { ip, userAgent };
  const { org, caller } = await orgAccess(auth, params.orgId, managers);
  // An owner must use MFA before forcing it on everyone, and a policy is not loosened by a
  // stolen password alone either: every change needs an aal 2 session.
  requireAal2(auth);
  const { verification, ...asked } = body;
  const weaker = weakenings(org.policy, asked);
  if (weaker.length > 0) {
    // Admins may only tighten: a weaker policy (a lower mode, more factor types, longer
    // remembered devices or grace) binds the owner too, and only the owner decides that. With
    // a proof of a factor made now (a remembered device or an old session is not one).
    if (caller.role !== 'owner') {
      await refuse(
        org,
        caller,
        'org.policy_changed',
        `Only the owner can weaken the policy (${weaker.join(', ')}).`,
        context,
      );
    }
  }
  const proof = weaker.length > 0 ? await stepUp(caller, auth, verification, context) : undefined;

  const now = new Date();
  const keepsRequired = org.policy.mode === 'required' && body.mode === 'required';
  const policy: MfaPolicy = {
    ...asked,
    // The grace period counts from the moment `required` was switched on, not from each edit.
    ...(body.mode === 'required'
      ? { requiredSince: keepsRequired ? org.policy.requiredSince : now.toISOString() }
      : {}),
  };
  await transact(
    [
      ...(proof?.items ?? []),
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
    () => proof?.conflict ?? new ApiError('not_found'),
    proof?.lost,
  );
  return { status: 200, body: { policy } };
});
