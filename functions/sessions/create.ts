import { pendingVerification } from '../../shared/auth/account-codes.ts';
import { loginAnswer } from '../../shared/auth/login-answer.ts';
import { checkLoginPassword } from '../../shared/auth/password-check.ts';
import { findUserByEmail } from '../../shared/db/users.ts';
import { http } from '../../shared/http/handler.ts';
import * as routes from '../routes/sessions.ts';

export const handler = http(routes.createSession, async ({ body, ip, userAgent }) => {
  const context = { ip, userAgent };
  const found = await findUserByEmail(body.email);
  const { user, signupAttempt } = await checkLoginPassword(body.email, found, body.password, context);
  // The right password to an address nobody has proven yet, or the password of a recent
  // sign-up for an address that has an account: both answer alike, and only the emailed code
  // (which the second never had) goes further.
  if (user.unverified || signupAttempt) {
    const verification = await pendingVerification(user, context, { attempt: signupAttempt });
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
