import { recordEvent } from '../../shared/db/events.ts';
import { revokeOtherSessions } from '../../shared/db/sessions.ts';
import { http } from '../../shared/http/handler.ts';
import * as routes from '../routes/me.ts';

// "Sign out everywhere" else: every session but the caller's, with no step-up (it only takes away).
export const handler = http(
  routes.deleteMyOtherSessions,
  async function signOutElsewhere({ auth, ip, userAgent }) {
    const count = await revokeOtherSessions(auth.sub, 'signed_out_everywhere', auth.sid);
    // Nothing ended, nothing to report.
    if (count > 0) {
      const details = { reason: 'signed_out_everywhere', count };
      await recordEvent({ type: 'session.revoked', userId: auth.sub, ip, userAgent, details });
    }
    return { status: 204 };
  },
);
