/**
 * Organisations over HTTP against the local runtime (API.md "Organisations", DESIGN "Flows:
 * Org policy"): creating one, inviting members (who accept or decline: joining takes the user's
 * consent), the MFA policy and what it makes a login answer, forced enrollment with an
 * enrollment token, allowed factor types, "remember this device" turned off, an admin reset of
 * a member who lost their phone, and the organisation's audit log.
 * The attacks on the same endpoints are in orgs.security.test.ts.
 */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as createFactor } from '../../functions/mfa/factors-create.ts';
import { handler as resendFactorCode } from '../../functions/mfa/factors-resend.ts';
import { handler as listOrgEvents } from '../../functions/orgs/events.ts';
import { config } from '../../shared/config.ts';
import { db, table } from '../../shared/db/client.ts';
import { listDevices } from '../../shared/db/devices.ts';
import { listFactors } from '../../shared/db/factors.ts';
import { countRecoveryCodes } from '../../shared/db/recovery.ts';
import { profileKey } from '../../shared/db/users.ts';
import { loginStep } from '../../shared/mfa/policy.ts';
import { call, logIn, PASSWORD } from '../support/api.ts';
import {
  account,
  answers,
  appCode,
  challenge,
  emailsTo,
  enrollSms,
  enrollTotp,
  invoke,
  mfaToken,
  RECOVERY_CODE,
  sleep,
  smsCode,
  smsCount,
  uniquePhone,
  verify,
} from '../support/mfa.ts';
import {
  about,
  acceptInvitation,
  addMember,
  createOrg,
  DEFAULT_POLICY,
  declineInvitation,
  invitation,
  invited,
  member,
  myInvitations,
  orgErrors,
  orgEvents,
  orgWithMfaOwner,
  type Policy,
  putPolicy,
  setPolicy,
  withMfa,
} from '../support/orgs.ts';

// In-process handlers of this file (the resend below) wait 1 s between sends instead of 30.
vi.hoisted(() => {
  process.env.RESEND_COOLDOWN_SECONDS = '1';
});
const AFTER_COOLDOWN_MS = 1100;

const ULID = /^[0-9A-Z]{26}$/;

const publicFactor = (fields: Record<string, unknown>) => ({
  id: expect.any(String),
  label: expect.any(String),
  createdAt: expect.any(String),
  lastUsedAt: null,
  ...fields,
});

const totpFactor = (id: string, lastUsedAt: unknown = null) =>
  publicFactor({
    id,
    type: 'totp',
    label: 'Authenticator app',
    destination: null,
    status: 'active',
    lastUsedAt,
  });

const refreshRefused = {
  error: { code: 'unauthorized', message: 'The refresh token is not valid.' },
};

const authenticatedLogin = (suggested: boolean) => ({
  ...answers.authenticated,
  mfa: { enabled: false, suggested },
});

const enrollmentRequired = (allowedFactorTypes: string[]) => ({
  status: 'mfa_enrollment_required',
  enrollmentToken: expect.any(String),
  expiresIn: 600,
  allowedFactorTypes,
});

const mfaRequired = (factors: unknown[]) => ({
  status: 'mfa_required',
  mfaToken: expect.stringMatching(/^[0-9A-Z]{26}\.[0-9A-Z]{26}\.[\w-]{43}$/),
  expiresIn: 600,
  factors,
});

const resetPath = (orgId: string, userId: string) => `/v1/orgs/${orgId}/members/${userId}/mfa-reset`;

