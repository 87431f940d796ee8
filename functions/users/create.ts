import { ulid } from 'ulid';
import { issueAccountCode, type PreparedCode, prepareAccountCode } from '../../shared/auth/account-codes.ts';
import { assertStrongPassword } from '../../shared/auth/password-policy.ts';
import { hashPassword, passwordTag } from '../../shared/auth/passwords.ts';
import { voidChallenge } from '../../shared/db/challenges.ts';
import { type TransactItem, transact } from '../../shared/db/transact.ts';
import {
  isVerified,
  normaliseEmail,
  readAccount,
  recordSignupAttempt,
  unverifiedAccountPuts,
} from '../../shared/db/users.ts';
import { http } from '../../shared/http/handler.ts';
import * as routes from '../routes/users.ts';

class Raced extends Error {}
// Each round at least one of the racing sign-ups commits, so this bounds a burst of that size.
const MAX_ROUNDS = 16;

/**
 * Writes the sign-up: a new unverified account (or one in place of an unverified one, whose
 * code dies) with a working code; or, for a verified account, a code that matches nothing and
 * the attempt's password under the account's salt, so that logging in with it answers as for
 * an unverified account. One argon2id derivation in every case. Parallel sign-ups for one
 * address serialise on the conditions: each loser reads again.
 */
async function register(email: string, password: string, now: Date): Promise<PreparedCode> {
  let passwordHash: string | undefined;
  for (let round = 0; ; round++) {
    const { userId, user } = await readAccount(email);
    let items: TransactItem[];
    let prepared: PreparedCode;
    if (user && isVerified(user)) {
      prepared = await prepareAccountCode('signup', email, undefined, now);
      const tag = (await passwordTag(password, user.passwordHash)) ?? '';
      const previous = user.signupAttempt?.verificationId;
      items = [
        recordSignupAttempt(user, tag, prepared.challenge.challengeId, now),
        ...(previous ? [voidChallenge(previous)] : []),
      ];
    } else {
      const id = userId ?? ulid();
      prepared = await prepareAccountCode('signup', email, id, now);
      passwordHash ??= await hashPassword(password);
      const account = { userId: id, email, passwordHash, verificationId: prepared.challenge.challengeId };
      items = [
        ...unverifiedAccountPuts(account, user, now).items,
        ...(user?.verificationId ? [voidChallenge(user.verificationId)] : []),
      ];
    }
    try {
      await transact([...items, prepared.put], () => new Raced());
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
  // About the password alone, never the address: it answers alike whoever has the address.
  await assertStrongPassword(body.password, email);
  // The same work for every address, with or without an account: two reads, one argon2id
  // derivation, one write, one email. Only the owner of the address can tell, from the email.
  const challenge = await issueAccountCode('signup', email, { ip, userAgent }, now, () =>
    register(email, body.password, now),
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
