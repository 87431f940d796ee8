import type { EventType } from '../db/events.ts';
import type { Role } from '../db/orgs.ts';
import { FACTOR_TYPES } from '../mfa/factor-types.ts';
import type { Method } from '../mfa/proof.ts';
import * as z from '../zod.ts';

/**
 * The security events on the EventBridge bus: `source` is always `serverless-mfa`, the
 * `detail-type` names the event type (table below), and `detail` is the event as the table
 * recorded it, minus anything secret. This module is the one definition of `detail`: the
 * publisher parses every event with it before it leaves, and `docs/security-events.schema.json`
 * is generated from it (`node shared/events/write-schema.ts`; a unit test keeps the file current).
 *
 * Only type imports here, but for `FACTOR_TYPES` (a module that imports nothing): the publishing
 * Lambda bundles this module and stays free of the repositories and their clients.
 */
export const EVENT_SOURCE = 'serverless-mfa';

/**
 * EventBridge `detail-type` per event type: human-readable, as AWS's own events are
 * (`EC2 Instance State-change Notification`), so rules read well; the dotted `type` stays in
 * `detail.type` for code. `satisfies` makes a missing or unknown event type a compile error.
 */
export const EVENT_DETAIL_TYPES = {
  'user.created': 'User Created',
  'password.reset': 'Password Reset',
  'password.changed': 'Password Changed',
  'account.reported': 'Account Reported',
  'session.created': 'Session Created',
  'session.revoked': 'Session Revoked',
  'mfa.challenge_sent': 'MFA Challenge Sent',
  'mfa.verified': 'MFA Verified',
  'mfa.failed': 'MFA Failed',
  'mfa.locked': 'MFA Locked',
  'password.locked': 'Password Locked',
  'factor.added': 'MFA Factor Added',
  'factor.activated': 'MFA Factor Activated',
  'factor.removed': 'MFA Factor Removed',
  'factor.replaced': 'MFA Factor Replaced',
  'factor.renamed': 'MFA Factor Renamed',
  'recovery_codes.generated': 'Recovery Codes Generated',
  'recovery_code.used': 'Recovery Code Used',
  'device.remembered': 'Trusted Device Remembered',
  'device.revoked': 'Trusted Device Revoked',
  'mfa.reset': 'MFA Reset By Admin',
  'org.policy_changed': 'Organization MFA Policy Changed',
  'org.member_invited': 'Organization Member Invited',
  'org.invitation_revoked': 'Organization Invitation Revoked',
  'org.action_refused': 'Organization Action Refused',
  'org.member_added': 'Organization Member Added',
} as const satisfies Record<EventType, string>;

export type DetailType = (typeof EVENT_DETAIL_TYPES)[EventType];

/** The event types in the order of the table above (the same set as `EVENT_TYPES`). */
export const PUBLISHED_TYPES = Object.keys(EVENT_DETAIL_TYPES) as EventType[];

// Copies of enums defined beside the code that owns them; the checks below fail to compile
// when one side changes without the other (a value import would pull that code into the bundle).
// The factor types need no copy: their one list lives in a module that imports nothing.
const METHODS = ['otp', 'sms', 'email', 'recovery'] as const;
const ROLES = ['owner', 'admin', 'member'] as const;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const enumsMatch: [Same<(typeof METHODS)[number], Method>, Same<(typeof ROLES)[number], Role>] = [true, true];
void enumsMatch;

const ulid = z.meta(z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'a ULID')), { id: 'Ulid' });
const id = z.meta(z.string().check(z.minLength(1), z.maxLength(64)), { id: 'Id' });
const at = z.meta(z.iso.datetime(), { id: 'Timestamp', description: 'ISO 8601, UTC.' });
const factorType = z.enum(FACTOR_TYPES);
const role = z.enum(ROLES);
const count = z.int().check(z.gte(0));
const maskedEmail = z.meta(z.string().check(z.regex(/^[^@]*\*\*\*[^@]?@[^@]+$/, 'a masked address')), {
  id: 'MaskedEmail',
  description: 'Masked as `c***e@example.com`: first and last character of the local part.',
});
const label = z.meta(z.string().check(z.maxLength(64)), {
  id: 'FactorLabel',
  description: 'The label the user gave the factor; runs of digits that could be a phone number are masked.',
});
const policy = z.meta(
  z.object({
    mode: z.enum(['off', 'optional', 'required']),
    allowedFactorTypes: z.array(factorType),
    rememberDeviceDays: count,
    graceDays: count,
    requiredSince: z.optional(at),
  }),
  { id: 'MfaPolicy' },
);
const none = z.object({});
const factor = { factorId: ulid, type: factorType };

/**
 * `details` per event type, as the callers of `eventPuts`/`recordEvent` write them. Unknown keys
 * are dropped before publishing, so a field added to an event later stays off the bus until it
 * is described here (and checked not to be secret). Never: codes, tokens, digests, secrets, full
 * phone numbers or full email addresses.
 */
