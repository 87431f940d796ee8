import { secondToTheMailbox } from '../../shared/auth/password-reset.ts';
import { recordEvent } from '../../shared/db/events.ts';
import { publicFactor } from '../../shared/db/factors.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { startChallenge } from '../../shared/mfa/delivery.ts';
import { policyFor } from '../../shared/mfa/policy.ts';
import * as routes from '../routes/mfa.ts';

export const handler = http(routes.createChallenge, async ({ login, ip, userAgent }) => {
  const { factor, user } = login;
  // Another user's factor id, a pending factor and a missing one: the same 404.
  if (factor?.status !== 'active') throw new ApiError('not_found');
  // The organisation may have stopped allowing this type since the factor was added.
  if (!(await policyFor(user)).allowedFactorTypes.includes(factor.type)) {
    throw new ApiError('factor_type_not_allowed');
  }
  // A reset was started with a code to the account's address: that mailbox cannot also be its MFA.
  if (login.reset && secondToTheMailbox(factor, user)) throw new ApiError('factor_type_not_allowed');

  const challenge = await startChallenge(
    factor,
    { userId: login.userId, purpose: 'login', loginDigest: login.tokenDigest },
    { ip },
  );
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
