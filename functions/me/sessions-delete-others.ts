import { revokeOtherSessions } from '../../shared/db/sessions.ts';
import { http } from '../../shared/http/handler.ts';
import { routes } from '../routes.ts';

// "Sign out everywhere" else: every session but the caller's, with no step-up (it only takes away).
export const handler = http(routes.deleteMyOtherSessions, async ({ auth }) => {
  await revokeOtherSessions(auth.sub, 'signed_out_everywhere', auth.sid);
  return { status: 204 };
});
