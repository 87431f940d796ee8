import { expect } from 'vitest';
import { type Answer, call, logIn } from './api.ts';
import { type Account, account, appCode, enrollTotp, verify } from './mfa.ts';

/** API.md "Organisations": a new organisation's policy (REMEMBER_DEVICE_DAYS defaults to 30). */
export const DEFAULT_POLICY = {
  mode: 'off',
  allowedFactorTypes: ['totp', 'sms', 'email'],
  rememberDeviceDays: 30,
  graceDays: 0,
} as const;

export type Policy = {
  mode: 'off' | 'optional' | 'required';
  allowedFactorTypes: ('totp' | 'sms' | 'email')[];
  rememberDeviceDays: number;
  graceDays: number;
  /** Set by the service when `required` is switched on. */
  requiredSince?: string;
};

/** An account that enrolled an authenticator app and logged in with it: an `aal: 2` token. */
export interface MfaAccount extends Account {
  totp: { factorId: string; secret: string; recoveryCodes: string[] | undefined };
}

/**
 * Enrolls TOTP (activated with the previous step's code) and logs in again with the current
 * step: the returned tokens are `aal: 2`. The factor's current step is used up by this login.
 */
export async function withMfa(user: Account): Promise<MfaAccount> {
  const totp = await enrollTotp(user);
  const login = await logIn(user.email);
  if (login.body.status !== 'mfa_required')
    throw new Error(`expected mfa_required, got ${JSON.stringify(login.body)}`);
  const verified = await verify({
    mfaToken: login.body.mfaToken,
    factorId: totp.factorId,
    code: appCode(totp.secret),
  });
  if (verified.status !== 200) throw new Error(`verify: ${verified.status} ${JSON.stringify(verified.body)}`);
  return {
    ...user,
    accessToken: verified.body.accessToken,
    refreshToken: verified.body.refreshToken,
    totp,
  };
}

