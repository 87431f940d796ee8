import { pendingVerification } from '../../shared/auth/account-codes.ts';
import { loginAnswer } from '../../shared/auth/login-answer.ts';
import { checkPassword } from '../../shared/auth/password-check.ts';
import { findUserByEmail } from '../../shared/db/users.ts';
import { http } from '../../shared/http/handler.ts';
import { routes } from '../routes.ts';

export const handler = http(routes.createSession, async ({ body, ip, userAgent }) => {
  const context = { ip, userAgent };
  const user = await checkPassword(body.email, await findUserByEmail(body.email), body.password, context);
  // The right password to an address nobody has proven yet: only the emailed code goes further.
  if (user.unverified) {
    const verification = await pendingVerification(user, context);
    return {
      status: 200,
      body: {
        status: 'email_verification_required',
        verificationId: verification.challengeId,
        expiresAt: verification.expiresAt,
        resendAvailableAt: verification.resendAvailableAt,
      },
    };
  }
  return { status: 200, body: await loginAnswer(user, context, body.deviceToken) };
});
