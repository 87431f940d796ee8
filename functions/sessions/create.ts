import { verifyAgainstDummy, verifyPassword } from '../../shared/auth/passwords.ts';
import { issueAccessToken } from '../../shared/auth/tokens.ts';
import { config } from '../../shared/config.ts';
import { clearPasswordFailures, reservePasswordAttempt } from '../../shared/db/login-guard.ts';
import { createSession } from '../../shared/db/sessions.ts';
import { findUserByEmail } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { routes } from '../routes.ts';

export const handler = http(routes.createSession, async ({ body, ip, userAgent }) => {
  await reservePasswordAttempt(body.email);

  const user = await findUserByEmail(body.email);
  // Unknown email and wrong password: one answer, one argon2 computation each.
  const valid = user
    ? await verifyPassword(body.password, user.passwordHash)
    : await verifyAgainstDummy(body.password);
  if (!user || !valid) throw new ApiError('invalid_credentials');
  await clearPasswordFailures(body.email);

  const authTime = new Date();
  const { session, refreshToken } = await createSession({
    userId: user.userId,
    orgId: user.orgId,
    role: user.role,
    aal: 1,
    amr: ['pwd'],
    authTime,
    ip,
    userAgent,
  });
  const accessToken = await issueAccessToken({
    userId: user.userId,
    sessionId: session.sessionId,
    orgId: user.orgId,
    role: user.role,
    aal: 1,
    amr: ['pwd'],
    authTime,
    scope: 'full',
  });
  return {
    status: 200,
    body: {
      status: 'authenticated',
      accessToken,
      refreshToken,
      expiresIn: config().accessTokenTtlSeconds,
      mfa: { enabled: false, suggested: false },
    },
  };
});
