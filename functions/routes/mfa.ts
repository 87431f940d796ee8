import type { Route } from '../../shared/http/route.ts';
import * as z from '../../shared/zod.ts';
import * as mfa from '../mfa/schemas.ts';
import { checksCodes, keyring, readWrite, sendErrors, sends, stepUpErrors } from './common.ts';

/**
 * The route table's entries of the handlers in `functions/mfa/`; functions/routes.ts assembles
 * them. A handler imports its own module (`import * as routes from '../routes/mfa.ts'`), so its
 * bundle holds its own area's entries and schemas, not every route's.
 */

export const createChallenge = {
  method: 'POST',
  path: '/v1/mfa/challenges',
  module: 'mfa/challenges-create',
  throttle: { rateLimit: 200, burstLimit: 400 },
  auth: 'mfaToken',
  permissions: [...readWrite, ...keyring, ...sends],
  summary: 'Start the second step of a login with one factor; SMS and email factors get a code.',
  body: mfa.createChallengeBody,
  responses: { 201: { description: 'Challenge started.', schema: mfa.challengeCreated } },
  errors: ['mfa_token_invalid', 'not_found', 'factor_type_not_allowed', ...sendErrors],
} as const satisfies Route;

export const resendChallenge = {
  method: 'POST',
  path: '/v1/mfa/challenges/{challengeId}/resend',
  module: 'mfa/challenges-resend',
  throttle: { rateLimit: 100, burstLimit: 200 },
  auth: 'mfaToken',
  permissions: [...readWrite, ...keyring, ...sends],
  summary: 'Send a new code for a login challenge; the previous code stops working, attempts are not reset.',
  params: mfa.challengeIdParams,
  body: mfa.resendChallengeBody,
  responses: { 200: { description: 'A new code was sent.', schema: mfa.challengeResent } },
  errors: ['mfa_token_invalid', 'challenge_expired', 'too_many_attempts', ...sendErrors],
} as const satisfies Route;

export const verifyMfa = {
  method: 'POST',
  path: '/v1/mfa/verify',
  module: 'mfa/verify',
  throttle: { rateLimit: 600, burstLimit: 1200 },
  ipLimit: 'codeCheck',
  auth: 'mfaToken',
  permissions: checksCodes,
  summary: 'Complete a login with a code; optionally remember this device.',
  body: mfa.verifyBody,
  responses: { 200: { description: 'Authenticated.', schema: mfa.authenticated } },
  errors: [
    'mfa_token_invalid',
    'code_invalid',
    'challenge_expired',
    'too_many_attempts',
    'locked',
    'not_found',
    'factor_type_not_allowed',
  ],
} as const satisfies Route;

export const recoverMfa = {
  method: 'POST',
  path: '/v1/mfa/recover',
  module: 'mfa/recover',
  throttle: { rateLimit: 50, burstLimit: 100 },
  ipLimit: 'codeCheck',
  auth: 'mfaToken',
  permissions: checksCodes,
  summary: 'Complete a login with a recovery code (each works once); the account is notified.',
  body: mfa.recoverBody,
  responses: { 200: { description: 'Authenticated.', schema: mfa.recovered } },
  errors: ['mfa_token_invalid', 'code_invalid', 'locked'],
} as const satisfies Route;

export const listFactors = {
  method: 'GET',
  path: '/v1/mfa/factors',
  module: 'mfa/factors-list',
  auth: 'enrollment',
  permissions: ['table:read'],
  summary: "The caller's factors, with destinations masked.",
  responses: { 200: { description: 'Factors.', schema: mfa.factorList } },
} as const satisfies Route;

export const createFactor = {
  method: 'POST',
  path: '/v1/mfa/factors',
  module: 'mfa/factors-create',
  auth: 'enrollment',
  permissions: [...checksCodes, 'sns:publish'],
  summary: 'Enroll a factor (needs the password); TOTP gets a secret and QR code, SMS/email a code.',
  body: mfa.createFactorBody,
  responses: { 201: { description: 'Pending factor created.', schema: mfa.factorCreated } },
  errors: [
    'factor_type_not_allowed',
    'challenge_expired',
    'too_many_attempts',
    'invalid_credentials',
    'invalid_phone_number',
    'country_not_allowed',
    'phone_number_not_mobile',
    'factor_limit_reached',
    'already_exists',
    'verification_required',
    'code_invalid',
    'not_found',
    'locked',
    'rate_limited',
    'delivery_failed',
  ],
} as const satisfies Route;

