import type { Route } from '../../shared/http/route.ts';
import { sessionAnswer } from '../sessions/schemas.ts';
import * as users from '../users/schemas.ts';
import { keyring, readWrite } from './common.ts';

/**
 * The route table's entries of the handlers in `functions/users/`; functions/routes.ts assembles
 * them. A handler imports its own module (`import * as routes from '../routes/users.ts'`), so its
 * bundle holds its own area's entries and schemas, not every route's.
 */

export const createUser = {
  method: 'POST',
  path: '/v1/users',
  module: 'users/create',
  throttle: { rateLimit: 50, burstLimit: 100 },
  ipLimit: 'signup',
  auth: 'none',
  permissions: [...readWrite, ...keyring, 'ses:send'],
  summary:
    'Sign up: the address gets a code to confirm it. The same answer for every address, with or without an account.',
  body: users.createUserBody,
  responses: {
    202: {
      description: 'A code was emailed, if the address may get one.',
      schema: users.verificationStarted,
    },
  },
  errors: ['invalid_request', 'password_too_weak', 'rate_limited', 'delivery_failed'],
} as const satisfies Route;

export const verifyUser = {
  method: 'POST',
  path: '/v1/users/verify',
  module: 'users/verify',
  throttle: { rateLimit: 100, burstLimit: 200 },
  ipLimit: 'codeCheck',
  auth: 'none',
  permissions: [...readWrite, ...keyring],
  summary: 'Confirm the address with the emailed code: the account exists from now on, and is signed in.',
  body: users.verifyUserBody,
  responses: {
    200: { description: 'The login answer, as after a password login.', schema: sessionAnswer },
  },
  errors: ['code_invalid', 'too_many_attempts', 'challenge_expired'],
} as const satisfies Route;

export const resendUserVerification = {
  method: 'POST',
  path: '/v1/users/verify/resend',
  module: 'users/verify-resend',
  throttle: { rateLimit: 50, burstLimit: 100 },
  ipLimit: 'signup',
  auth: 'none',
  permissions: [...readWrite, ...keyring, 'ses:send'],
  summary: 'Email a new sign-up code (after the cooldown); the previous code stops working.',
  body: users.resendVerificationBody,
  responses: { 200: { description: 'A new code was sent.', schema: users.verificationResent } },
  errors: ['challenge_expired', 'too_many_attempts', 'resend_too_soon', 'rate_limited', 'delivery_failed'],
} as const satisfies Route;
