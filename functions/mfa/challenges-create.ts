import { recordEvent } from '../../shared/db/events.ts';
import { getFactor, publicFactor } from '../../shared/db/factors.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { startChallenge } from '../../shared/mfa/delivery.ts';
import { routes } from '../routes.ts';

export const handler = http(routes.createChallenge, async ({ body, login, ip, userAgent }) => {
  const factor = await getFactor(login.userId, body.factorId);
  // Another user's factor id, a pending factor and a missing one: the same 404.
  if (factor?.status !== 'active') throw new ApiError('not_found');

  const challenge = await startChallenge(factor, {
    userId: login.userId,
    purpose: 'login',
    loginDigest: login.tokenDigest,
  });
  if (factor.type !== 'totp') {
    await recordEvent({
      type: 'mfa.challenge_sent',
      userId: login.userId,
      ip,
      userAgent,
      details: { factorId: factor.factorId, factorType: factor.type },
    });
  }
  return {
    status: 201,
    body: {
      challengeId: challenge.challengeId,
      factorId: factor.factorId,
      factorType: factor.type,
      destination: publicFactor(factor).destination,
      expiresAt: challenge.expiresAt,
      resendAvailableAt: challenge.resendAvailableAt,
    },
  };
});
