import { checkAccountCode } from '../../shared/auth/account-codes.ts';
import { loginAnswer } from '../../shared/auth/login-answer.ts';
import { consumeChallenge } from '../../shared/db/challenges.ts';
import { eventPuts } from '../../shared/db/events.ts';
import { transact } from '../../shared/db/transact.ts';
import { findUserById, verifyAccountItems } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import * as routes from '../routes/users.ts';

export const handler = http(routes.verifyUser, async ({ body, ip, userAgent }) => {
  const now = new Date();
  const challenge = await checkAccountCode('signup', body.verificationId, body.code, now);
  const user = await findUserById(challenge.userId);
  // Replaced by a later sign-up, or already verified: this code verifies nothing any more.
  if (!user?.unverified || user.verificationId !== challenge.challengeId) {
    throw new ApiError('challenge_expired');
  }
  await transact(
    [
      consumeChallenge(challenge, now),
      ...verifyAccountItems(user, challenge.challengeId, now),
      ...eventPuts({ type: 'user.created', userId: user.userId, ip, userAgent }, now),
    ],
    () => new ApiError('challenge_expired'),
  );
  const { unverified: _u, verificationId: _v, expiresAt: _e, ...verified } = user;
  return { status: 200, body: await loginAnswer(verified, { ip, userAgent }) };
});
