import * as z from 'zod';
import { REMEMBER_DEVICE_MAX_DAYS } from '../../shared/config.ts';
import { chosenName, emailAddress } from '../../shared/http/schemas.ts';
import { verification } from '../../shared/mfa/schemas.ts';
import { event } from '../mfa/schemas.ts';

const orgId = z.string().min(1).max(64);
const factorType = z.enum(['totp', 'sms', 'email']);

export const orgParams = z.strictObject({ orgId });
export const memberParams = z.strictObject({ orgId, userId: z.string().min(1).max(64) });

// The name goes into invitation emails to strangers: no quotes to break out of, no links, no
// markup, so it cannot pose as the service's own words (a phishing lure in a genuine email).
export const orgName = chosenName(100).regex(/^[\p{L}\p{M}\p{N} .,&'’()+!#_-]+$/u, {
  message: "Letters, digits, spaces and . , & ' ( ) + ! # _ - only.",
});

export const createOrgBody = z.strictObject({ name: orgName });
export const orgCreated = z.object({ orgId: z.string() });

export const policy = z.object({
  mode: z.enum(['off', 'optional', 'required']),
  allowedFactorTypes: z.array(factorType),
  rememberDeviceDays: z.number().int(),
  graceDays: z.number().int(),
  requiredSince: z
    .string()
    .optional()
    .describe('When `required` was switched on; the grace period counts from here.'),
});

export const orgBody = z.object({ orgId: z.string(), name: z.string(), policy });

export const putPolicyBody = z.strictObject({
  mode: z.enum(['off', 'optional', 'required']),
  allowedFactorTypes: z
    .array(factorType)
    .min(1)
    .max(3)
    .refine((types) => new Set(types).size === types.length, { message: 'No duplicates.' })
    .describe(
      'NIST SP 800-63B-4 does not count email as an authenticator: leave it out to require stronger ones.',
    ),
  rememberDeviceDays: z
    .number()
    .int()
    .min(0)
    .max(REMEMBER_DEVICE_MAX_DAYS)
    .describe('0 turns "remember this device" off.'),
  graceDays: z
    .number()
    .int()
    .min(0)
    .max(30)
    .describe('Days after `required` is switched on during which members may skip.'),
  verification: verification
    .optional()
    .describe('Weakening (owner only) needs it, unless the token proved a factor minutes ago.'),
});
export const policyAnswer = z.object({ policy });

export const invitationParams = z.strictObject({ orgId, email: emailAddress });

export const addMemberBody = z.strictObject({ email: emailAddress, role: z.enum(['admin', 'member']) });

export const memberAdded = z
  .object({
    status: z
      .literal('invited')
      .describe(
        'The verified owner of the address joins once they accept (POST /v1/me/invitations/{orgId}/accept).',
      ),
    email: z.string().describe('Normalised (lower case).'),
    role: z.enum(['admin', 'member']),
    expiresAt: z.string(),
  })
  .describe('The same answer for every address: whether it has an account is never said.');

export const orgInvitationList = z.object({
  invitations: z.array(
    z.object({
      email: z.string(),
      role: z.enum(['admin', 'member']),
      invitedBy: z.string().describe('User id of the owner or admin who invited.'),
      invitedByEmail: z.string().describe('Their address.'),
      createdAt: z.string(),
      expiresAt: z.string(),
    }),
  ),
});

export const invitationList = z.object({
  invitations: z.array(
    z.object({
      orgId: z.string(),
      orgName: z.string(),
      role: z.enum(['admin', 'member']),
      createdAt: z.string(),
      expiresAt: z.string(),
    }),
  ),
});

export const invitationAccepted = z.object({
  orgId: z.string(),
  role: z.enum(['admin', 'member']),
  status: z
    .literal('mfa_enrollment_required')
    .optional()
    .describe(
      'The organisation requires MFA and the caller has no factor: this session ended, enroll with `enrollmentToken` now.',
    ),
  enrollmentToken: z.string().optional(),
  expiresIn: z.number().int().optional(),
  allowedFactorTypes: z.array(factorType).optional(),
});

export const memberList = z.object({
  members: z.array(
    z.object({
      userId: z.string(),
      email: z.string(),
      role: z.enum(['owner', 'admin', 'member']),
      mfaEnabled: z.boolean(),
      factorTypes: z.array(factorType),
    }),
  ),
});

export const resetOrgMfaBody = z.strictObject({
  confirm: z
    .string()
    .min(1)
    .max(200)
    .describe("The organisation's name, exactly as it is: what the owner types to say they mean everyone."),
  verification: verification
    .optional()
    .describe('The step-up, unless the token proved a factor minutes ago.'),
});
export const orgMfaReset = z.object({
  reset: z
    .number()
    .int()
    .describe('Members reset: those who had a factor, recovery codes or a remembered device.'),
});

const emailOf = (who: string) =>
  z.string().nullable().describe(`The ${who}'s address now; null when the account no longer exists.`);

export const orgEventList = z.object({
  events: z.array(event.extend({ actorEmail: emailOf('actor'), userEmail: emailOf('user') })),
  nextCursor: z.string().nullable(),
});
