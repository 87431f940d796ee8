import { revokeSession } from '../../shared/db/sessions.ts';
import { http } from '../../shared/http/handler.ts';
import { routes } from '../routes.ts';

export const handler = http(routes.deleteCurrentSession, async ({ auth }) => {
  await revokeSession(auth.sid, 'logout');
  return { status: 204 };
});