describe('organisations and members', () => {
  it('POST /v1/orgs: 201 { orgId }, the creator is owner, the default policy; a second org → 409 already_in_org', async () => {
    const owner = await account();
    const created = await call('POST', '/v1/orgs', { token: owner.accessToken, body: { name: 'Acme' } });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ orgId: expect.stringMatching(ULID) });
    const { orgId } = created.body;

    const got = await call('GET', `/v1/orgs/${orgId}`, { token: owner.accessToken });
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ orgId, name: 'Acme', policy: DEFAULT_POLICY });

    const second = await call('POST', '/v1/orgs', { token: owner.accessToken, body: { name: 'Other' } });
    expect(second.status).toBe(409);
    expect(second.body).toEqual(orgErrors.alreadyInOrg);

    const members = await call('GET', `/v1/orgs/${orgId}/members`, { token: owner.accessToken });
    expect(members.body).toEqual({
      members: [
        { userId: owner.userId, email: owner.email, role: 'owner', mfaEnabled: false, factorTypes: [] },
      ],
    });
    // Tokens issued from now on name the organisation and the role.
    const login = await logIn(owner.email);
    expect(decodeJwt(login.body.accessToken)).toMatchObject({ sub: owner.userId, org: orgId, role: 'owner' });
  });

  it('members: an admin and a member are invited (201 invited) and join on accepting; already a member → 409; any other address is invited alike; the list shows MFA', async () => {
    const owner = await account();
    const orgId = await createOrg(owner.accessToken);
    const admin = await account();
    const user = await account();
    const ownerOnly = [
      { userId: owner.userId, email: owner.email, role: 'owner', mfaEnabled: false, factorTypes: [] },
    ];

    const invitedAdmin = await addMember(owner.accessToken, orgId, admin.email, 'admin');
    expect(invitedAdmin.status).toBe(201);
    expect(invitedAdmin.body).toEqual(invited(admin.email, 'admin'));
    // Invited is not joined: not listed, no power over the organisation yet.
    const beforeAccepting = await call('GET', `/v1/orgs/${orgId}/members`, { token: owner.accessToken });
    expect(beforeAccepting.body).toEqual({ members: ownerOnly });
    const notYet = await addMember(admin.accessToken, orgId, user.email, 'member');
    expect(notYet.status).toBe(404);
    expect(notYet.body).toEqual(answers.notFound);
    expect((await myInvitations(admin.accessToken)).body).toEqual({
      invitations: [invitation(orgId, 'Acme', 'admin')],
    });
    const accepted = await acceptInvitation(admin.accessToken, orgId);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ orgId, role: 'admin' });
    expect((await myInvitations(admin.accessToken)).body).toEqual({ invitations: [] });

    // An admin may invite members too.
    const invitedMember = await addMember(admin.accessToken, orgId, user.email, 'member');
    expect(invitedMember.status).toBe(201);
    expect(invitedMember.body).toEqual(invited(user.email, 'member'));
    expect((await acceptInvitation(user.accessToken, orgId)).body).toEqual({ orgId, role: 'member' });

    // Already one of this organisation's members (whom the admins see listed anyway): 409.
    const again = await addMember(owner.accessToken, orgId, user.email, 'admin');
    expect(again.status).toBe(409);
    expect(again.body).toEqual(orgErrors.alreadyInOrg);
    // In another organisation: invited like anyone (saying so would tell the inviter), and the
    // user, who belongs to at most one, cannot accept.
    const elsewhere = await account();
    await createOrg(elsewhere.accessToken, 'Elsewhere');
    const taken = await addMember(owner.accessToken, orgId, elsewhere.email, 'member');
    expect(taken.status).toBe(201);
    expect(taken.body).toEqual(invited(elsewhere.email, 'member'));
    expect((await myInvitations(elsewhere.accessToken)).body).toEqual({
      invitations: [invitation(orgId, 'Acme', 'member')],
    });
    const cannot = await acceptInvitation(elsewhere.accessToken, orgId);
    expect(cannot.status).toBe(409);
    expect(cannot.body).toEqual(orgErrors.alreadyInOrg);
    // A member cannot start an organisation of their own either.
    const ownOrg = await call('POST', '/v1/orgs', { token: user.accessToken, body: { name: 'Mine' } });
    expect(ownOrg.status).toBe(409);
    expect(ownOrg.body).toEqual(orgErrors.alreadyInOrg);

    const nobody = `nobody-${owner.userId}@example.com`.toLowerCase();
    const unknown = await addMember(owner.accessToken, orgId, nobody, 'member');
    expect(unknown.status).toBe(201);
    expect(unknown.body).toEqual(invited(nobody, 'member'));

    await enrollTotp(user);
    const listed = await call('GET', `/v1/orgs/${orgId}/members`, { token: owner.accessToken });
    expect(listed.status).toBe(200);
    const byId = (a: { userId: string }, b: { userId: string }) => a.userId.localeCompare(b.userId);
    expect([...listed.body.members].sort(byId)).toEqual(
      [
        { userId: owner.userId, email: owner.email, role: 'owner', mfaEnabled: false, factorTypes: [] },
        { userId: admin.userId, email: admin.email, role: 'admin', mfaEnabled: false, factorTypes: [] },
        { userId: user.userId, email: user.email, role: 'member', mfaEnabled: true, factorTypes: ['totp'] },
      ].sort(byId),
    );
    // The admin sees the same list; a member may read the organisation and its policy.
    const byAdmin = await call('GET', `/v1/orgs/${orgId}/members`, { token: admin.accessToken });
    expect([...byAdmin.body.members].sort(byId)).toEqual([...listed.body.members].sort(byId));
    const read = await call('GET', `/v1/orgs/${orgId}`, { token: user.accessToken });
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ orgId, name: 'Acme', policy: DEFAULT_POLICY });
  });
});

