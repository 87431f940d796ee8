import { ulid } from 'ulid';
import { issueAccountCode, type PreparedCode, prepareAccountCode } from '../../shared/auth/account-codes.ts';
import { hashPassword } from '../../shared/auth/passwords.ts';
import { voidChallenge } from '../../shared/db/challenges.ts';
import { transact } from '../../shared/db/transact.ts';
import { isVerified, normaliseEmail, readAccount, unverifiedAccountPuts } from '../../shared/db/users.ts';
import { http } from '../../shared/http/handler.ts';
import { routes } from '../routes.ts';

class Raced extends Error {}
// Each round at least one of the racing sign-ups commits, so this bounds a burst of that size.
const MAX_ROUNDS = 16;

/**
 * Writes the sign-up: a new unverified account (or one in place of an unverified one, whose
 * code dies) with a working code, or, for a verified account, a code that matches nothing.
 * Parallel sign-ups for one address serialise on the conditions: each loser reads again.
 */
async function register(email: string, passwordHash: string, now: Date): Promise<PreparedCode> {
  for (let round = 0; ; round++) {
    const { userId, user } = await readAccount(email);
    if (user && isVerified(user)) {
      const prepared = await prepareAccountCode('signup', email, undefined, now);
      await transact([prepared.put]);
      return prepared;
    }
    const id = userId ?? ulid();
    const prepared = await prepareAccountCode('signup', email, id, now);
    const { items } = unverifiedAccountPuts(
      { userId: id, email, passwordHash, verificationId: prepared.challenge.challengeId },
      user,
      now,
    );
    const replaced = user?.verificationId ? [voidChallenge(user.verificationId)] : [];
    try {
      await transact([...items, ...replaced, prepared.put], () => new Raced());
      return prepared;
    } catch (error) {
      if (error instanceof Raced && round < MAX_ROUNDS) continue;
      throw error;
    }
  }
}

export const handler = http(routes.createUser, async ({ body, ip, userAgent }) => {
  const now = new Date();
  const email = normaliseEmail(body.email);
  // The same work for every address, with or without an account: one hash, two reads, one
  // write, one email. Only the answer's owner can tell the cases apart, from the email.
  const passwordHash = await hashPassword(body.password);
  const challenge = await issueAccountCode('signup', email, { ip, userAgent }, now, () =>
    register(email, passwordHash, now),
  );
  return {
    status: 202,
    body: {
      verificationId: challenge.challengeId,
      expiresAt: challenge.expiresAt,
      resendAvailableAt: challenge.resendAvailableAt,
    },
  };
});
