import { recordEvent } from '../../shared/db/events.ts';
import { revokeOwnSession } from '../../shared/db/sessions.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import * as routes from '../routes/me.ts';

// Ending a session needs no step-up: taking access away is always allowed.
export const handler = http(
  routes.deleteMySession,
  async function endSession({ params, auth, ip, userAgent }) {
    if (!(await revokeOwnSession(auth.sub, params.sessionId, 'ended_by_user')))
      throw new ApiError('not_found');
    const details = { sessionId: params.sessionId, reason: 'ended_by_user' };
    await recordEvent({ type: 'session.revoked', userId: auth.sub, ip, userAgent, details });
    return { status: 204 };
  },
);