describe('invitations (GET /v1/me/invitations, accept, decline)', () => {
  const invitedSubject = 'Serverless MFA: you were invited to an organisation';

  it('a repeated invitation replaces the earlier one and is emailed; a user with MFA accepts with an aal 2 token and joins', async () => {
    const { orgId, owner } = await orgWithMfaOwner('Initech');
    const user = await withMfa(await account());
    expect(decodeJwt(user.accessToken).aal).toBe(2);
    expect((await addMember(owner.accessToken, orgId, user.email, 'member')).status).toBe(201);
    expect((await addMember(owner.accessToken, orgId, user.email, 'admin')).status).toBe(201);

    const listed = await myInvitations(user.accessToken);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({ invitations: [invitation(orgId, 'Initech', 'admin')] });
    const [open] = listed.body.invitations;
    expect(Date.parse(open.expiresAt) - Date.parse(open.createdAt)).toBe(7 * 86_400_000);
    const mails = (await emailsTo(user.email)).filter((mail) => mail.Subject === invitedSubject);
    expect(mails).toHaveLength(2);
    expect(mails[1]?.Body.text_part).toContain(
      'You were invited to join the organisation "Initech" as an admin. Nothing changes unless you accept it',
    );

    const accepted = await acceptInvitation(user.accessToken, orgId);
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ orgId, role: 'admin' });
    expect((await myInvitations(user.accessToken)).body).toEqual({ invitations: [] });
    const twice = await acceptInvitation(user.accessToken, orgId);
    expect(twice.status).toBe(409);
    expect(twice.body).toEqual(orgErrors.alreadyInOrg);

    const members = await call('GET', `/v1/orgs/${orgId}/members`, { token: owner.accessToken });
    expect(members.body.members).toContainEqual({
      userId: user.userId,
      email: user.email,
      role: 'admin',
      mfaEnabled: true,
      factorTypes: ['totp'],
    });
    // The next login's tokens name the organisation and the role (a recovery code: the TOTP
    // step of this window was used by withMfa).
    const recovered = await call('POST', '/v1/mfa/recover', {
      body: { mfaToken: await mfaToken(user.email), recoveryCode: user.totp.recoveryCodes?.[0] },
    });
    expect(recovered.status).toBe(200);
    expect(decodeJwt(recovered.body.accessToken)).toMatchObject({ org: orgId, role: 'admin' });

    const logged = (await orgEvents(owner.accessToken, orgId)).filter(about(user));
    // Newest first; what the user did before joining (enrolling TOTP) is not the organisation's.
    // An invitation is to an address: its event names the address, and the inviter as the user.
    expect(logged.map((event) => [event.type, event.actorId, event.details])).toEqual([
      ['recovery_code.used', user.userId, { remaining: 9 }],
      ['org.member_added', owner.userId, { role: 'admin' }],
      ['org.member_invited', owner.userId, { email: user.email, role: 'admin' }],
      ['org.member_invited', owner.userId, { email: user.email, role: 'member' }],
    ]);
  });

  it('declining removes the invitation: no longer listed, accepting → 404, declining again → 404; nobody joined', async () => {
    const { orgId, owner } = await orgWithMfaOwner();
    const user = await account();
    expect((await addMember(owner.accessToken, orgId, user.email, 'member')).status).toBe(201);

    const declined = await declineInvitation(user.accessToken, orgId);
    expect(declined.status).toBe(204);
    expect(declined.body).toBeUndefined();
    expect((await myInvitations(user.accessToken)).body).toEqual({ invitations: [] });
    for (const answer of [
      await acceptInvitation(user.accessToken, orgId),
      await declineInvitation(user.accessToken, orgId),
    ]) {
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual(answers.notFound);
    }
    const members = await call('GET', `/v1/orgs/${orgId}/members`, { token: owner.accessToken });
    expect(members.body.members.map((m: { userId: string }) => m.userId)).toEqual([owner.userId]);
    const logged = (await orgEvents(owner.accessToken, orgId)).filter(about(user));
    expect(logged.map((event) => event.type)).toEqual(['org.member_invited']);
    // Still free to start or join another organisation.
    expect((await call('POST', '/v1/orgs', { token: user.accessToken, body: { name: 'Own' } })).status).toBe(
      201,
    );
  });
});

