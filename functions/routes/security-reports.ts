import type { Route } from '../../shared/http/route.ts';
import * as me from '../me/schemas.ts';
import { keyring, readWrite } from './common.ts';

/**
 * The route table's entries of the handlers in `functions/security-reports/`; functions/routes.ts assembles
 * them. A handler imports its own module (`import * as routes from '../routes/security-reports.ts'`), so its
 * bundle holds its own area's entries and schemas, not every route's.
 */

export const reportSecurityEvent = {
  method: 'POST',
  path: '/v1/security-reports',
  module: 'security-reports/create',
  throttle: { rateLimit: 20, burstLimit: 40 },
  auth: 'none',
  permissions: [...readWrite, ...keyring, 'ses:send'],
  summary:
    '"This wasn\'t me" (the link of every security email, once, no sign-in): every session and remembered device of the account ends.',
  body: me.securityReportBody,
  responses: { 204: { description: 'Secured; the owner was emailed what to do next.' } },
  errors: ['challenge_expired'],
} as const satisfies Route;
