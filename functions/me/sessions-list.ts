import { listLiveSessions } from '../../shared/db/sessions.ts';
import { http } from '../../shared/http/handler.ts';
import * as routes from '../routes/me.ts';

export const handler = http(routes.listMySessions, async ({ auth }) => {
  const sessions = await listLiveSessions(auth.sub);
  return {
    status: 200,
    body: {
      sessions: sessions.map(({ sessionId, ...rest }) => ({
        id: sessionId,
        ...rest,
        current: sessionId === auth.sid,
      })),
    },
  };
});
