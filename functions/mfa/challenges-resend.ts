import { getChallenge } from '../../shared/db/challenges.ts';
import { getFactor } from '../../shared/db/factors.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { resendChallenge } from '../../shared/mfa/delivery.ts';
import * as routes from '../routes/mfa.ts';

export const handler = http(routes.resendChallenge, async ({ params, login, ip }) => {
  const owner = { userId: login.userId, purpose: 'login' as const, loginDigest: login.tokenDigest };
  const found = await getChallenge(params.challengeId);
  const factor =
    found?.userId === login.userId && found.factorId
      ? await getFactor(login.userId, found.factorId)
      : undefined;
  if (!found || !factor || factor.status !== 'active') throw new ApiError('challenge_expired');

  // The conditional write in resendChallenge re-checks ownership, cooldown and attempts.
  const challenge = await resendChallenge(factor, params.challengeId, owner, { ip });
  return {
    status: 200,
    body: { expiresAt: challenge.expiresAt, resendAvailableAt: challenge.resendAvailableAt },
  };
});
