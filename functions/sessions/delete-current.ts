import { recordEvent } from '../../shared/db/events.ts';
import { revokeSession } from '../../shared/db/sessions.ts';
import { http } from '../../shared/http/handler.ts';
import * as routes from '../routes/sessions.ts';

export const handler = http(routes.deleteCurrentSession, async function signOut({ auth, ip, userAgent }) {
  // Recorded by the sign-out that ended the session: two at once (a double click) leave one event.
  if (await revokeSession(auth.sid, 'logout')) {
    const details = { sessionId: auth.sid, reason: 'logout' };
    await recordEvent({ type: 'session.revoked', userId: auth.sub, ip, userAgent, details });
  }
  return { status: 204 };
});
