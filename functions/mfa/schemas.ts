import { EVENT_TYPES } from '../../shared/db/event-types.ts';
import { chosenName, tokenPair } from '../../shared/http/schemas.ts';
import { FACTOR_TYPES } from '../../shared/mfa/factor-types.ts';
import { otpCode, recoveryCode, verification } from '../../shared/mfa/schemas.ts';
import * as z from '../../shared/zod.ts';

const id = z.string().check(z.minLength(1), z.maxLength(64));
// Bounded well above any token this service issues (access tokens are JWTs of under 1 KiB), so a
// token of the wrong kind sent by mistake is answered 401 `mfa_token_invalid`, not 400.
const mfaToken = z.describe(
  z.string().check(z.minLength(1), z.maxLength(4096)),
  'From `POST /v1/sessions` (`mfa_required`).',
);

export const factor = z.object({
  id: z.string(),
  type: z.enum(FACTOR_TYPES),
  label: z.string(),
  destination: z.describe(
    z.nullable(z.string()),
    'Masked: `+*******4567` (the last four digits), `c***e@example.com` (the first and last character of the local part, only the first when it has one or two), null for TOTP.',
  ),
  status: z.enum(['pending', 'active']),
  createdAt: z.string(),
  lastUsedAt: z.nullable(z.string()),
});

export const challengeTimes = {
  expiresAt: z.describe(z.string(), 'The code stops working at this time.'),
  resendAvailableAt: z.describe(z.string(), 'A new code can be requested from this time on.'),
};

export const factorIdParams = z.strictObject({ factorId: id });
export const challengeIdParams = z.strictObject({ challengeId: id });
export const deviceIdParams = z.strictObject({ deviceId: id });

export const createChallengeBody = z.strictObject({ mfaToken, factorId: id });
export const challengeCreated = z.object({
  challengeId: z.string(),
  factorId: z.string(),
  factorType: z.enum(FACTOR_TYPES),
  destination: z.nullable(z.string()),
  ...challengeTimes,
});

export const resendChallengeBody = z.strictObject({ mfaToken });
export const challengeResent = z.object(challengeTimes);

export const verifyBody = z
  .strictObject({
    mfaToken,
    challengeId: z.optional(id),
    factorId: z.describe(z.optional(id), 'TOTP factors may be verified without a challenge.'),
    code: otpCode,
    rememberDevice: z.optional(z.boolean()),
  })
  .check(
    z.refine((body) => (body.challengeId === undefined) !== (body.factorId === undefined), {
      message: 'Give exactly one of challengeId and factorId.',
      path: ['challengeId'],
    }),
  );

export const authenticated = z.object({
  status: z.literal('authenticated'),
  ...tokenPair,
  deviceToken: z.describe(
    z.optional(z.string()),
    '"Remember this device": send it with the next password login.',
  ),
});

export const recoverBody = z.strictObject({ mfaToken, recoveryCode });
export const recovered = z.extend(authenticated, { recoveryCodesRemaining: z.int() });

export const factorList = z.object({
  factors: z.array(factor),
  recoveryCodesRemaining: z.int(),
  mfaEnabled: z.boolean(),
});

export const createFactorBody = z
  .strictObject({
    type: z.enum(FACTOR_TYPES),
    password: z.describe(
      z.string().check(z.minLength(1), z.maxLength(1024)),
      'The current password: adding a factor needs it again.',
    ),
    phoneNumber: z.describe(
      z.optional(z.string().check(z.minLength(1), z.maxLength(32))),
      'E.164, or national digits with `country`.',
    ),
    country: z.describe(
      z.optional(z.string().check(z.regex(/^[A-Za-z]{2}$/))),
      'ISO 3166-1 alpha-2, for national numbers.',
    ),
    email: z.optional(z.email().check(z.maxLength(254))),
    label: z.optional(chosenName(64)),
    replaces: z.describe(
      z.optional(id),
      'An active factor of the same type that this one replaces on activation.',
    ),
    verification: z.optional(verification),
  })
  .check(
    z.superRefine((body, ctx) => {
      if (body.type === 'sms' && !body.phoneNumber)
        ctx.addIssue({ code: 'custom', path: ['phoneNumber'], message: 'Required for SMS.' });
      if (body.type === 'email' && !body.email)
        ctx.addIssue({ code: 'custom', path: ['email'], message: 'Required for email.' });
      if (body.type !== 'sms' && (body.phoneNumber || body.country)) {
        ctx.addIssue({ code: 'custom', path: ['phoneNumber'], message: 'Only for SMS factors.' });
      }
      if (body.type !== 'email' && body.email)
        ctx.addIssue({ code: 'custom', path: ['email'], message: 'Only for email factors.' });
      if (body.type === 'totp' && body.replaces) {
        ctx.addIssue({
          code: 'custom',
          path: ['replaces'],
          message: 'Only SMS and email factors are replaced.',
        });
      }
    }),
  );

export const factorCreated = z.object({
  factor,
  secret: z.describe(z.optional(z.string()), 'TOTP: the base32 secret, for manual entry.'),
  otpauthUri: z.optional(z.string()),
  qrCode: z.describe(z.optional(z.string()), 'TOTP: `data:image/png;base64,…` of otpauthUri.'),
  challengeId: z.optional(z.string()),
  expiresAt: z.optional(z.string()),
  resendAvailableAt: z.optional(z.string()),
});

export const activateBody = z.strictObject({ code: otpCode, challengeId: z.optional(id) });
export const factorActivated = z.object({
  factor,
  recoveryCodes: z.describe(
    z.optional(z.array(z.string())),
    'Shown this once, when this is the first active factor.',
  ),
  status: z.describe(
    z.optional(z.literal('authenticated')),
    'With an enrollment token: the login is complete.',
  ),
  accessToken: z.optional(z.string()),
  refreshToken: z.optional(z.string()),
  expiresIn: z.optional(z.int()),
});

export const codeSent = z.object({ challengeId: z.string(), ...challengeTimes });

export const updateFactorBody = z.strictObject({
  label: chosenName(64),
  verification: z.optional(verification),
});
export const factorUpdated = z.object({ factor });

export const verificationBody = z.strictObject({ verification: z.optional(verification) });
export const recoveryCodes = z.object({ recoveryCodes: z.array(z.string()) });

export const deviceList = z.object({
  devices: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      createdAt: z.string(),
      lastUsedAt: z.nullable(z.string()),
      expiresAt: z.string(),
    }),
  ),
});

export const eventsQuery = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 20),
  cursor: z.optional(z.string().check(z.maxLength(200))),
});
/** What happened: one of `EVENT_TYPES`, an enum (`EventType`) in the OpenAPI document. */
export const eventType = z.meta(z.enum(EVENT_TYPES), {
  id: 'EventType',
  description: 'What happened. New types may be added: show an unknown one as it is.',
});

export const event = z.object({
  id: z.string(),
  type: eventType,
  at: z.string(),
  actorId: z.string(),
  userId: z.string(),
  ip: z.nullable(z.string()),
  userAgent: z.nullable(z.string()),
  details: z.record(z.string(), z.unknown()),
});
export const eventList = z.object({ events: z.array(event), nextCursor: z.nullable(z.string()) });
