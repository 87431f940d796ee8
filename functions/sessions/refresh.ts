import { refreshSession } from '../../shared/auth/refresh.ts';
import { http } from '../../shared/http/handler.ts';
import * as routes from '../routes/sessions.ts';

export const handler = http(routes.refreshSession, async ({ body, ip, userAgent, requestId }) => {
  return { status: 200, body: await refreshSession(body.refreshToken, { ip, userAgent, requestId }) };
});
