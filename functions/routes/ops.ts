import type { Route } from '../../shared/http/route.ts';
import * as z from '../../shared/zod.ts';
import * as ops from '../ops/schemas.ts';

/**
 * The route table's entries of the handlers in `functions/ops/`; functions/routes.ts assembles
 * them. A handler imports its own module (`import * as routes from '../routes/ops.ts'`), so its
 * bundle holds its own area's entries and schemas, not every route's.
 */

export const health = {
  method: 'GET',
  path: '/v1/health',
  module: 'ops/health',
  auth: 'none',
  permissions: [],
  summary: 'Liveness.',
  responses: {
    200: { description: 'The service answers.', schema: z.object({ status: z.literal('ok') }) },
  },
} as const satisfies Route;

export const config = {
  method: 'GET',
  path: '/v1/config',
  module: 'ops/config',
  auth: 'none',
  permissions: [],
  summary:
    'The public settings a client adapts to: SMS countries, factor types, password and code lengths, limits. No sign-in; `Cache-Control: public, max-age=300`.',
  responses: { 200: { description: 'The settings in force.', schema: ops.publicConfig } },
} as const satisfies Route;

export const openapi = {
  method: 'GET',
  path: '/v1/openapi.json',
  module: 'ops/openapi',
  auth: 'none',
  permissions: [],
  summary: 'This OpenAPI 3.1 document.',
  responses: { 200: { description: 'OpenAPI 3.1 document.' } },
} as const satisfies Route;