describe('PUT /v1/orgs/{orgId}/mfa-policy', () => {
  it('owner MFA first: `required` with an aal 1 token → 403 caller_mfa_required; with aal 2 → 200 and requiredSince', async () => {
    const owner = await account();
    const orgId = await createOrg(owner.accessToken);
    const required = { ...DEFAULT_POLICY, mode: 'required' };
    expect(decodeJwt(owner.accessToken).aal).toBe(1);

    const refused = await putPolicy(owner.accessToken, orgId, required);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual(orgErrors.callerMfaRequired);
    expect((await call('GET', `/v1/orgs/${orgId}`, { token: owner.accessToken })).body.policy).toEqual(
      DEFAULT_POLICY,
    );

    const mfaOwner = await withMfa(owner);
    expect(decodeJwt(mfaOwner.accessToken)).toMatchObject({ aal: 2, amr: ['pwd', 'otp', 'mfa'] });
    const before = Date.now();
    const set = await putPolicy(mfaOwner.accessToken, orgId, required);
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ policy: { ...required, requiredSince: expect.any(String) } });
    const since = Date.parse(set.body.policy.requiredSince);
    expect(since).toBeGreaterThanOrEqual(before - 1000);
    expect(since).toBeLessThanOrEqual(Date.now() + 1000);
    const got = await call('GET', `/v1/orgs/${orgId}`, { token: mfaOwner.accessToken });
    expect(got.body).toEqual({ orgId, name: 'Acme', policy: set.body.policy });
  });

  it('the grace period counts from when `required` was switched on: editing keeps requiredSince, leaving drops it', async () => {
    const { orgId, owner } = await orgWithMfaOwner();
    const first = await setPolicy(owner.accessToken, orgId, { mode: 'required' });
    await sleep(5);
    const edited = await setPolicy(owner.accessToken, orgId, { mode: 'required', graceDays: 7 });
    expect(edited).toEqual({
      ...DEFAULT_POLICY,
      mode: 'required',
      graceDays: 7,
      requiredSince: first.requiredSince,
    });
    const optional = await setPolicy(owner.accessToken, orgId, { mode: 'optional' });
    expect(optional).toEqual({ ...DEFAULT_POLICY, mode: 'optional' });
    await sleep(5);
    const again = await setPolicy(owner.accessToken, orgId, { mode: 'required' });
    expect(again.requiredSince && first.requiredSince && again.requiredSince > first.requiredSince).toBe(
      true,
    );
  });

  describe('validation: 400 invalid_request naming the field, nothing changed', () => {
    let orgId: string;
    let token: string;
    beforeAll(async () => {
      const org = await orgWithMfaOwner();
      orgId = org.orgId;
      token = org.owner.accessToken;
    });

    it.each([
      ['rememberDeviceDays 91', { rememberDeviceDays: 91 }, 'body.rememberDeviceDays'],
      ['rememberDeviceDays -1', { rememberDeviceDays: -1 }, 'body.rememberDeviceDays'],
      ['rememberDeviceDays 1.5', { rememberDeviceDays: 1.5 }, 'body.rememberDeviceDays'],
      ['graceDays 31', { graceDays: 31 }, 'body.graceDays'],
      ['graceDays -1', { graceDays: -1 }, 'body.graceDays'],
      ['an empty allowedFactorTypes', { allowedFactorTypes: [] }, 'body.allowedFactorTypes'],
      [
        'a duplicated allowedFactorTypes',
        { allowedFactorTypes: ['totp', 'totp'] },
        'body.allowedFactorTypes',
      ],
      ['an unknown factor type', { allowedFactorTypes: ['totp', 'webauthn'] }, 'body.allowedFactorTypes.1'],
      ['an unknown mode', { mode: 'strict' }, 'body.mode'],
      ['an unknown field', { enforceFrom: '2030-01-01' }, 'body.enforceFrom', 'Unknown field.'],
      [
        'requiredSince set by the client',
        { requiredSince: '2000-01-01T00:00:00.000Z' },
        'body.requiredSince',
      ],
    ])('%s', async (_name, change, path, message = expect.any(String)) => {
      const answer = await putPolicy(token, orgId, { ...DEFAULT_POLICY, mode: 'required', ...change });
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual(orgErrors.invalidRequest(path, message));
      const got = await call('GET', `/v1/orgs/${orgId}`, { token });
      expect(got.body.policy).toEqual(DEFAULT_POLICY);
    });

    it('a missing field is named too', async () => {
      const { graceDays: _omitted, ...rest } = DEFAULT_POLICY;
      const answer = await putPolicy(token, orgId, rest);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual(orgErrors.invalidRequest('body.graceDays'));
    });
  });
});

describe('login answers by policy (POST /v1/sessions)', () => {
  let orgId: string;
  let ownerToken: string;
  beforeAll(async () => {
    const org = await orgWithMfaOwner();
    orgId = org.orgId;
    ownerToken = org.owner.accessToken;
  });

  it.each<[string, Partial<Policy>, unknown]>([
    ['off → authenticated, MFA not suggested', { mode: 'off' }, authenticatedLogin(false)],
    ['optional → authenticated, enrollment suggested', { mode: 'optional' }, authenticatedLogin(true)],
    [
      'required, graceDays 0 → mfa_enrollment_required',
      { mode: 'required' },
      enrollmentRequired(['totp', 'sms', 'email']),
    ],
    [
      'required with its own allowed types → mfa_enrollment_required offering those',
      { mode: 'required', allowedFactorTypes: ['totp', 'sms'] },
      enrollmentRequired(['totp', 'sms']),
    ],
    [
      'required, graceDays 7 (grace period) → authenticated, enrollment suggested',
      { mode: 'required', graceDays: 7 },
      authenticatedLogin(true),
    ],
  ])('a member without a factor, policy %s', async (_name, policy, expected) => {
    // `off` in between: each `required` below starts its grace period afresh.
    await setPolicy(ownerToken, orgId, { mode: 'off' });
    await setPolicy(ownerToken, orgId, policy);
    const user = await member(ownerToken, orgId);
    const login = await logIn(user.email);
    expect(login.status).toBe(200);
    expect(login.body).toEqual(expected);
    if (login.body.status === 'authenticated') {
      expect(decodeJwt(login.body.accessToken)).toMatchObject({
        sub: user.userId,
        org: orgId,
        role: 'member',
        aal: 1,
        amr: ['pwd'],
        scope: 'aal1',
      });
    }
  });

  it('after the grace period the member must enroll (policy evaluated at a later clock)', () => {
    const since = new Date('2030-01-01T00:00:00.000Z');
    const policy = { ...DEFAULT_POLICY, allowedFactorTypes: ['totp' as const], mode: 'required' as const };
    const graced = { ...policy, graceDays: 7, requiredSince: since.toISOString() };
    const day = 86_400_000;
    expect(loginStep(graced, [], new Date(since.getTime() + 7 * day - 1000))).toEqual({
      kind: 'password_only',
      suggested: true,
    });
    expect(loginStep(graced, [], new Date(since.getTime() + 7 * day))).toEqual({
      kind: 'enrollment_required',
      allowedFactorTypes: ['totp'],
    });
  });

  describe('a member WITH a factor → mfa_required whatever the mode', () => {
    let email: string;
    let factorId: string;
    beforeAll(async () => {
      const user = await member(ownerToken, orgId);
      email = user.email;
      factorId = (await enrollTotp(user)).factorId;
    });

    it.each<Partial<Policy>>([
      { mode: 'off' },
      { mode: 'optional' },
      { mode: 'required' },
      { mode: 'required', graceDays: 7 },
    ])('%o', async (policy) => {
      await setPolicy(ownerToken, orgId, policy);
      const login = await logIn(email);
      expect(login.status).toBe(200);
      expect(login.body).toEqual(mfaRequired([totpFactor(factorId)]));
    });
  });
});

