import { issueAccessToken } from '../../shared/auth/tokens.ts';
import { config } from '../../shared/config.ts';
import { rotateRefreshToken } from '../../shared/db/sessions.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { log } from '../../shared/http/logger.ts';
import { routes } from '../routes.ts';

export const handler = http(routes.refreshSession, async ({ body, requestId }) => {
  const rotated = await rotateRefreshToken(body.refreshToken);
  if (!rotated.ok) {
    if (rotated.reuse) log.warn('refresh token reuse: session revoked', { requestId });
    throw new ApiError('unauthorized', { message: 'The refresh token is not valid.' });
  }
  const { session, refreshToken } = rotated;
  const accessToken = await issueAccessToken({
    userId: session.userId,
    sessionId: session.sessionId,
    orgId: session.orgId,
    role: session.role,
    aal: session.aal,
    amr: session.amr,
    authTime: new Date(session.authTime),
    scope: 'full',
  });
  return { status: 200, body: { accessToken, refreshToken, expiresIn: config().accessTokenTtlSeconds } };
});
