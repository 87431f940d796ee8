import { getFactor } from '../../shared/db/factors.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { startChallenge } from '../../shared/mfa/delivery.ts';
import { routes } from '../routes.ts';

export const handler = http(routes.sendFactorCode, async ({ params, auth }) => {
  const factor = await getFactor(auth.sub, params.factorId);
  if (factor?.status !== 'active' || factor.type === 'totp') throw new ApiError('not_found');
  const challenge = await startChallenge(factor, { userId: auth.sub, purpose: 'verify' });
  return {
    status: 201,
    body: {
      challengeId: challenge.challengeId,
      expiresAt: challenge.expiresAt,
      resendAvailableAt: challenge.resendAvailableAt,
    },
  };
});
