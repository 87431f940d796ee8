import * as z from 'zod';
import { EVENT_TYPES } from '../../shared/db/event-types.ts';
import { chosenName, tokenPair } from '../../shared/http/schemas.ts';
import { otpCode, recoveryCode, verification } from '../../shared/mfa/schemas.ts';

const id = z.string().min(1).max(64);
// Bounded well above any token this service issues (access tokens are JWTs of under 1 KiB), so a
// token of the wrong kind sent by mistake is answered 401 `mfa_token_invalid`, not 400.
const mfaToken = z.string().min(1).max(4096).describe('From `POST /v1/sessions` (`mfa_required`).');

export const factor = z.object({
  id: z.string(),
  type: z.enum(['totp', 'sms', 'email']),
  label: z.string(),
  destination: z
    .string()
    .nullable()
    .describe(
      'Masked: `+*******4567` (the last four digits), `c***e@example.com` (the first and last character of the local part, only the first when it has one or two), null for TOTP.',
    ),
  status: z.enum(['pending', 'active']),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});

export const challengeTimes = {
  expiresAt: z.string().describe('The code stops working at this time.'),
  resendAvailableAt: z.string().describe('A new code can be requested from this time on.'),
};

export const factorIdParams = z.strictObject({ factorId: id });
export const challengeIdParams = z.strictObject({ challengeId: id });
export const deviceIdParams = z.strictObject({ deviceId: id });

export const createChallengeBody = z.strictObject({ mfaToken, factorId: id });
export const challengeCreated = z.object({
  challengeId: z.string(),
  factorId: z.string(),
  factorType: z.enum(['totp', 'sms', 'email']),
  destination: z.string().nullable(),
  ...challengeTimes,
});

export const resendChallengeBody = z.strictObject({ mfaToken });
export const challengeResent = z.object(challengeTimes);

export const verifyBody = z
  .strictObject({
    mfaToken,
    challengeId: id.optional(),
    factorId: id.optional().describe('TOTP factors may be verified without a challenge.'),
    code: otpCode,
    rememberDevice: z.boolean().optional(),
  })
  .refine((body) => (body.challengeId === undefined) !== (body.factorId === undefined), {
    message: 'Give exactly one of challengeId and factorId.',
    path: ['challengeId'],
  });

export const authenticated = z.object({
  status: z.literal('authenticated'),
  ...tokenPair,
  deviceToken: z
    .string()
    .optional()
    .describe('"Remember this device": send it with the next password login.'),
});

export const recoverBody = z.strictObject({ mfaToken, recoveryCode });
export const recovered = authenticated.extend({ recoveryCodesRemaining: z.number().int() });

export const factorList = z.object({
  factors: z.array(factor),
  recoveryCodesRemaining: z.number().int(),
  mfaEnabled: z.boolean(),
});

export const createFactorBody = z
  .strictObject({
    type: z.enum(['totp', 'sms', 'email']),
    password: z.string().min(1).max(1024).describe('The current password: adding a factor needs it again.'),
    phoneNumber: z.string().min(1).max(32).optional().describe('E.164, or national digits with `country`.'),
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/)
      .optional()
      .describe('ISO 3166-1 alpha-2, for national numbers.'),
    email: z.email().max(254).optional(),
    label: chosenName(64).optional(),
    replaces: id
      .optional()
      .describe('An active factor of the same type that this one replaces on activation.'),
    verification: verification.optional(),
  })
  .superRefine((body, ctx) => {
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
  });

export const factorCreated = z.object({
  factor,
  secret: z.string().optional().describe('TOTP: the base32 secret, for manual entry.'),
  otpauthUri: z.string().optional(),
  qrCode: z.string().optional().describe('TOTP: `data:image/png;base64,…` of otpauthUri.'),
  challengeId: z.string().optional(),
  expiresAt: z.string().optional(),
  resendAvailableAt: z.string().optional(),
});

export const activateBody = z.strictObject({ code: otpCode, challengeId: id.optional() });
export const factorActivated = z.object({
  factor,
  recoveryCodes: z
    .array(z.string())
    .optional()
    .describe('Shown this once, when this is the first active factor.'),
  status: z.literal('authenticated').optional().describe('With an enrollment token: the login is complete.'),
  accessToken: z.string().optional(),
  refreshToken: z.string().optional(),
  expiresIn: z.number().int().optional(),
});

export const codeSent = z.object({ challengeId: z.string(), ...challengeTimes });

export const updateFactorBody = z.strictObject({
  label: chosenName(64),
  verification: verification.optional(),
});
export const factorUpdated = z.object({ factor });

export const verificationBody = z.strictObject({ verification: verification.optional() });
export const recoveryCodes = z.object({ recoveryCodes: z.array(z.string()) });

export const deviceList = z.object({
  devices: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      createdAt: z.string(),
      lastUsedAt: z.string().nullable(),
      expiresAt: z.string(),
    }),
  ),
});

export const eventsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});
/** What happened: one of `EVENT_TYPES`, an enum (`EventType`) in the OpenAPI document. */
export const eventType = z.enum(EVENT_TYPES).meta({
  id: 'EventType',
  description: 'What happened. New types may be added: show an unknown one as it is.',
});

export const event = z.object({
  id: z.string(),
  type: eventType,
  at: z.string(),
  actorId: z.string(),
  userId: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export const eventList = z.object({ events: z.array(event), nextCursor: z.string().nullable() });