export const EVENT_DETAILS = {
  'user.created': none,
  'password.reset': none,
  'password.changed': none,
  'account.reported': none,
  'session.created': z.object({
    aal: z.union([z.literal(1), z.literal(2)]),
    amr: z.meta(z.array(z.string().check(z.regex(/^[a-z]{2,16}$/))), {
      description: 'RFC 8176 method names.',
    }),
  }),
  'session.revoked': z.object({
    sessionId: z.meta(z.optional(ulid), { description: 'The session ended (absent when several were).' }),
    reason: z.meta(z.enum(['logout', 'ended_by_user', 'signed_out_everywhere', 'refresh_token_reuse']), {
      description:
        '`refresh_token_reuse`: a rotated refresh token was presented again (a stolen copy, or a stolen original), so the session was ended.',
    }),
    count: z.meta(z.optional(z.int().check(z.positive())), {
      description: 'Sessions ended at once.',
    }),
  }),
  'mfa.challenge_sent': z.object({ factorId: ulid, factorType }),
  'mfa.verified': z.object({ method: z.enum(METHODS), factorId: z.optional(ulid) }),
  'mfa.failed': z.object({ method: z.optional(z.enum(['code', 'recovery'])) }),
  'mfa.locked': z.object({ until: at }),
  'password.locked': z.object({ until: at }),
  'factor.added': z.object(factor),
  'factor.activated': z.object(factor),
  'factor.removed': z.object(factor),
  'factor.replaced': z.object({ ...factor, replacedFactorId: ulid }),
  'factor.renamed': z.object({ ...factor, from: label, to: label }),
  'recovery_codes.generated': none,
  'recovery_code.used': z.object({ remaining: count }),
  'device.remembered': z.object({ deviceId: ulid }),
  'device.revoked': z.object({ deviceId: ulid }),
  'mfa.reset': z.object({
    factorsRemoved: count,
    devicesRemoved: count,
    sessionsRevoked: count,
    bulk: z.optional(z.literal(true)),
  }),
  'org.policy_changed': z.object({ from: policy, to: policy }),
  'org.member_invited': z.object({ email: maskedEmail, role }),
  'org.invitation_revoked': z.object({ email: maskedEmail }),
  'org.action_refused': z.object({
    action: z.string().check(z.maxLength(64)),
    reason: z.string().check(z.maxLength(256)),
    targetUserId: z.optional(id),
    targetEmail: z.optional(maskedEmail),
  }),
  'org.member_added': z.object({ role }),
} as const satisfies Record<EventType, z.ZodMiniObject>;

/** Fields of `details` holding an email address: masked before publishing. */
export const EMAIL_FIELDS: readonly string[] = ['email', 'targetEmail'];
/** Fields of `details` holding text a user chose: digit runs in them are masked before publishing. */
export const FREE_TEXT_FIELDS: readonly string[] = ['from', 'to'];

const DEDUPE =
  'Delivery is at least once: the same event can arrive more than once (retries of the table ' +
  'stream or of PutEvents); consumers de-duplicate by `id`, which is unique per event.';

function detailSchema<T extends EventType>(type: T) {
  return z.meta(
    z.object({
      id: z.meta(z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/)), {
        description: `The event id (a ULID, sorts by time). ${DEDUPE}`,
      }),
      type: z.literal(type),
      at,
      userId: z.describe(id, 'The account the event is about.'),
      actorId: z.describe(id, 'Who did it: the user, or the admin acting on them.'),
      orgId: z.describe(z.optional(id), 'The organisation, when the event concerns one.'),
      ip: z.nullable(z.string().check(z.maxLength(64))),
      userAgent: z.nullable(z.string().check(z.maxLength(256))),
      details: EVENT_DETAILS[type],
    }),
    { title: EVENT_DETAIL_TYPES[type], description: `detail-type "${EVENT_DETAIL_TYPES[type]}".` },
  );
}

type DetailSchemas = { [T in EventType]: ReturnType<typeof detailSchema<T>> };

/** The zod schema of `detail`, per event type. */
export const DETAIL_SCHEMAS = Object.fromEntries(
  PUBLISHED_TYPES.map((type) => [type, detailSchema(type)]),
) as DetailSchemas;

export type EventDetail = z.infer<DetailSchemas[EventType]>;

/** `detail` of any security event: a union discriminated by `type`. */
export const eventDetail = z.meta(
  z.discriminatedUnion(
    'type',
    PUBLISHED_TYPES.map((type) => DETAIL_SCHEMAS[type]) as unknown as [
      DetailSchemas[EventType],
      ...DetailSchemas[EventType][],
    ],
  ),
  {
    title: 'Serverless MFA security event detail',
    description:
      `The \`detail\` of the events Serverless MFA puts on its EventBridge bus (source "${EVENT_SOURCE}"); ` +
      `\`type\` tells the variant and \`detail-type\` names it. ${DEDUPE}`,
  },
);

/**
 * The JSON Schema (draft 2020-12) of `detail`: of every event, or of one event type. What
 * `docs/security-events.schema.json` holds, with each event type's detail-type as its title.
 */
export function eventDetailJsonSchema(type?: EventType): Record<string, unknown> {
  const schema = z.toJSONSchema(type ? DETAIL_SCHEMAS[type] : eventDetail, {
    target: 'draft-2020-12',
  }) as Record<string, unknown>;
  if (type) return schema;
  return {
    ...schema,
    'x-source': EVENT_SOURCE,
    'x-detail-types': EVENT_DETAIL_TYPES,
  };
}
