import type { components, operations } from './api-types.gen.ts';

/**
 * The factor types the service offers, in its order: the server's own list (a module with no
 * imports, so it adds one line to the bundle). Its type is the generated `FactorType` below.
 */
export { FACTOR_TYPES } from '../../shared/mfa/factor-types.ts';

/**
 * The shapes of API.md that the client reads, named for the screens. They are aliases of the
 * types generated from the OpenAPI document (api-types.gen.ts, `npm run generate:types`), so a
 * change of the contract shows up here as a type error, not as a broken screen.
 */
type Json<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;

/** The JSON body of an operation's answer with `status` (operation ids: functions/routes.ts). */
type Answer<Op extends keyof operations, Status extends keyof operations[Op]['responses']> = Json<
  operations[Op]['responses'][Status]
>;

/** A member of a generated `OneOf` union, without the `?: never` keys that keep out the others. */
type Own<T> = { [K in keyof T as [Exclude<T[K], undefined>] extends [never] ? never : K]: T[K] };

/** The JSON body an operation takes. */
type RequestBody<Op extends keyof operations> = operations[Op] extends { requestBody?: infer Body }
  ? Json<NonNullable<Body>>
  : never;

export type ErrorCode = components['schemas']['ErrorCode'];
export type EventType = components['schemas']['EventType'];

export type FactorList = Answer<'listFactors', 200>;
export type Factor = FactorList['factors'][number];
export type FactorType = Factor['type'];

/**
 * What proving a password (or an address, or a reset code) leads to: `POST /v1/sessions`,
 * `POST /v1/users/verify` and `POST /v1/password-resets/{resetId}/confirm` all answer it.
 * With a reset, `mfa_required` means the new password takes effect once that step succeeds
 * (and `factors` may be empty: then only a recovery code is left).
 */
export type LoginAnswer = Answer<'createSession', 200>;

/** `mfa_enrollment_required`: the organisation requires MFA and the user has no factor yet. */
export type EnrollmentRequired = Own<Extract<LoginAnswer, { status: 'mfa_enrollment_required' }>>;

export type Tokens = Pick<
  Extract<LoginAnswer, { status: 'authenticated' }>,
  'accessToken' | 'refreshToken' | 'expiresIn'
>;

/**
 * `POST /v1/sessions/refresh`: new tokens whose claims say what is true now (organisation,
 * role), or, when the organisation now requires MFA of a user without a factor, the enrollment
 * step (the session ended, as after a login answering the same).
 */
export type Refreshed = Answer<'refreshSession', 200>;

/** `POST /v1/users` (202), and the sign-in of an account whose address is not confirmed yet. */
export type VerificationStarted = Answer<'createUser', 202>;

/** `POST /v1/password-resets` (202): the same answer for every address. */
export type ResetStarted = Answer<'createPasswordReset', 202>;

/** The second step done: `POST /v1/mfa/verify`, or `POST /v1/mfa/recover` (with the codes left). */
export type Authenticated = Answer<'verifyMfa', 200> &
  Partial<Pick<Answer<'recoverMfa', 200>, 'recoveryCodesRemaining'>>;

export type CodeSent = Answer<'sendFactorCode', 201>;
export type ChallengeCreated = Answer<'createChallenge', 201>;
export type FactorCreated = Answer<'createFactor', 201>;
export type FactorActivated = Answer<'activateFactor', 200>;

export type Device = Answer<'listDevices', 200>['devices'][number];

/** One of `GET /v1/me/sessions`: a signed-in browser or app of this account. */
export type SessionInfo = Answer<'listMySessions', 200>['sessions'][number];

/**
 * A security event of the caller's own log, or of an organisation's audit log (with who did it
 * and to whom: null when the account is gone).
 */
export type SecurityEvent = Answer<'listMyEvents', 200>['events'][number] &
  Partial<Pick<Answer<'listOrgEvents', 200>['events'][number], 'actorEmail' | 'userEmail'>>;

export interface EventPage {
  events: SecurityEvent[];
  nextCursor: string | null;
}

/** `{ factorId, code }` (TOTP), `{ challengeId, code }` (SMS/email via /codes) or `{ recoveryCode }`. */
export type Verification = NonNullable<RequestBody<'changePassword'>['verification']>;

export type Org = Answer<'getOrg', 200>;
export type MfaPolicy = Org['policy'];
export type Member = Answer<'listMembers', 200>['members'][number];

/** `POST /v1/orgs/{orgId}/members` (201): the same answer whether the address has an account or not. */
export type MemberInvited = Answer<'addMember', 201>;

/** An invitation the organisation sent and nobody accepted, declined or withdrew yet. */
export type PendingInvitation = Answer<'listOrgInvitations', 200>['invitations'][number];

/** An organisation's invitation: adding a member is an offer the user accepts. */
export type Invitation = Answer<'listMyInvitations', 200>['invitations'][number];

/**
 * `POST /v1/me/invitations/{orgId}/accept`: joined; or joined an organisation that requires
 * MFA while the user has no factor: this session ended, and enrollment comes at once. (The
 * document lists the enrollment fields as optional; they come together.)
 */
export type InvitationAccepted = Answer<'acceptInvitation', 200> &
  ({ status?: undefined } | EnrollmentRequired);

/** `GET /v1/config`: the public settings a client adapts to. */
export type SiteConfig = Answer<'config', 200>;
