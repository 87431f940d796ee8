import { issueAccountCode, prepareAccountCode } from '../../shared/auth/account-codes.ts';
import { currentReset, replaceReset } from '../../shared/db/challenges.ts';
import { transact } from '../../shared/db/transact.ts';
import { findUserByEmail, isVerified, normaliseEmail } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import * as routes from '../routes/password-resets.ts';

/** A parallel reset of the same address replaced the current one first. */
class Raced extends Error {}

export const handler = http(routes.createPasswordReset, async ({ body, ip, userAgent }) => {
  const now = new Date();
  const email = normaliseEmail(body.email);
  // Every address: three reads, one write, one email. Only a verified account's email has a
  // code, and only the newest reset's code works: each one ends the one before.
  const seen = await currentReset(email);
  try {
    const challenge = await issueAccountCode('reset', email, { ip, userAgent }, now, async () => {
      const user = await findUserByEmail(email, now);
      const prepared = await prepareAccountCode(
        'reset',
        email,
        user && isVerified(user) ? user.userId : undefined,
        now,
      );
      await transact([prepared.put, ...replaceReset(email, prepared.challenge, seen)], () => new Raced());
      return prepared;
    });
    return { status: 202, body: { resetId: challenge.challengeId, expiresAt: challenge.expiresAt } };
  } catch (error) {
    if (!(error instanceof Raced)) throw error;
    // A double click: the other request's reset is the live one (its email is on its way), and
    // this one took nothing (its allowances were given back).
    const winner = await currentReset(email);
    if (!winner) throw new ApiError('internal_error', { cause: error });
    return { status: 202, body: winner };
  }
});
