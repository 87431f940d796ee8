import { REMEMBER_DEVICE_MAX_DAYS } from '../../shared/config.ts';
import { chosenName, emailAddress } from '../../shared/http/schemas.ts';
import { FACTOR_TYPES } from '../../shared/mfa/factor-types.ts';
import { verification } from '../../shared/mfa/schemas.ts';
import * as z from '../../shared/zod.ts';
import { event } from '../mfa/schemas.ts';

const orgId = z.string().check(z.minLength(1), z.maxLength(64));
const factorType = z.enum(FACTOR_TYPES);

export const orgParams = z.strictObject({ orgId });
export const memberParams = z.strictObject({
  orgId,
  userId: z.string().check(z.minLength(1), z.maxLength(64)),
});

// The name goes into invitation emails to strangers: no quotes to break out of, no links, no
// markup, so it cannot pose as the service's own words (a phishing lure in a genuine email).
export const orgName = chosenName(100).check(
  z.regex(/^[\p{L}\p{M}\p{N} .,&'’()+!#_-]+$/u, {
    message: "Letters, digits, spaces and . , & ' ( ) + ! # _ - only.",
  }),
);

export const createOrgBody = z.strictObject({ name: orgName });
export const orgCreated = z.object({ orgId: z.string() });

export const policy = z.object({
  mode: z.enum(['off', 'optional', 'required']),
  allowedFactorTypes: z.array(factorType),
  rememberDeviceDays: z.int(),
  graceDays: z.int(),
  requiredSince: z.describe(
    z.optional(z.string()),
    'When `required` was switched on; the grace period counts from here.',
  ),
});

export const orgBody = z.object({ orgId: z.string(), name: z.string(), policy });

export const putPolicyBody = z.strictObject({
  mode: z.enum(['off', 'optional', 'required']),
  allowedFactorTypes: z.describe(
    z.array(factorType).check(
      z.minLength(1),
      z.maxLength(3),
      z.refine((types) => new Set(types).size === types.length, { message: 'No duplicates.' }),
    ),
    'NIST SP 800-63B-4 does not count email as an authenticator: leave it out to require stronger ones.',
  ),
  rememberDeviceDays: z.describe(
    z.int().check(z.gte(0), z.lte(REMEMBER_DEVICE_MAX_DAYS)),
    '0 turns "remember this device" off.',
  ),
  graceDays: z.describe(
    z.int().check(z.gte(0), z.lte(30)),
    'Days after `required` is switched on during which members may skip.',
  ),
  verification: z.describe(
    z.optional(verification),
    'Weakening (owner only) needs it, unless the token proved a factor minutes ago.',
  ),
});
export const policyAnswer = z.object({ policy });

export const invitationParams = z.strictObject({ orgId, email: emailAddress });

export const addMemberBody = z.strictObject({ email: emailAddress, role: z.enum(['admin', 'member']) });

export const memberAdded = z.describe(
  z.object({
    status: z.describe(
      z.literal('invited'),
      'The verified owner of the address joins once they accept (POST /v1/me/invitations/{orgId}/accept).',
    ),
    email: z.describe(z.string(), 'Normalised (lower case).'),
    role: z.enum(['admin', 'member']),
    expiresAt: z.string(),
  }),
  'The same answer for every address: whether it has an account is never said.',
);

export const orgInvitationList = z.object({
  invitations: z.array(
    z.object({
      email: z.string(),
      role: z.enum(['admin', 'member']),
      invitedBy: z.describe(z.string(), 'User id of the owner or admin who invited.'),
      invitedByEmail: z.describe(z.string(), 'Their address.'),
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
  status: z.describe(
    z.optional(z.literal('mfa_enrollment_required')),
    'The organisation requires MFA and the caller has no factor: this session ended, enroll with `enrollmentToken` now.',
  ),
  enrollmentToken: z.optional(z.string()),
  expiresIn: z.optional(z.int()),
  allowedFactorTypes: z.optional(z.array(factorType)),
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
  confirm: z.describe(
    z.string().check(z.minLength(1), z.maxLength(200)),
    "The organisation's name, exactly as it is: what the owner types to say they mean everyone.",
  ),
  verification: z.describe(
    z.optional(verification),
    'The step-up, unless the token proved a factor minutes ago.',
  ),
});
export const orgMfaReset = z.object({
  reset: z.describe(z.int(), 'Members reset: those who had a factor, recovery codes or a remembered device.'),
});

const emailOf = (who: string) =>
  z.describe(z.nullable(z.string()), `The ${who}'s address now; null when the account no longer exists.`);

export const orgEventList = z.object({
  events: z.array(z.extend(event, { actorEmail: emailOf('actor'), userEmail: emailOf('user') })),
  nextCursor: z.nullable(z.string()),
});
