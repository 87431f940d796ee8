import { resendAccountCode } from '../../shared/auth/account-codes.ts';
import { http } from '../../shared/http/handler.ts';
import * as routes from '../routes/users.ts';

export const handler = http(routes.resendUserVerification, async ({ body, ip, userAgent }) => {
  const challenge = await resendAccountCode('signup', body.verificationId, { ip, userAgent });
  return {
    status: 200,
    body: { expiresAt: challenge.expiresAt, resendAvailableAt: challenge.resendAvailableAt },
  };
});