export const activateFactor = {
  method: 'POST',
  path: '/v1/mfa/factors/{factorId}/activate',
  module: 'mfa/factors-activate',
  ipLimit: 'codeCheck',
  auth: 'enrollment',
  permissions: checksCodes,
  summary: 'Activate a pending factor with its first code; the first factor also returns recovery codes.',
  params: mfa.factorIdParams,
  body: mfa.activateBody,
  responses: { 200: { description: 'Active.', schema: mfa.factorActivated } },
  errors: [
    'not_found',
    'factor_not_pending',
    'code_invalid',
    'challenge_expired',
    'too_many_attempts',
    'factor_limit_reached',
    'factor_type_not_allowed',
  ],
} as const satisfies Route;

export const resendFactorCode = {
  method: 'POST',
  path: '/v1/mfa/factors/{factorId}/resend',
  module: 'mfa/factors-resend',
  auth: 'enrollment',
  permissions: [...readWrite, ...keyring, ...sends],
  summary: 'Send a new confirmation code to a pending SMS or email factor.',
  params: mfa.factorIdParams,
  responses: { 200: { description: 'A new code was sent.', schema: mfa.codeSent } },
  errors: ['not_found', 'factor_not_pending', 'too_many_attempts', ...sendErrors],
} as const satisfies Route;

export const sendFactorCode = {
  method: 'POST',
  path: '/v1/mfa/factors/{factorId}/codes',
  module: 'mfa/factors-codes',
  // Also for enrollment tokens: a user whose factors the policy no longer offers proves one
  // of them (or a recovery code) to enroll an allowed one.
  auth: 'enrollment',
  permissions: [...readWrite, ...keyring, ...sends],
  summary: 'Send a code to an active SMS or email factor, for use in a `verification`.',
  params: mfa.factorIdParams,
  responses: { 201: { description: 'Code sent.', schema: mfa.codeSent } },
  errors: ['not_found', 'factor_type_not_allowed', ...sendErrors],
} as const satisfies Route;

export const deleteFactor = {
  method: 'DELETE',
  path: '/v1/mfa/factors/{factorId}',
  module: 'mfa/factors-delete',
  auth: 'bearer',
  permissions: checksCodes,
  summary: 'Remove a factor, with a verification by a current factor or a recovery code.',
  params: mfa.factorIdParams,
  body: z.optional(mfa.verificationBody),
  responses: { 204: { description: 'Removed.' } },
  errors: ['not_found', ...stepUpErrors, 'mfa_required_by_policy'],
} as const satisfies Route;

export const regenerateRecoveryCodes = {
  method: 'POST',
  path: '/v1/mfa/recovery-codes',
  module: 'mfa/recovery-codes-create',
  auth: 'bearer',
  permissions: checksCodes,
  summary: 'New recovery codes (the old ones stop working), with a verification.',
  body: z.optional(mfa.verificationBody),
  responses: { 201: { description: 'Shown this once.', schema: mfa.recoveryCodes } },
  errors: [...stepUpErrors, 'not_found'],
} as const satisfies Route;

export const updateFactor = {
  method: 'PATCH',
  path: '/v1/mfa/factors/{factorId}',
  module: 'mfa/factors-patch',
  auth: 'bearer',
  permissions: checksCodes,
  summary: 'Rename a factor; for an active one, with a verification (or a fresh aal 2 token).',
  params: mfa.factorIdParams,
  body: mfa.updateFactorBody,
  responses: { 200: { description: 'Renamed.', schema: mfa.factorUpdated } },
  errors: ['not_found', ...stepUpErrors],
} as const satisfies Route;

export const listDevices = {
  method: 'GET',
  path: '/v1/mfa/devices',
  module: 'mfa/devices-list',
  auth: 'bearer',
  permissions: ['table:read'],
  summary: 'Remembered devices.',
  responses: { 200: { description: 'Devices.', schema: mfa.deviceList } },
} as const satisfies Route;

export const deleteDevice = {
  method: 'DELETE',
  path: '/v1/mfa/devices/{deviceId}',
  module: 'mfa/devices-delete',
  auth: 'bearer',
  permissions: readWrite,
  summary: 'Forget a remembered device: its token no longer skips MFA.',
  params: mfa.deviceIdParams,
  responses: { 204: { description: 'Revoked.' } },
  errors: ['not_found'],
} as const satisfies Route;
