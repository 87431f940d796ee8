import { listEvents } from '../../shared/db/events.ts';
import { http } from '../../shared/http/handler.ts';
import * as routes from '../routes/me.ts';

export const handler = http(routes.listMyEvents, async ({ query, auth }) => {
  const page = await listEvents(`USER#${auth.sub}`, query.limit, query.cursor);
  return { status: 200, body: page };
});