export async function createOrg(token: string, name = 'Acme'): Promise<string> {
  const created = await call('POST', '/v1/orgs', { token, body: { name } });
  if (created.status !== 201)
    throw new Error(`create org: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body.orgId;
}

/** A new organisation whose owner has MFA and an `aal: 2` token (needed for policy changes and resets). */
export async function orgWithMfaOwner(name = 'Acme'): Promise<{ orgId: string; owner: MfaAccount }> {
  const owner = await account();
  const orgId = await createOrg(owner.accessToken, name);
  return { orgId, owner: await withMfa(owner) };
}

/**
 * `POST /v1/orgs/{orgId}/members`: since joining takes the user's consent, this INVITES the user
 * (201 `status: "invited"`); they are a member once they accept (`acceptInvitation`).
 */
export function addMember(
  token: string,
  orgId: string,
  email: string,
  role: 'admin' | 'member',
): Promise<Answer> {
  return call('POST', `/v1/orgs/${orgId}/members`, { token, body: { email, role } });
}

/** `POST /v1/me/invitations/{orgId}/accept` (aal 2 when the caller has an active factor). */
export function acceptInvitation(token: string, orgId: string): Promise<Answer> {
  return call('POST', `/v1/me/invitations/${orgId}/accept`, { token });
}

/** `DELETE /v1/me/invitations/{orgId}`: declines. */
export function declineInvitation(token: string, orgId: string): Promise<Answer> {
  return call('DELETE', `/v1/me/invitations/${orgId}`, { token });
}

/** `GET /v1/me/invitations`. */
export function myInvitations(token: string): Promise<Answer> {
  return call('GET', '/v1/me/invitations', { token });
}

/** An open invitation as `GET /v1/me/invitations` lists it (routes.ts `listMyInvitations`). */
export const invitation = (orgId: string, orgName: string, role: 'admin' | 'member') => ({
  orgId,
  orgName,
  role,
  createdAt: expect.any(String),
  expiresAt: expect.any(String),
});

/** `POST /v1/orgs/{orgId}/members`'s answer, the same for every address it may invite. */
export const invited = (email: string, role: 'admin' | 'member') => ({
  status: 'invited',
  email: email.toLowerCase(),
  role,
  expiresAt: expect.any(String),
});

/** Events about a user: theirs, and the invitations to their address (whose user is the inviter). */
export const about =
  (user: { userId: string; email: string }) =>
  (event: { userId: string; details: Record<string, unknown> }) =>
    event.userId === user.userId || event.details.email === user.email.toLowerCase();

/** `GET /v1/orgs/{orgId}/invitations` and `DELETE /v1/orgs/{orgId}/invitations/{email}`. */
export function orgInvitations(token: string, orgId: string): Promise<Answer> {
  return call('GET', `/v1/orgs/${orgId}/invitations`, { token });
}

export function revokeInvitation(token: string, orgId: string, email: string): Promise<Answer> {
  return call('DELETE', `/v1/orgs/${orgId}/invitations/${encodeURIComponent(email)}`, { token });
}

/**
 * A new account, invited to the organisation with `role`, which accepted (the account has no
 * factor, so its aal 1 token may accept). Its tokens predate joining: aal 1 and no `org` or
 * `role` claim (access checks read the profile, so they work); log in again for a token that
 * names the organisation.
 */
export async function member(
  token: string,
  orgId: string,
  role: 'admin' | 'member' = 'member',
): Promise<Account> {
  const user = await account();
  const invited = await addMember(token, orgId, user.email, role);
  if (invited.status !== 201)
    throw new Error(`invite member: ${invited.status} ${JSON.stringify(invited.body)}`);
  const accepted = await acceptInvitation(user.accessToken, orgId);
  if (accepted.status !== 200)
    throw new Error(`accept invitation: ${accepted.status} ${JSON.stringify(accepted.body)}`);
  return user;
}

export function putPolicy(token: string, orgId: string, policy: Record<string, unknown>): Promise<Answer> {
  return call('PUT', `/v1/orgs/${orgId}/mfa-policy`, { token, body: policy });
}

/** Sets the policy (the default with `changes`), expecting 200. */
export async function setPolicy(token: string, orgId: string, changes: Partial<Policy>): Promise<Policy> {
  const answer = await putPolicy(token, orgId, { ...DEFAULT_POLICY, ...changes });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.policy;
}

export interface OrgEvent {
  id: string;
  type: string;
  at: string;
  actorId: string;
  userId: string;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
  /** The actor's and the user's addresses now (null: the account no longer exists). */
  actorEmail: string | null;
  userEmail: string | null;
}

/** The organisation's audit log, newest first, following `nextCursor` page by page. */
export async function orgEvents(token: string, orgId: string, limit = 100): Promise<OrgEvent[]> {
  const events: OrgEvent[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await call('GET', `/v1/orgs/${orgId}/events?${query}`, { token });
    if (page.status !== 200) throw new Error(`org events: ${page.status} ${JSON.stringify(page.body)}`);
    events.push(...page.body.events);
    cursor = page.body.nextCursor;
  } while (cursor);
  return events;
}

/** The error bodies of the organisation routes, whole. */
export const orgErrors = {
  forbidden: { error: { code: 'forbidden', message: 'You are not allowed to do this.' } },
  callerMfaRequired: {
    error: { code: 'caller_mfa_required', message: 'Sign in with multi-factor authentication to do this.' },
  },
  alreadyInOrg: {
    error: { code: 'already_in_org', message: 'The user already belongs to an organisation.' },
  },
  factorTypeNotAllowed: {
    error: { code: 'factor_type_not_allowed', message: 'This factor type is not allowed.' },
  },
  mfaRequiredByPolicy: {
    error: {
      code: 'mfa_required_by_policy',
      message: 'Your organisation requires multi-factor authentication.',
    },
  },
  invalidRequest: (path: string, message: unknown = expect.any(String)) => ({
    error: { code: 'invalid_request', message: 'The request is not valid.', details: [{ path, message }] },
  }),
};
