/**
 * Every type of security event, in one list that the event repository, the OpenAPI enum, the
 * EventBridge detail-types and the web client derive from. Kept free of imports: the route
 * table (and the CDK app through it) reads it without loading a database client.
 */
export const EVENT_TYPES = [
  'user.created',
  'password.reset',
  'password.changed',
  'account.reported',
  'session.created',
  'session.revoked',
  'mfa.challenge_sent',
  'mfa.verified',
  'mfa.failed',
  'mfa.locked',
  'password.locked',
  'factor.added',
  'factor.activated',
  'factor.removed',
  'factor.replaced',
  'factor.renamed',
  'recovery_codes.generated',
  'recovery_code.used',
  'device.remembered',
  'device.revoked',
  'mfa.reset',
  'org.policy_changed',
  'org.member_invited',
  'org.invitation_revoked',
  'org.action_refused',
  'org.member_added',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];
