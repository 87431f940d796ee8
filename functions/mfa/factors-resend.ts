import type { Challenge } from '../../shared/db/challenges.ts';
import { getFactor, setChallengeOfFactor } from '../../shared/db/factors.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { resendChallenge, startChallenge } from '../../shared/mfa/delivery.ts';
import * as routes from '../routes/mfa.ts';

export const handler = http(routes.resendFactorCode, async ({ params, auth, ip }) => {
  const factor = await getFactor(auth.sub, params.factorId);
  if (!factor || factor.type === 'totp') throw new ApiError('not_found');
  if (factor.status !== 'pending') throw new ApiError('factor_not_pending');
  const owner = { userId: auth.sub, purpose: 'enroll' as const };

  let challenge: Challenge;
  try {
    challenge = await resendChallenge(factor, factor.challengeId ?? '', owner, { ip });
  } catch (error) {
    // The first code expired: the factor is still pending, so it gets a new challenge (the send
    // caps still apply). A challenge out of attempts is not renewed: more sends must not buy
    // more guesses; the user starts the enrollment over.
    if (!(error instanceof ApiError) || error.code !== 'challenge_expired') throw error;
    challenge = await startChallenge(factor, owner, { ip });
    await setChallengeOfFactor(factor, challenge.challengeId);
  }
  return {
    status: 200,
    body: {
      challengeId: challenge.challengeId,
      expiresAt: challenge.expiresAt,
      resendAvailableAt: challenge.resendAvailableAt,
    },
  };
});
