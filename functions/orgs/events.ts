import { managers, orgAccess } from '../../shared/auth/org-access.ts';
import { listEvents } from '../../shared/db/events.ts';
import { emailsOf } from '../../shared/db/users.ts';
import { http } from '../../shared/http/handler.ts';
import * as routes from '../routes/orgs.ts';

export const handler = http(routes.listOrgEvents, async function listOrgEvents({ params, query, auth }) {
  const { org } = await orgAccess(auth, params.orgId, managers);
  const page = await listEvents(`ORG#${org.orgId}`, query.limit, query.cursor);
  // Ids mean nothing to the people reading the log: the addresses, looked up at once for the page
  // (as they are now, not as they were; an account gone since reads as null).
  const emails = await emailsOf(page.events.flatMap((event) => [event.actorId, event.userId]));
  const events = page.events.map((event) => ({
    ...event,
    actorEmail: emails.get(event.actorId) ?? null,
    userEmail: emails.get(event.userId) ?? null,
  }));
  return { status: 200, body: { events, nextCursor: page.nextCursor } };
});
