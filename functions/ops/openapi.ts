import { http } from '../../shared/http/handler.ts';
import { openApiDocument } from '../../shared/http/openapi.ts';
import { routeList, routes } from '../routes.ts';

// Built once per container from the route table: the document cannot drift from the routes.
let document: unknown;

export const handler = http(routes.openapi, async () => {
  document ??= openApiDocument(routeList);
  return { status: 200, body: document };
});
