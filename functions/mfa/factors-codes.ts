import { getFactor } from '../../shared/db/factors.ts';
import { findUserById } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { startChallenge } from '../../shared/mfa/delivery.ts';
import { policyFor } from '../../shared/mfa/policy.ts';
import * as routes from '../routes/mfa.ts';

export const handler = http(routes.sendFactorCode, async ({ params, auth, ip }) => {
  const factor = await getFactor(auth.sub, params.factorId);
  if (factor?.status !== 'active' || factor.type === 'totp') throw new ApiError('not_found');
  const user = await findUserById(auth.sub);
  // A code from a type the policy disallows would prove nothing: do not spend a send on it.
  if (!user || !(await policyFor(user)).allowedFactorTypes.includes(factor.type)) {
    throw new ApiError('factor_type_not_allowed');
  }
  const challenge = await startChallenge(factor, { userId: auth.sub, purpose: 'verify' }, { ip });
  return {
    status: 201,
    body: {
      challengeId: challenge.challengeId,
      expiresAt: challenge.expiresAt,
      resendAvailableAt: challenge.resendAvailableAt,
    },
  };
});
