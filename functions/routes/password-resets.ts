import type { Route } from '../../shared/http/route.ts';
import { sessionAnswer } from '../sessions/schemas.ts';
import * as users from '../users/schemas.ts';
import { keyring, readWrite } from './common.ts';

/**
 * The route table's entries of the handlers in `functions/password-resets/`; functions/routes.ts assembles
 * them. A handler imports its own module (`import * as routes from '../routes/password-resets.ts'`), so its
 * bundle holds its own area's entries and schemas, not every route's.
 */

export const createPasswordReset = {
  method: 'POST',
  path: '/v1/password-resets',
  module: 'password-resets/create',
  throttle: { rateLimit: 50, burstLimit: 100 },
  ipLimit: 'passwordReset',
  auth: 'none',
  permissions: [...readWrite, ...keyring, 'ses:send'],
  summary: 'Forgot the password: a verified account gets a code by email. The same answer for every address.',
  body: users.createResetBody,
  responses: {
    202: { description: 'A code was emailed, if the address has an account.', schema: users.resetStarted },
  },
  errors: ['invalid_request', 'rate_limited', 'delivery_failed'],
} as const satisfies Route;

export const confirmPasswordReset = {
  method: 'POST',
  path: '/v1/password-resets/{resetId}/confirm',
  module: 'password-resets/confirm',
  throttle: { rateLimit: 50, burstLimit: 100 },
  ipLimit: 'passwordReset',
  auth: 'none',
  permissions: [...readWrite, ...keyring, 'ses:send'],
  summary:
    'Set a new password with the emailed code. With MFA, the answer is `mfa_required` and the new password takes effect when that step succeeds.',
  params: users.resetParams,
  body: users.confirmResetBody,
  responses: {
    200: {
      description:
        'Authenticated (every other session and remembered device is signed out), or the MFA step that completes the reset.',
      schema: sessionAnswer,
    },
  },
  errors: ['code_invalid', 'too_many_attempts', 'challenge_expired', 'password_too_weak'],
} as const satisfies Route;
