/** The shapes of API.md that the client reads. Only what the screens use is typed. */
export type FactorType = 'totp' | 'sms' | 'email';

export interface Factor {
  id: string;
  type: FactorType;
  label: string;
  /** Masked: `+*******4567`, `j***@example.com`, null for TOTP. */
  destination: string | null;
  status: 'pending' | 'active';
  createdAt: string;
  lastUsedAt: string | null;
}

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** `mfa_enrollment_required`: the organisation requires MFA and the user has no factor yet. */
export interface EnrollmentRequired {
  status: 'mfa_enrollment_required';
  enrollmentToken: string;
  expiresIn: number;
  allowedFactorTypes: FactorType[];
}

/**
 * `POST /v1/sessions/refresh`: new tokens whose claims say what is true now (organisation,
 * role), or, when the organisation now requires MFA of a user without a factor, the enrollment
 * step (the session ended, as after a login answering the same).
 */
export type Refreshed = (Tokens & { status: 'authenticated' }) | EnrollmentRequired;

/** `POST /v1/users` (202), and the sign-in of an account whose address is not confirmed yet. */
export interface VerificationStarted {
  verificationId: string;
  expiresAt: string;
  resendAvailableAt: string;
}

/**
 * What proving a password (or an address, or a reset code) leads to: `POST /v1/sessions`,
 * `POST /v1/users/verify` and `POST /v1/password-resets/{resetId}/confirm` all answer it.
 * With a reset, `mfa_required` means the new password takes effect once that step succeeds
 * (and `factors` may be empty: then only a recovery code is left).
 */
export type LoginAnswer =
  | (Tokens & { status: 'authenticated'; mfa: { enabled: boolean; suggested: boolean } })
  | { status: 'mfa_required'; mfaToken: string; expiresIn: number; factors: Factor[] }
  | EnrollmentRequired
  | (VerificationStarted & { status: 'email_verification_required' });

/** `POST /v1/password-resets` (202): the same answer for every address. */
export interface ResetStarted {
  resetId: string;
  expiresAt: string;
}

export interface Authenticated extends Tokens {
  status: 'authenticated';
  deviceToken?: string;
  recoveryCodesRemaining?: number;
}

export interface CodeSent {
  challengeId: string;
  expiresAt: string;
  resendAvailableAt: string;
}

export interface ChallengeCreated extends CodeSent {
  factorId: string;
  factorType: FactorType;
  destination: string | null;
}

export interface FactorCreated {
  factor: Factor;
  secret?: string;
  otpauthUri?: string;
  qrCode?: string;
  challengeId?: string;
  expiresAt?: string;
  resendAvailableAt?: string;
}

export interface FactorActivated {
  factor: Factor;
  recoveryCodes?: string[];
  status?: 'authenticated';
  accessToken?: string;
  refreshToken?: string;
  expiresIn?: number;
}

export interface FactorList {
  factors: Factor[];
  recoveryCodesRemaining: number;
  mfaEnabled: boolean;
}

export interface Device {
  id: string;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
}

/** One of `GET /v1/me/sessions`: a signed-in browser or app of this account. */
export interface SessionInfo {
  id: string;
  createdAt: string;
  /** The last refresh; null until the first one. */
  lastUsedAt: string | null;
  ip: string | null;
  userAgent: string | null;
  aal: 1 | 2;
  /** The session of this tab. */
  current: boolean;
}

export interface SecurityEvent {
  id: string;
  type: string;
  at: string;
  actorId: string;
  userId: string;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
  /** In an organisation's audit log: who did it and to whom (null: the account is gone). */
  actorEmail?: string | null;
  userEmail?: string | null;
}

export interface EventPage {
  events: SecurityEvent[];
  nextCursor: string | null;
}

/** `{ factorId, code }` (TOTP), `{ challengeId, code }` (SMS/email via /codes) or `{ recoveryCode }`. */
export type Verification =
  | { factorId: string; code: string }
  | { challengeId: string; code: string }
  | { recoveryCode: string };

export interface MfaPolicy {
  mode: 'off' | 'optional' | 'required';
  allowedFactorTypes: FactorType[];
  rememberDeviceDays: number;
  graceDays: number;
  requiredSince?: string;
}

export interface Org {
  orgId: string;
  name: string;
  policy: MfaPolicy;
}

export interface Member {
  userId: string;
  email: string;
  role: 'owner' | 'admin' | 'member';
  mfaEnabled: boolean;
  factorTypes: FactorType[];
}

/** `POST /v1/orgs/{orgId}/members` (201): the same answer whether the address has an account or not. */
export interface MemberInvited {
  status: 'invited';
  /** Normalised (lower case). */
  email: string;
  role: 'admin' | 'member';
  expiresAt: string;
}

/** An invitation the organisation sent and nobody accepted, declined or withdrew yet. */
export interface PendingInvitation {
  email: string;
  role: 'admin' | 'member';
  /** The user id of the owner or admin who sent it, and their address. */
  invitedBy: string;
  invitedByEmail: string;
  createdAt: string;
  expiresAt: string;
}

/** An organisation's invitation: adding a member is an offer the user accepts. */
export interface Invitation {
  orgId: string;
  orgName: string;
  role: 'admin' | 'member';
  createdAt: string;
  expiresAt: string;
}

/**
 * `POST /v1/me/invitations/{orgId}/accept`: joined; or joined an organisation that requires
 * MFA while the user has no factor: this session ended, and enrollment comes at once.
 */
export type InvitationAccepted = { orgId: string; role: 'admin' | 'member' } & (
  | { status?: undefined }
  | EnrollmentRequired
);

/** `GET /v1/config`: the public settings a client adapts to. */
export interface SiteConfig {
  /** ISO 3166-1 alpha-2 codes of the countries SMS codes may go to. */
  smsCountries: string[];
  factorTypes: FactorType[];
  passwordMinLength: number;
}
