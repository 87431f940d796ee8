import type { Route } from '../../shared/http/route.ts';
import * as z from '../../shared/zod.ts';
import * as ops from '../ops/schemas.ts';

/**
 * The route table's entries of the handlers in `functions/keys/`; functions/routes.ts assembles
 * them. A handler imports its own module (`import * as routes from '../routes/keys.ts'`), so its
 * bundle holds its own area's entries and schemas, not every route's.
 */

export const jwks = {
  method: 'GET',
  path: '/.well-known/jwks.json',
  module: 'keys/jwks',
  auth: 'none',
  permissions: ['table:read'],
  summary:
    'Public keys that verify access tokens (RFC 7517): the signing key, the next one and retired ones whose tokens may still be live.',
  responses: {
    200: {
      description: 'JSON Web Key Set.',
      schema: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }),
    },
  },
} as const satisfies Route;

export const openidConfiguration = {
  method: 'GET',
  path: '/.well-known/openid-configuration',
  module: 'keys/discovery',
  auth: 'none',
  permissions: ['table:read'],
  summary:
    'OpenID Connect discovery for token verifiers (API Gateway JWT authorizers, `jose`): issuer, JWKS URL, algorithms, scopes and claims. Not an OpenID provider: no authorization or token endpoint.',
  responses: { 200: { description: 'Discovery document.', schema: ops.discoveryDocument } },
} as const satisfies Route;
