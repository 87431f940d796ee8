import { emailAddress, tokenPair } from '../../shared/http/schemas.ts';
import { FACTOR_TYPES } from '../../shared/mfa/factor-types.ts';
import * as z from '../../shared/zod.ts';
import { factor } from '../mfa/schemas.ts';

export const createSessionBody = z.strictObject({
  email: emailAddress,
  // Not the sign-up rules: a login must answer `invalid_credentials`, never reveal the policy.
  password: z.string().check(z.minLength(1), z.maxLength(1024)),
  deviceToken: z.describe(
    z.optional(z.string().check(z.maxLength(512))),
    'From an earlier "remember this device".',
  ),
});

const sessionAuthenticated = z.object({
  status: z.literal('authenticated'),
  ...tokenPair,
  mfa: z.object({
    enabled: z.describe(z.boolean(), 'The user has an active factor.'),
    suggested: z.describe(
      z.boolean(),
      'The org policy is optional and the user has no factor: offer enrollment with Skip.',
    ),
  }),
});

export const refreshSessionBody = z.strictObject({
  refreshToken: z.string().check(z.minLength(1), z.maxLength(512)),
});

const mfaRequired = z.object({
  status: z.literal('mfa_required'),
  mfaToken: z.describe(
    z.string(),
    'Opaque, single login, usable only on /v1/mfa/challenges, /verify and /recover.',
  ),
  expiresIn: z.int(),
  factors: z.describe(z.array(factor), 'The active factors to choose from.'),
});

const enrollmentRequired = z.object({
  status: z.literal('mfa_enrollment_required'),
  enrollmentToken: z.describe(
    z.string(),
    'Access token with `scope: "mfa:enroll"`: usable only on the factor enrollment endpoints.',
  ),
  expiresIn: z.int(),
  allowedFactorTypes: z.array(z.enum(FACTOR_TYPES)),
});

/** A refresh: new tokens, or the enrollment step the user's organisation now requires. */
export const sessionRefreshed = z.discriminatedUnion('status', [
  z.object({ status: z.literal('authenticated'), ...tokenPair }),
  enrollmentRequired,
]);

const emailVerificationRequired = z.object({
  status: z.literal('email_verification_required'),
  verificationId: z.describe(
    z.string(),
    'The account is not confirmed yet: send the emailed code to POST /v1/users/verify.',
  ),
  expiresAt: z.string(),
  resendAvailableAt: z.string(),
});

/** The answers of a password login, told apart by `status`. */
export const sessionAnswer = z.discriminatedUnion('status', [
  sessionAuthenticated,
  mfaRequired,
  enrollmentRequired,
  emailVerificationRequired,
]);
