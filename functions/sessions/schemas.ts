import * as z from 'zod';
import { emailAddress, tokenPair } from '../../shared/http/schemas.ts';
import { factor } from '../mfa/schemas.ts';

export const createSessionBody = z.strictObject({
  email: emailAddress,
  // Not the sign-up rules: a login must answer `invalid_credentials`, never reveal the policy.
  password: z.string().min(1).max(1024),
  deviceToken: z.string().max(512).optional().describe('From an earlier "remember this device".'),
});

const sessionAuthenticated = z.object({
  status: z.literal('authenticated'),
  ...tokenPair,
  mfa: z.object({
    enabled: z.boolean().describe('The user has an active factor.'),
    suggested: z
      .boolean()
      .describe('The org policy is optional and the user has no factor: offer enrollment with Skip.'),
  }),
});

export const refreshSessionBody = z.strictObject({ refreshToken: z.string().min(1).max(512) });

const mfaRequired = z.object({
  status: z.literal('mfa_required'),
  mfaToken: z
    .string()
    .describe('Opaque, single login, usable only on /v1/mfa/challenges, /verify and /recover.'),
  expiresIn: z.number().int(),
  factors: z.array(factor).describe('The active factors to choose from.'),
});

const enrollmentRequired = z.object({
  status: z.literal('mfa_enrollment_required'),
  enrollmentToken: z
    .string()
    .describe('Access token with `scope: "mfa:enroll"`: usable only on the factor enrollment endpoints.'),
  expiresIn: z.number().int(),
  allowedFactorTypes: z.array(z.enum(['totp', 'sms', 'email'])),
});

/** A refresh: new tokens, or the enrollment step the user's organisation now requires. */
export const sessionRefreshed = z.discriminatedUnion('status', [
  z.object({ status: z.literal('authenticated'), ...tokenPair }),
  enrollmentRequired,
]);

const emailVerificationRequired = z.object({
  status: z.literal('email_verification_required'),
  verificationId: z
    .string()
    .describe('The account is not confirmed yet: send the emailed code to POST /v1/users/verify.'),
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
