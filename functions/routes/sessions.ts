import type { Route } from '../../shared/http/route.ts';
import {
  createSessionBody,
  refreshSessionBody,
  sessionAnswer,
  sessionRefreshed,
} from '../sessions/schemas.ts';
import { keyring, readWrite } from './common.ts';

/**
 * The route table's entries of the handlers in `functions/sessions/`; functions/routes.ts assembles
 * them. A handler imports its own module (`import * as routes from '../routes/sessions.ts'`), so its
 * bundle holds its own area's entries and schemas, not every route's.
 */

export const createSession = {
  method: 'POST',
  path: '/v1/sessions',
  module: 'sessions/create',
  throttle: { rateLimit: 600, burstLimit: 1200 },
  ipLimit: 'login',
  auth: 'none',
  // ses:send: the owner is told when wrong passwords lock the account.
  permissions: [...readWrite, ...keyring, 'ses:send'],
  summary: 'Log in with a password.',
  body: createSessionBody,
  responses: {
    200: {
      description: 'Authenticated, or the next step (MFA) the client must take.',
      schema: sessionAnswer,
    },
  },
  errors: ['invalid_request', 'invalid_credentials', 'locked', 'rate_limited', 'delivery_failed'],
} as const satisfies Route;

export const refreshSession = {
  method: 'POST',
  path: '/v1/sessions/refresh',
  module: 'sessions/refresh',
  auth: 'none',
  permissions: ['table:read', 'table:write', ...keyring],
  summary:
    'Exchange a refresh token for new tokens (claims as they are now), or the enrollment step the organisation now requires; the presented one stops working.',
  body: refreshSessionBody,
  responses: { 200: { description: 'New tokens.', schema: sessionRefreshed } },
  errors: ['invalid_request', 'unauthorized'],
} as const satisfies Route;

export const deleteCurrentSession = {
  method: 'DELETE',
  path: '/v1/sessions/current',
  module: 'sessions/delete-current',
  auth: 'bearer',
  permissions: ['table:read', 'table:write'],
  summary: 'Log out: revokes the session and its refresh token.',
  responses: { 204: { description: 'The session is revoked.' } },
  errors: ['unauthorized'],
} as const satisfies Route;