describe('forced enrollment (mfa_enrollment_required)', () => {
  let orgId: string;
  let ownerToken: string;
  beforeAll(async () => {
    const org = await orgWithMfaOwner();
    orgId = org.orgId;
    ownerToken = org.owner.accessToken;
    await setPolicy(ownerToken, orgId, { mode: 'required' });
  });

  async function enrollmentToken(email: string): Promise<string> {
    const login = await logIn(email);
    expect(login.body).toEqual(enrollmentRequired(['totp', 'sms', 'email']));
    return login.body.enrollmentToken;
  }

  it('the enrollment token is an access token with scope mfa:enroll for 10 minutes, and there is no refresh token', async () => {
    const user = await member(ownerToken, orgId);
    const token = await enrollmentToken(user.email);
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      sub: user.userId,
      org: orgId,
      role: 'member',
      scope: 'mfa:enroll',
      aal: 1,
      amr: ['pwd'],
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(600);
    // Nothing to refresh it with: the token itself is not a refresh token either.
    const refreshed = await call('POST', '/v1/sessions/refresh', { body: { refreshToken: token } });
    expect([400, 401]).toContain(refreshed.status);
    expect(['invalid_request', 'unauthorized']).toContain(refreshed.body.error.code);
  });

  it('works on GET/POST /v1/mfa/factors, resend and activate; the first factor answers full aal 2 tokens', async () => {
    const user = await member(ownerToken, orgId);
    const token = await enrollmentToken(user.email);

    const listed = await call('GET', '/v1/mfa/factors', { token });
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({ factors: [], recoveryCodesRemaining: 0, mfaEnabled: false });

    // In process, with this file's 1 s cooldown, so that the resend is due without waiting 30 s.
    const phone = uniquePhone();
    const created = await invoke(createFactor, 'POST', '/v1/mfa/factors', {
      token,
      body: { type: 'sms', password: PASSWORD, phoneNumber: phone },
    });
    expect(created.status).toBe(201);
    expect(config().resendCooldownSeconds).toBe(1);
    await sleep(AFTER_COOLDOWN_MS);
    const resent = await invoke(
      resendFactorCode,
      'POST',
      `/v1/mfa/factors/${created.body.factor.id}/resend`,
      {
        token,
        pathParameters: { factorId: created.body.factor.id },
      },
    );
    expect(resent.status).toBe(200);
    expect(resent.body).toEqual({
      challengeId: created.body.challengeId,
      expiresAt: expect.any(String),
      resendAvailableAt: expect.any(String),
    });
    expect(await smsCount(phone)).toBe(2);

    const activated = await call('POST', `/v1/mfa/factors/${created.body.factor.id}/activate`, {
      token,
      body: { code: await smsCode(phone), challengeId: resent.body.challengeId },
    });
    expect(activated.status).toBe(200);
    expect(activated.body).toEqual({
      factor: publicFactor({
        id: created.body.factor.id,
        type: 'sms',
        label: 'Phone',
        destination: `+*******${phone.slice(-4)}`,
        status: 'active',
      }),
      recoveryCodes: expect.any(Array),
      ...answers.authenticated,
    });
    expect(decodeJwt(activated.body.accessToken)).toMatchObject({
      sub: user.userId,
      scope: 'aal1 aal2',
      aal: 2,
      amr: ['pwd', 'sms', 'mfa'],
    });
  });

  it('activating the first factor answers factor, 10 recovery codes, status authenticated and full tokens; the enrollment token then stops working', async () => {
    const user = await member(ownerToken, orgId);
    const token = await enrollmentToken(user.email);
    const created = await call('POST', '/v1/mfa/factors', {
      token,
      body: { type: 'totp', password: PASSWORD },
    });
    expect(created.status).toBe(201);
    const activated = await call('POST', `/v1/mfa/factors/${created.body.factor.id}/activate`, {
      token,
      body: { code: appCode(created.body.secret) },
    });
    expect(activated.status).toBe(200);
    expect(activated.body).toEqual({
      factor: totpFactor(created.body.factor.id),
      recoveryCodes: expect.any(Array),
      ...answers.authenticated,
    });
    expect(activated.body.recoveryCodes).toHaveLength(10);
    for (const code of activated.body.recoveryCodes) expect(code).toMatch(RECOVERY_CODE);
    expect(decodeJwt(activated.body.accessToken)).toMatchObject({
      sub: user.userId,
      org: orgId,
      role: 'member',
      scope: 'aal1 aal2',
      aal: 2,
      amr: ['pwd', 'otp', 'mfa'],
    });

    // The full tokens work where the enrollment token could not; the enrollment session is over.
    const devices = await call('GET', '/v1/mfa/devices', { token: activated.body.accessToken });
    expect(devices.status).toBe(200);
    const refreshed = await call('POST', '/v1/sessions/refresh', {
      body: { refreshToken: activated.body.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    const stale = await call('GET', '/v1/mfa/factors', { token });
    expect(stale.status).toBe(401);
    expect(stale.body).toEqual(answers.unauthorized);
    const another = await call('POST', '/v1/mfa/factors', {
      token,
      body: { type: 'totp', password: PASSWORD },
    });
    expect(another.status).toBe(401);

    // From now on the member logs in with the factor.
    expect((await logIn(user.email)).body).toEqual(mfaRequired([totpFactor(created.body.factor.id)]));
  });
});

describe('allowed factor types', () => {
  it('a type the policy leaves out cannot be enrolled, and factors of that type are no longer offered', async () => {
    const { orgId, owner } = await orgWithMfaOwner();
    const smsOnly = await member(owner.accessToken, orgId);
    await enrollSms(smsOnly);
    const both = await member(owner.accessToken, orgId);
    const totp = await enrollTotp(both);
    await enrollSms(both);
    const fresh = await member(owner.accessToken, orgId);

    await setPolicy(owner.accessToken, orgId, { mode: 'required', allowedFactorTypes: ['totp'] });

    const phone = uniquePhone();
    const refused = await call('POST', '/v1/mfa/factors', {
      token: fresh.accessToken,
      body: { type: 'sms', password: PASSWORD, phoneNumber: phone },
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual(orgErrors.factorTypeNotAllowed);
    expect(await smsCount(phone)).toBe(0);
    const nothing = await call('GET', '/v1/mfa/factors', { token: fresh.accessToken });
    expect(nothing.body.factors).toEqual([]);

    // The SMS-only member is treated as having no factor: enroll one of the allowed types.
    const smsLogin = await logIn(smsOnly.email);
    expect(smsLogin.body).toEqual(enrollmentRequired(['totp']));
    const viaEnrollment = await call('POST', '/v1/mfa/factors', {
      token: smsLogin.body.enrollmentToken,
      body: { type: 'sms', password: PASSWORD, phoneNumber: uniquePhone() },
    });
    expect(viaEnrollment.status).toBe(403);
    expect(viaEnrollment.body).toEqual(orgErrors.factorTypeNotAllowed);

    // TOTP and SMS: asked for MFA, and only the TOTP factor is offered.
    const bothLogin = await logIn(both.email);
    expect(bothLogin.body).toEqual(mfaRequired([totpFactor(totp.factorId)]));
  });
});

describe('remember this device, turned off by the policy', () => {
  it('rememberDeviceDays 0: a remembered device no longer skips MFA, and a verification issues no deviceToken', async () => {
    const { orgId, owner } = await orgWithMfaOwner();
    const user = await member(owner.accessToken, orgId);
    const totp = await enrollTotp(user);
    const sms = await enrollSms(user);

    const remembered = await verify({
      mfaToken: await mfaToken(user.email),
      factorId: totp.factorId,
      code: appCode(totp.secret),
      rememberDevice: true,
    });
    expect(remembered.status).toBe(200);
    expect(remembered.body).toEqual({ ...answers.authenticated, deviceToken: expect.any(String) });
    const { deviceToken } = remembered.body;
    const withDevice = () =>
      call('POST', '/v1/sessions', { body: { email: user.email, password: PASSWORD, deviceToken } });
    // Under the default policy (30 days) the device stands in for the second factor.
    expect((await withDevice()).body).toEqual({
      ...answers.authenticated,
      mfa: { enabled: true, suggested: false },
    });

    await setPolicy(owner.accessToken, orgId, { rememberDeviceDays: 0 });

    const login = await withDevice();
    expect(login.status).toBe(200);
    expect(login.body).toEqual(
      mfaRequired([
        totpFactor(totp.factorId, expect.any(String)),
        expect.objectContaining({ id: sms.factorId }),
      ]),
    );
    const started = await challenge(login.body.mfaToken, sms.factorId);
    expect(started.status).toBe(201);
    const verified = await verify({
      mfaToken: login.body.mfaToken,
      challengeId: started.body.challengeId,
      code: await smsCode(sms.phone),
      rememberDevice: true,
    });
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual(answers.authenticated);
    expect(await listDevices(user.userId)).toHaveLength(1);
  });
});

describe('POST /v1/orgs/{orgId}/members/{userId}/mfa-reset', () => {
  it('removes factors, recovery codes and devices, revokes sessions at once, emails the member and logs mfa.reset', async () => {
    const { orgId, owner } = await orgWithMfaOwner();
    const user = await member(owner.accessToken, orgId);
    const totp = await enrollTotp(user);
    expect(totp.recoveryCodes).toHaveLength(10);
    const verified = await verify({
      mfaToken: await mfaToken(user.email),
      factorId: totp.factorId,
      code: appCode(totp.secret),
      rememberDevice: true,
    });
    expect(verified.status).toBe(200);
    const { accessToken, refreshToken, deviceToken } = verified.body;
    const withDevice = () =>
      call('POST', '/v1/sessions', { body: { email: user.email, password: PASSWORD, deviceToken } });
    expect((await withDevice()).body.status).toBe('authenticated'); // the device skips MFA, for now
    expect((await call('GET', '/v1/mfa/factors', { token: accessToken })).status).toBe(200);
    await setPolicy(owner.accessToken, orgId, { mode: 'required' });

    const reset = await call('POST', resetPath(orgId, user.userId), { token: owner.accessToken });
    expect(reset.status).toBe(204);
    expect(reset.body).toBeUndefined();

    // Sessions: refused at once, not when the access token expires.
    for (const token of [accessToken, user.accessToken]) {
      const refused = await call('GET', '/v1/mfa/factors', { token });
      expect(refused.status).toBe(401);
      expect(refused.body).toEqual(answers.unauthorized);
    }
    for (const token of [refreshToken, user.refreshToken]) {
      const refused = await call('POST', '/v1/sessions/refresh', { body: { refreshToken: token } });
      expect(refused.status).toBe(401);
      expect(refused.body).toEqual(refreshRefused);
    }
    // Factors, recovery codes and devices are gone.
    expect(await listFactors(user.userId)).toEqual([]);
    expect(await countRecoveryCodes(user.userId)).toBe(0);
    expect(await listDevices(user.userId)).toEqual([]);
    const login = await withDevice();
    expect(login.body).toEqual(enrollmentRequired(['totp', 'sms', 'email']));
    const listed = await call('GET', '/v1/mfa/factors', { token: login.body.enrollmentToken });
    expect(listed.body).toEqual({ factors: [], recoveryCodesRemaining: 0, mfaEnabled: false });

    // Enrolled again, the member is asked for the new factor: the old device token skips nothing.
    const created = await call('POST', '/v1/mfa/factors', {
      token: login.body.enrollmentToken,
      body: { type: 'totp', password: PASSWORD },
    });
    const activated = await call('POST', `/v1/mfa/factors/${created.body.factor.id}/activate`, {
      token: login.body.enrollmentToken,
      body: { code: appCode(created.body.secret) },
    });
    expect(activated.body.status).toBe('authenticated');
    expect((await withDevice()).body).toEqual(mfaRequired([totpFactor(created.body.factor.id)]));

    // The member was told, and the organisation's log says who did it.
    const subjects = (await emailsTo(user.email)).map((message) => message.Subject);
    expect(subjects).toContain('Serverless MFA: your multi-factor authentication was reset');
    const events = await orgEvents(owner.accessToken, orgId);
    expect(events.filter((event) => event.type === 'mfa.reset')).toEqual([
      {
        id: expect.stringMatching(ULID),
        type: 'mfa.reset',
        at: expect.any(String),
        actorId: owner.userId,
        userId: user.userId,
        ip: expect.any(String),
        userAgent: expect.anything(),
        // The member's three sessions: sign-up login, the MFA login and the remembered-device login.
        details: { factorsRemoved: 1, devicesRemoved: 1, sessionsRevoked: 3 },
        // Who did it to whom, by the addresses the owner and admins know them by.
        actorEmail: owner.email,
        userEmail: user.email,
      },
    ]);
  });

  it('under `off`, a reset member logs in with the password alone, as the reset email says', async () => {
    const { orgId, owner } = await orgWithMfaOwner();
    const user = await member(owner.accessToken, orgId);
    await enrollTotp(user);
    await enrollSms(user);
    const reset = await call('POST', resetPath(orgId, user.userId), { token: owner.accessToken });
    expect(reset.status).toBe(204);
    expect((await logIn(user.email)).body).toEqual(authenticatedLogin(false));
    const [mail] = (await emailsTo(user.email)).filter(
      (m) => m.Subject === 'Serverless MFA: your multi-factor authentication was reset',
    );
    expect(mail?.Body.text_part).toContain(
      'You can sign in with your password alone; you can set it up again in your security settings.',
    );
    expect(mail?.Body.text_part).not.toContain('the next time you sign in');
    const listed = await call('GET', `/v1/orgs/${orgId}/members`, { token: owner.accessToken });
    expect(listed.body.members).toContainEqual({
      userId: user.userId,
      email: user.email,
      role: 'member',
      mfaEnabled: false,
      factorTypes: [],
    });
  });
});

describe('GET /v1/orgs/{orgId}/events', () => {
  it('lists invitations and member additions, factor events, policy changes and resets, newest first; limit=2 pages collect each once, in order', async () => {
    const { orgId, owner } = await orgWithMfaOwner();
    const admin = await member(owner.accessToken, orgId, 'admin');
    const user = await member(owner.accessToken, orgId);
    await enrollTotp(user);
    await setPolicy(owner.accessToken, orgId, { mode: 'optional' });
    await call('POST', resetPath(orgId, user.userId), { token: owner.accessToken });

    const events = await orgEvents(owner.accessToken, orgId);
    // factor.activated and recovery_codes.generated share a write and may share a millisecond.
    const sequence = events.filter((event) => event.type !== 'recovery_codes.generated');
    expect(sequence.map((event) => [event.type, event.userId, event.actorId])).toEqual([
      ['mfa.reset', user.userId, owner.userId],
      ['org.policy_changed', owner.userId, owner.userId],
      ['factor.activated', user.userId, user.userId],
      ['factor.added', user.userId, user.userId],
      // member(): the owner invites the address (the inviter is the event's user until someone
      // accepts), then the user accepts (the inviter stays the actor).
      ['org.member_added', user.userId, owner.userId],
      ['org.member_invited', owner.userId, owner.userId],
      ['org.member_added', admin.userId, owner.userId],
      ['org.member_invited', owner.userId, owner.userId],
      // orgWithMfaOwner: the org is created, then the owner enrolls an authenticator app.
      ['factor.activated', owner.userId, owner.userId],
      ['factor.added', owner.userId, owner.userId],
      ['org.member_added', owner.userId, owner.userId],
    ]);
    expect(
      events
        .filter((event) => event.type === 'recovery_codes.generated')
        .map((e) => e.userId)
        .sort(),
    ).toEqual([owner.userId, user.userId].sort());
    // Newest first: ids (ULIDs) strictly descending, times never increasing.
    const ids = events.map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual([...ids].sort().reverse());
    const times = events.map((event) => event.at);
    expect(times).toEqual([...times].sort().reverse());
    const policyChange = events.find((event) => event.type === 'org.policy_changed');
    expect(policyChange?.details).toEqual({
      from: DEFAULT_POLICY,
      to: { ...DEFAULT_POLICY, mode: 'optional' },
    });
    expect(events.find((e) => e.type === 'org.member_invited' && about(admin)(e))?.details).toEqual({
      email: admin.email,
      role: 'admin',
    });
    expect(events.find((e) => e.type === 'org.member_added' && e.userId === admin.userId)?.details).toEqual({
      role: 'admin',
    });

    const paged = await orgEvents(owner.accessToken, orgId, 2);
    expect(paged).toEqual(events);
    expect(new Set(paged.map((event) => event.id)).size).toBe(paged.length);
    const first = await call('GET', `/v1/orgs/${orgId}/events?limit=2`, { token: owner.accessToken });
    expect(first.body).toEqual({ events: events.slice(0, 2), nextCursor: expect.any(String) });
    // The admin reads the same log.
    expect(await orgEvents(admin.accessToken, orgId)).toEqual(events);
    // Every event names its actor and its user by address.
    const addresses = new Map([owner, admin, user].map((who) => [who.userId, who.email]));
    for (const event of events) {
      expect(event.actorEmail).toBe(addresses.get(event.actorId));
      expect(event.userEmail).toBe(addresses.get(event.userId));
    }
  });

  it("a page's addresses come from ONE BatchGetItem of its distinct users, not a read per event; an account gone since reads as null", async () => {
    const { orgId, owner } = await orgWithMfaOwner();
    const first = await member(owner.accessToken, orgId);
    const second = await member(owner.accessToken, orgId);
    const list = () =>
      invoke(listOrgEvents, 'GET', `/v1/orgs/${orgId}/events`, {
        token: owner.accessToken,
        pathParameters: { orgId },
      });
    await list(); // warm: the token's public key is read once per container
    const send = vi.spyOn(db, 'send');
    let answer: Awaited<ReturnType<typeof list>>;
    let calls: { name: string; input: any }[];
    try {
      answer = await list();
      calls = send.mock.calls.map(([command]) => ({
        name: (command as object).constructor.name,
        input: (command as { input: unknown }).input,
      }));
    } finally {
      send.mockRestore();
    }
    expect(answer.status).toBe(200);
    const kind = (key?: { pk: string; sk: string }) =>
      key ? ` ${key.pk.split('#')[0]}/${key.sk.split('#')[0]}` : '';
    expect(calls.map((c) => `${c.name.replace(/Command$/, '')}${kind(c.input.Key)}`)).toEqual([
      'Get SESSION/SESSION', // the bearer token's session, still live
      'Get USER/PROFILE', // the caller's role (org access)
      'Get ORG/ORG',
      'Query', // the page of events
      'BatchGet', // every address on the page, at once
    ]);
    const keys = Object.values(calls[4]?.input.RequestItems)[0] as { Keys: { pk: string }[] };
    expect(keys.Keys.map((key) => key.pk).sort()).toEqual(
      [owner, first, second].map((who) => `USER#${who.userId}`).sort(),
    );
    expect(answer.body.events.length).toBeGreaterThan(3);

    // The account of `second` is gone (its profile deleted): its events stay, without an address.
    await db.send(new DeleteCommand({ TableName: table(), Key: profileKey(second.userId) }));
    const after = await orgEvents(owner.accessToken, orgId);
    const about = after.filter((event) => event.userId === second.userId);
    expect(about.length).toBeGreaterThan(0);
    for (const event of about) expect(event.userEmail).toBeNull();
    for (const event of after.filter((e) => e.userId === first.userId))
      expect(event.userEmail).toBe(first.email);
  });
});
