import { issueAccountCode, prepareAccountCode } from '../../shared/auth/account-codes.ts';
import { transact } from '../../shared/db/transact.ts';
import { findUserByEmail, isVerified, normaliseEmail } from '../../shared/db/users.ts';
import { http } from '../../shared/http/handler.ts';
import { routes } from '../routes.ts';

export const handler = http(routes.createPasswordReset, async ({ body, ip, userAgent }) => {
  const now = new Date();
  const email = normaliseEmail(body.email);
  // Every address: two reads, one write, one email. Only a verified account's email has a code.
  const challenge = await issueAccountCode('reset', email, { ip, userAgent }, now, async () => {
    const user = await findUserByEmail(email, now);
    const prepared = await prepareAccountCode(
      'reset',
      email,
      user && isVerified(user) ? user.userId : undefined,
      now,
    );
    await transact([prepared.put]);
    return prepared;
  });
  return { status: 202, body: { resetId: challenge.challengeId, expiresAt: challenge.expiresAt } };
});
