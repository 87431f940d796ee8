/**
 * Attacks on organisations and their MFA policy, over HTTP against the local runtime:
 * - broken function-level authorisation (OWASP API5): a member on the owner/admin routes, an
 *   admin resetting the owner, an admin making someone owner;
 * - cross-tenant access, BOLA (OWASP API1): an admin of one organisation on another's routes, or
 *   on another organisation's member through their own path, and a user of no organisation on
 *   every organisation route: always the same 404 as for an organisation that does not exist;
 * - a stolen password alone (aal 1) changing the policy or resetting a member: the caller must
 *   have used MFA (DESIGN "Flows: Org policy");
 * - member capture: an organisation "adding" a stranger by email to relax or reset their MFA;
 *   joining is an invitation the user accepts (with MFA when they have it), or declines;
 * - scope escape with the enrollment token (`scope: "mfa:enroll"`): on every bearer route of the
 *   route table, as a refresh token, and after its session ended;
 * - factor-type downgrade: using a factor of a type the organisation no longer allows (at login,
 *   as a verification, to activate), also with a challenge started before the change; and
 *   narrowing the allowed types so that a member's MFA stops counting, under `off`, `optional`
 *   or a grace period (the member must enroll an allowed type, proving a recovery code);
 * - escaping the policy by removing the last factor (`mfa_required_by_policy`, counting allowed
 *   types only), without spending the verification;
 * - races (real parallel requests): one user accepting invitations of three organisations at once,
 *   or creating five; one enrollment token activating two factors at once;
 * - tampered audit-log cursors, and another organisation's cursor.
 */
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeList } from '../../functions/routes.ts';
import type { Route } from '../../shared/http/route.ts';
import { call, logIn, PASSWORD } from '../support/api.ts';
import {
  type Account,
  account,
  allEvents,
  answers,
  appCode,
  challenge,
  emailsTo,
  enrollSms,
  enrollTotp,
  mfaToken,
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
  invited as invitedAnswer,
  type MfaAccount,
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

const A_ULID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

type NamedRoute = (typeof routeList)[number];

const orgRoutes = routeList.filter((route) => route.path.startsWith('/v1/orgs/{orgId}'));
const bearerRoutes = routeList.filter((route) => route.auth === 'bearer');

/** A body each route would accept from an authorised caller, so only authorisation can refuse it. */
function plausibleBody(
  route: NamedRoute,
  ids: { email: string; factorId: string; orgName?: string },
): unknown {
  if (!route.body) return undefined;
  const bodies: Record<string, unknown> = {
    resetOrgMfa: { confirm: ids.orgName ?? 'Acme' },
    putMfaPolicy: { ...DEFAULT_POLICY, mode: 'optional' },
    addMember: { email: ids.email, role: 'member' },
    createOrg: { name: 'Scope escape' },
    deleteFactor: { verification: { factorId: ids.factorId, code: '123456' } },
    regenerateRecoveryCodes: { verification: { factorId: ids.factorId, code: '123456' } },
  };
  return bodies[route.name] ?? {};
}

function pathOf(route: Route, ids: Record<string, string>): string {
  return route.path.replace(/\{(\w+)\}/g, (_match, name: string) => ids[name] ?? A_ULID);
}

/** Calls an organisation route of the table with a valid body for it (`orgName`: what a confirm says). */
function onOrgRoute(
  route: NamedRoute,
  token: string,
  ids: { orgId: string; userId: string; email: string; orgName?: string },
) {
  const body = plausibleBody(route, {
    email: ids.email,
    factorId: A_ULID,
    ...(ids.orgName ? { orgName: ids.orgName } : {}),
  });
  return call(route.method, pathOf(route, ids), { token, ...(route.body ? { body } : {}) });
}

describe('role checks (broken function-level authorisation)', () => {
  let orgId: string;
  let owner: MfaAccount;
  let admin: MfaAccount;
  let user: MfaAccount;
  let other: Account;
  beforeAll(async () => {
    ({ orgId, owner } = await orgWithMfaOwner());
    admin = await withMfa(await member(owner.accessToken, orgId, 'admin'));
    // The member has MFA too (aal 2): the refusals below are about the role, not the session.
    user = await withMfa(await member(owner.accessToken, orgId));
    other = await member(owner.accessToken, orgId);
  });

  it('attack: a member (aal 2) changing the policy → 403 forbidden, the policy unchanged', async () => {
    const answer = await putPolicy(user.accessToken, orgId, {
      ...DEFAULT_POLICY,
      mode: 'off',
      rememberDeviceDays: 90,
    });
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual(orgErrors.forbidden);
    const got = await call('GET', `/v1/orgs/${orgId}`, { token: user.accessToken });
    expect(got.body.policy).toEqual(DEFAULT_POLICY);
  });

  it.each([
    ['listing members', 'GET', 'members'],
    ['reading the audit log', 'GET', 'events'],
  ])('attack: a member %s → 403 forbidden', async (_name, method, tail) => {
    const answer = await call(method, `/v1/orgs/${orgId}/${tail}`, { token: user.accessToken });
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual(orgErrors.forbidden);
  });

  it('attack: a member adding a user or resetting another member → 403 forbidden, nothing done', async () => {
    const stranger = await account();
    const add = await addMember(user.accessToken, orgId, stranger.email, 'admin');
    expect(add.status).toBe(403);
    expect(add.body).toEqual(orgErrors.forbidden);
    // The stranger is in no organisation, and was not even invited.
    expect(decodeJwt((await logIn(stranger.email)).body.accessToken).org).toBeUndefined();
    expect((await myInvitations(stranger.accessToken)).body).toEqual({ invitations: [] });

    const reset = await call('POST', `/v1/orgs/${orgId}/members/${admin.userId}/mfa-reset`, {
      token: user.accessToken,
    });
    expect(reset.status).toBe(403);
    expect(reset.body).toEqual(orgErrors.forbidden);
    expect((await logIn(admin.email)).body.status).toBe('mfa_required');
  });

  it('attack: an admin (aal 2) resetting the OWNER → 403 forbidden; the owner keeps their factor', async () => {
    const reset = await call('POST', `/v1/orgs/${orgId}/members/${owner.userId}/mfa-reset`, {
      token: admin.accessToken,
    });
    expect(reset.status).toBe(403);
    expect(reset.body).toEqual({
      error: {
        code: 'forbidden',
        message: "Nobody can reset the owner's MFA: the owner signs in with a recovery code.",
      },
    });
    expect((await logIn(owner.email)).body.status).toBe('mfa_required');
    // The owner's session is untouched.
    expect((await call('GET', `/v1/orgs/${orgId}`, { token: owner.accessToken })).status).toBe(200);
  });

  it('baseline: the same admin may reset a member (204)', async () => {
    await enrollTotp(other);
    const reset = await call('POST', `/v1/orgs/${orgId}/members/${other.userId}/mfa-reset`, {
      token: admin.accessToken,
    });
    expect(reset.status).toBe(204);
    const logged = (await orgEvents(owner.accessToken, orgId)).find((event) => event.type === 'mfa.reset');
    expect(logged).toMatchObject({ userId: other.userId, actorId: admin.userId });
  });

  it('attack: an admin adding someone as owner → 400 invalid_request (body.role), nobody added or invited', async () => {
    const stranger = await account();
    const answer = await call('POST', `/v1/orgs/${orgId}/members`, {
      token: admin.accessToken,
      body: { email: stranger.email, role: 'owner' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(orgErrors.invalidRequest('body.role'));
    const listed = await call('GET', `/v1/orgs/${orgId}/members`, { token: owner.accessToken });
    expect(listed.body.members.map((m: { userId: string }) => m.userId)).not.toContain(stranger.userId);
    expect((await myInvitations(stranger.accessToken)).body).toEqual({ invitations: [] });
  });
});

describe('cross-tenant access (BOLA): 404 not_found every time, never a hint', () => {
  let orgA: string;
  let adminA: MfaAccount;
  let orgB: string;
  let ownerB: MfaAccount;
  let memberB: Account;
  let outsider: MfaAccount;
  beforeAll(async () => {
    let ownerA: MfaAccount;
    ({ orgId: orgA, owner: ownerA } = await orgWithMfaOwner('A'));
    adminA = await withMfa(await member(ownerA.accessToken, orgA, 'admin'));
    ({ orgId: orgB, owner: ownerB } = await orgWithMfaOwner('B'));
    memberB = await member(ownerB.accessToken, orgB);
    await enrollTotp(memberB);
    outsider = await withMfa(await account());
  });

  it('the organisation routes of the route table (the set these attacks cover)', () => {
    expect(orgRoutes.map((route) => `${route.method} ${route.path}`).sort()).toEqual(
      [
        'GET /v1/orgs/{orgId}',
        'GET /v1/orgs/{orgId}/events',
        'GET /v1/orgs/{orgId}/invitations',
        'DELETE /v1/orgs/{orgId}/invitations/{email}',
        'GET /v1/orgs/{orgId}/members',
        'POST /v1/orgs/{orgId}/members',
        'POST /v1/orgs/{orgId}/members/{userId}/mfa-reset',
        'POST /v1/orgs/{orgId}/mfa-reset',
        'PUT /v1/orgs/{orgId}/mfa-policy',
      ].sort(),
    );
  });

  it('baseline: with the same calls, an owner (aal 2) succeeds on their own organisation', async () => {
    const { orgId, owner } = await orgWithMfaOwner('C');
    const own = await member(owner.accessToken, orgId);
    for (const route of orgRoutes) {
      const stranger = await account();
      // Withdrawing needs an invitation to withdraw.
      if (route.name === 'revokeOrgInvitation')
        await addMember(owner.accessToken, orgId, stranger.email, 'member');
      const answer = await onOrgRoute(route, owner.accessToken, {
        orgId,
        userId: own.userId,
        email: stranger.email,
        orgName: 'C',
      });
      expect(answer.status, `${route.method} ${route.path}`).toBeLessThan(300);
    }
  });

  it.each(orgRoutes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    'attack: an admin (aal 2) of org A on org B, %s → 404, as for an organisation that does not exist',
    async (_name, route) => {
      const stranger = await account();
      // B's invitation exists: only the tenant check can refuse withdrawing it.
      if (route.name === 'revokeOrgInvitation')
        await addMember(ownerB.accessToken, orgB, stranger.email, 'member');
      // A confirm that names B: only the tenant check can refuse it.
      const onB = await onOrgRoute(route, adminA.accessToken, {
        orgId: orgB,
        userId: memberB.userId,
        email: stranger.email,
        orgName: 'B',
      });
      expect(onB.status).toBe(404);
      expect(onB.body).toEqual(answers.notFound);
      const onNothing = await onOrgRoute(route, adminA.accessToken, {
        orgId: A_ULID,
        userId: memberB.userId,
        email: stranger.email,
      });
      expect(onNothing.status).toBe(404);
      expect(onNothing.body).toEqual(onB.body);
    },
  );

  it.each(orgRoutes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    'attack: a user of no organisation (aal 2) on %s → 404',
    async (_name, route) => {
      const stranger = await account();
      const answer = await onOrgRoute(route, outsider.accessToken, {
        orgId: orgB,
        userId: memberB.userId,
        email: stranger.email,
        orgName: 'B',
      });
      expect(answer.status).toBe(404);
      expect(answer.body).toEqual(answers.notFound);
    },
  );

  it("attack: an admin resets org B's member through org A's path → 404, the member untouched", async () => {
    const reset = await call('POST', `/v1/orgs/${orgA}/members/${memberB.userId}/mfa-reset`, {
      token: adminA.accessToken,
    });
    expect(reset.status).toBe(404);
    expect(reset.body).toEqual(answers.notFound);
    // Same answer as for a user id that does not exist.
    const nobody = await call('POST', `/v1/orgs/${orgA}/members/${A_ULID}/mfa-reset`, {
      token: adminA.accessToken,
    });
    expect(nobody.body).toEqual(reset.body);
  });

  it('after all of the above, org B is as it was', async () => {
    const got = await call('GET', `/v1/orgs/${orgB}`, { token: ownerB.accessToken });
    expect(got.body).toEqual({ orgId: orgB, name: 'B', policy: DEFAULT_POLICY });
    const members = await call('GET', `/v1/orgs/${orgB}/members`, { token: ownerB.accessToken });
    expect(members.body.members.map((m: { userId: string }) => m.userId).sort()).toEqual(
      [ownerB.userId, memberB.userId].sort(),
    );
    const events = await orgEvents(ownerB.accessToken, orgB);
    expect(
      events.filter((event) => event.type === 'mfa.reset' || event.type === 'org.policy_changed'),
    ).toEqual([]);
    expect((await logIn(memberB.email)).body.status).toBe('mfa_required');
  });
});

describe('a stolen password alone (aal 1 token)', () => {
  let orgId: string;
  let aal1: string;
  let owner: MfaAccount;
  let user: Account;
  beforeAll(async () => {
    const plain = await account();
    aal1 = plain.accessToken;
    orgId = await createOrg(aal1);
    owner = await withMfa(plain);
    user = await member(owner.accessToken, orgId);
    await enrollTotp(user);
  });

  it('attack: setting `required` with an aal 1 token → 403 caller_mfa_required', async () => {
    const answer = await putPolicy(aal1, orgId, { ...DEFAULT_POLICY, mode: 'required' });
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual(orgErrors.callerMfaRequired);
  });

  it('attack: switching `required` back off with an aal 1 token → 403 caller_mfa_required, still required', async () => {
    const required = await setPolicy(owner.accessToken, orgId, { mode: 'required' });
    const answer = await putPolicy(aal1, orgId, DEFAULT_POLICY);
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual(orgErrors.callerMfaRequired);
    // Read by the owner: the aal 1 token no longer reads an organisation that requires MFA.
    expect((await call('GET', `/v1/orgs/${orgId}`, { token: owner.accessToken })).body.policy).toEqual(
      required,
    );
    expect((await call('GET', `/v1/orgs/${orgId}`, { token: aal1 })).body).toEqual(
      orgErrors.callerMfaRequired,
    );
  });

  it("attack: resetting a member's MFA with an aal 1 token → 403 caller_mfa_required, nothing removed", async () => {
    const answer = await call('POST', `/v1/orgs/${orgId}/members/${user.userId}/mfa-reset`, { token: aal1 });
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual(orgErrors.callerMfaRequired);
    expect((await logIn(user.email)).body.status).toBe('mfa_required');
    expect((await call('GET', '/v1/mfa/factors', { token: user.accessToken })).status).toBe(200);
  });
});

describe("member capture: joining takes the invitee's consent", () => {
  /**
   * Attack: anyone can create an organisation. Were "add member" a membership, its owner could
   * add a stranger by email, then relax the stranger's MFA by policy (a stolen password alone
   * then logs in) or reset their factors (denial of service). Now it is an invitation, and the
   * organisation has no power over the invitee until they accept, with MFA if they have it.
   */
  it('attack: an org invites a victim who has TOTP, sets `off` and email-only, and resets them → no effect until accepted; aal 1 cannot accept; declined, it is gone', async () => {
    const { orgId, owner: attacker } = await orgWithMfaOwner('Totally Legit');
    const victim = await account();
    const stolen = victim.accessToken; // aal 1: as with a stolen password
    const totp = await enrollTotp(victim);
    expect(decodeJwt(stolen).aal).toBe(1);

    const invited = await addMember(attacker.accessToken, orgId, victim.email, 'member');
    expect(invited.status).toBe(201);
    expect(invited.body).toEqual(invitedAnswer(victim.email, 'member'));
    await setPolicy(attacker.accessToken, orgId, { mode: 'off', allowedFactorTypes: ['email'] });

    // The policy is not the victim's: their login still asks for their TOTP factor.
    const login = await logIn(victim.email);
    expect(login.status).toBe(200);
    expect(login.body).toEqual({
      status: 'mfa_required',
      mfaToken: expect.any(String),
      expiresIn: 600,
      factors: [expect.objectContaining({ id: totp.factorId, type: 'totp', status: 'active' })],
    });
    // Nor can the organisation reset them, or see them.
    const reset = await call('POST', `/v1/orgs/${orgId}/members/${victim.userId}/mfa-reset`, {
      token: attacker.accessToken,
    });
    expect(reset.status).toBe(404);
    expect(reset.body).toEqual(answers.notFound);
    const members = await call('GET', `/v1/orgs/${orgId}/members`, { token: attacker.accessToken });
    expect(members.body.members.map((m: { userId: string }) => m.userId)).toEqual([attacker.userId]);
    const factors = await call('GET', '/v1/mfa/factors', { token: stolen });
    expect(factors.body).toMatchObject({ mfaEnabled: true, recoveryCodesRemaining: 10 });

    // A stolen password alone (aal 1) cannot accept on the victim's behalf.
    expect((await myInvitations(stolen)).body).toEqual({
      invitations: [invitation(orgId, 'Totally Legit', 'member')],
    });
    const accepted = await acceptInvitation(stolen, orgId);
    expect(accepted.status).toBe(403);
    expect(accepted.body).toEqual(orgErrors.callerMfaRequired);
    expect((await logIn(victim.email)).body.status).toBe('mfa_required');
    const logged = await orgEvents(attacker.accessToken, orgId);
    expect(logged.filter(about(victim)).map((event) => event.type)).toEqual(['org.member_invited']);

    // The victim was told, and declines.
    const notice = (await emailsTo(victim.email)).find(
      (mail) => mail.Subject === 'Serverless MFA: you were invited to an organisation',
    );
    expect(notice?.Body.text_part).toContain('"Totally Legit"');
    expect(notice?.Body.text_part).toContain('Nothing changes unless you accept it');
    const declined = await declineInvitation(victim.accessToken, orgId);
    expect(declined.status).toBe(204);
    expect((await myInvitations(victim.accessToken)).body).toEqual({ invitations: [] });
    // Gone even for an aal 2 session of the victim.
    const aal2 = await verify({
      mfaToken: await mfaToken(victim.email),
      factorId: totp.factorId,
      code: appCode(totp.secret),
    });
    expect(decodeJwt(aal2.body.accessToken).aal).toBe(2);
    const late = await acceptInvitation(aal2.body.accessToken, orgId);
    expect(late.status).toBe(404);
    expect(late.body).toEqual(answers.notFound);
    const after = await call('GET', `/v1/orgs/${orgId}/members`, { token: attacker.accessToken });
    expect(after.body.members.map((m: { userId: string }) => m.userId)).toEqual([attacker.userId]);
  });
});

describe('scope escape with the enrollment token', () => {
  let orgId: string;
  let user: Account;
  let enrollmentToken: string;
  let pendingFactorId: string;
  beforeAll(async () => {
    const org = await orgWithMfaOwner();
    orgId = org.orgId;
    await setPolicy(org.owner.accessToken, orgId, { mode: 'required' });
    user = await member(org.owner.accessToken, orgId);
    const login = await logIn(user.email);
    expect(login.body.status).toBe('mfa_enrollment_required');
    enrollmentToken = login.body.enrollmentToken;
    const pending = await call('POST', '/v1/mfa/factors', {
      token: enrollmentToken,
      body: { type: 'totp', password: PASSWORD },
    });
    expect(pending.status).toBe(201);
    pendingFactorId = pending.body.factor.id;
  });

  it('the bearer routes of the route table (full scope only) are all covered', () => {
    expect(bearerRoutes.length).toBeGreaterThanOrEqual(14);
    expect(bearerRoutes.map((route) => route.path)).toEqual(
      expect.arrayContaining(['/v1/orgs', '/v1/mfa/recovery-codes', '/v1/sessions/current']),
    );
  });

  it.each(bearerRoutes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    'attack: the enrollment token on %s → 401/403, never reaching the handler',
    async (_name, route) => {
      const stranger = await account();
      const ids = { orgId, userId: user.userId, factorId: pendingFactorId, deviceId: A_ULID };
      const answer = await call(route.method, pathOf(route, ids), {
        token: enrollmentToken,
        ...(route.body
          ? { body: plausibleBody(route, { email: stranger.email, factorId: pendingFactorId }) }
          : {}),
      });
      expect([401, 403]).toContain(answer.status);
      expect(['unauthorized', 'forbidden']).toContain(answer.body.error.code);
    },
  );

  it('the enrollment token survived all of the above (no route revoked or used it) and still enrolls', async () => {
    const listed = await call('GET', '/v1/mfa/factors', { token: enrollmentToken });
    expect(listed.status).toBe(200);
    expect(listed.body.factors.map((f: { id: string }) => f.id)).toEqual([pendingFactorId]);
  });

  it('attack: presenting the enrollment token as a refresh token → refused', async () => {
    const answer = await call('POST', '/v1/sessions/refresh', { body: { refreshToken: enrollmentToken } });
    expect([400, 401]).toContain(answer.status);
  });

  it('attack: replaying the enrollment token after enrollment completed → 401 on every enrollment route', async () => {
    const token = (await logIn(user.email)).body.enrollmentToken as string;
    const created = await call('POST', '/v1/mfa/factors', {
      token,
      body: { type: 'totp', password: PASSWORD },
    });
    const activated = await call('POST', `/v1/mfa/factors/${created.body.factor.id}/activate`, {
      token,
      body: { code: appCode(created.body.secret) },
    });
    expect(activated.body.status).toBe('authenticated');
    for (const [method, path, body] of [
      ['GET', '/v1/mfa/factors', undefined],
      ['POST', '/v1/mfa/factors', { type: 'totp', password: PASSWORD }],
      ['POST', `/v1/mfa/factors/${pendingFactorId}/activate`, { code: '123456' }],
      ['POST', `/v1/mfa/factors/${pendingFactorId}/resend`, undefined],
    ] as const) {
      const answer = await call(method, path, { token, ...(body ? { body } : {}) });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(answers.unauthorized);
    }
  });
});

describe('factor-type downgrade at login', () => {
  it('attack: a challenge for an SMS factor the policy no longer allows → 403 factor_type_not_allowed, no SMS sent', async () => {
    const { orgId, owner } = await orgWithMfaOwner();
    const user = await member(owner.accessToken, orgId);
    await enrollTotp(user);
    const sms = await enrollSms(user);
    await setPolicy(owner.accessToken, orgId, { mode: 'required', allowedFactorTypes: ['totp'] });

    const sent = await smsCount(sms.phone);
    const answer = await challenge(await mfaToken(user.email), sms.factorId);
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual(orgErrors.factorTypeNotAllowed);
    expect(await smsCount(sms.phone)).toBe(sent);
  });

  it('attack: finishing a login with an SMS challenge started before SMS was disallowed → 403; TOTP still works', async () => {
    const { orgId, owner } = await orgWithMfaOwner();
    const user = await member(owner.accessToken, orgId);
    const totp = await enrollTotp(user);
    const sms = await enrollSms(user);
    const token = await mfaToken(user.email);
    const started = await challenge(token, sms.factorId);
    expect(started.status).toBe(201);

    await setPolicy(owner.accessToken, orgId, { mode: 'required', allowedFactorTypes: ['totp'] });
    const answer = await verify({
      mfaToken: token,
      challengeId: started.body.challengeId,
      code: await smsCode(sms.phone),
    });
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual(orgErrors.factorTypeNotAllowed);
    // Not logged in by it; the same login completes with the allowed factor.
    const done = await verify({ mfaToken: token, factorId: totp.factorId, code: appCode(totp.secret) });
    expect(done.status).toBe(200);
    expect(decodeJwt(done.body.accessToken).amr).toEqual(['pwd', 'otp', 'mfa']);
  });
});

describe('factor-type downgrade: a policy may make MFA stronger, never switch it off', () => {
  /**
   * Attack: an admin (or whoever holds an admin's session) narrows `allowedFactorTypes` so that a
   * member's only factors no longer count, hoping the member then logs in with the password
   * alone, or that the password alone enrolls a new factor (and with it an aal 2 session).
   */
  const enrollmentRequired = (allowedFactorTypes: string[]) => ({
    status: 'mfa_enrollment_required',
    enrollmentToken: expect.any(String),
    expiresIn: 600,
    allowedFactorTypes,
  });

  it.each<[string, Partial<Policy>]>([
    ['optional', { mode: 'optional' }],
    ['off', { mode: 'off' }],
    ['required during a grace period', { mode: 'required', graceDays: 7 }],
  ])(
    'attack: an SMS-only member, the policy %s and TOTP-only → mfa_enrollment_required (never authenticated); enrolling TOTP needs a recovery code',
    async (_name, mode) => {
      const { orgId, owner } = await orgWithMfaOwner();
      const user = await member(owner.accessToken, orgId);
      const sms = await enrollSms(user);
      const recoveryCodes = sms.recoveryCodes as string[];
      await setPolicy(owner.accessToken, orgId, { ...mode, allowedFactorTypes: ['totp'] });

      const login = await logIn(user.email);
      expect(login.status).toBe(200);
      expect(login.body).toEqual(enrollmentRequired(['totp']));
      const token: string = login.body.enrollmentToken;
      expect(decodeJwt(token)).toMatchObject({ scope: 'mfa:enroll', aal: 1 });

      // The password alone does not mint a factor.
      const bare = await call('POST', '/v1/mfa/factors', {
        token,
        body: { type: 'totp', password: PASSWORD },
      });
      expect(bare.status).toBe(403);
      expect(bare.body).toEqual(answers.verificationRequired);
      // Nor can the disallowed factor prove anything: no code is even sent to it.
      const sent = await call('POST', `/v1/mfa/factors/${sms.factorId}/codes`, { token });
      expect(sent.status).toBe(403);
      expect(sent.body).toEqual(orgErrors.factorTypeNotAllowed);
      expect((await call('GET', '/v1/mfa/factors', { token })).body.factors).toEqual([
        expect.objectContaining({ id: sms.factorId, type: 'sms', status: 'active' }),
      ]);

      // A recovery code is a current means: 201, and the activation opens a full aal 2 session.
      const created = await call('POST', '/v1/mfa/factors', {
        token,
        body: { type: 'totp', password: PASSWORD, verification: { recoveryCode: recoveryCodes[0] } },
      });
      expect(created.status).toBe(201);
      expect(created.body.factor).toMatchObject({ type: 'totp', status: 'pending' });
      // The recovery code spent on it is reported to the owner like any other use.
      const subjects = (await emailsTo(user.email)).map((message) => message.Subject);
      expect(subjects.filter((subject) => subject.endsWith('a recovery code was used'))).toHaveLength(1);
      const activated = await call('POST', `/v1/mfa/factors/${created.body.factor.id}/activate`, {
        token,
        body: { code: appCode(created.body.secret) },
      });
      expect(activated.status).toBe(200);
      // Not the first factor: no new recovery codes.
      expect(activated.body).toEqual({
        factor: expect.objectContaining({ id: created.body.factor.id, type: 'totp', status: 'active' }),
        ...answers.authenticated,
      });
      expect(decodeJwt(activated.body.accessToken)).toMatchObject({
        scope: 'aal1 aal2',
        aal: 2,
        amr: ['pwd', 'otp', 'mfa'],
      });
      const listed = await call('GET', '/v1/mfa/factors', { token: activated.body.accessToken });
      expect(listed.body.recoveryCodesRemaining).toBe(9);
      // The enrollment session is over, and the next login asks for the new factor only.
      expect((await call('GET', '/v1/mfa/factors', { token })).status).toBe(401);
      const next = await logIn(user.email);
      expect(next.body.status).toBe('mfa_required');
      expect(next.body.factors.map((f: { id: string }) => f.id)).toEqual([created.body.factor.id]);
    },
  );

  it('attack: a factor of a disallowed type as the verification for new recovery codes or a removal → 403 factor_type_not_allowed, nothing changed', async () => {
    const { orgId, owner } = await orgWithMfaOwner();
    const user = await member(owner.accessToken, orgId);
    const totp = await enrollTotp(user);
    const sms = await enrollSms(user);
    // Codes sent while SMS was still allowed, used after the policy dropped it.
    const smsProof = async () => {
      const sent = await call('POST', `/v1/mfa/factors/${sms.factorId}/codes`, { token: user.accessToken });
      expect(sent.status).toBe(201);
      return { challengeId: sent.body.challengeId, code: await smsCode(sms.phone) };
    };
    // One proof for both: a refusal does not spend it.
    const proof = await smsProof();
    await setPolicy(owner.accessToken, orgId, { mode: 'required', allowedFactorTypes: ['totp'] });

    const regenerated = await call('POST', '/v1/mfa/recovery-codes', {
      token: user.accessToken,
      body: { verification: proof },
    });
    expect(regenerated.status).toBe(403);
    expect(regenerated.body).toEqual(orgErrors.factorTypeNotAllowed);
    const removed = await call('DELETE', `/v1/mfa/factors/${sms.factorId}`, {
      token: user.accessToken,
      body: { verification: proof },
    });
    expect(removed.status).toBe(403);
    expect(removed.body).toEqual(orgErrors.factorTypeNotAllowed);

    const listed = await call('GET', '/v1/mfa/factors', { token: user.accessToken });
    expect(listed.body.recoveryCodesRemaining).toBe(10);
    expect(listed.body.factors.map((f: { id: string }) => f.id).sort()).toEqual(
      [totp.factorId, sms.factorId].sort(),
    );
    // The codes are the ones shown at enrollment: the first still works.
    const recovered = await call('POST', '/v1/mfa/recover', {
      body: { mfaToken: await mfaToken(user.email), recoveryCode: totp.recoveryCodes?.[0] },
    });
    expect(recovered.body).toEqual({ ...answers.authenticated, recoveryCodesRemaining: 9 });
  });

  it('attack: activating a pending SMS factor after the policy stopped allowing SMS → 403 factor_type_not_allowed, the code not consumed', async () => {
    const { orgId, owner } = await orgWithMfaOwner();
    const user = await member(owner.accessToken, orgId);
    const phone = uniquePhone();
    const created = await call('POST', '/v1/mfa/factors', {
      token: user.accessToken,
      body: { type: 'sms', password: PASSWORD, phoneNumber: phone },
    });
    expect(created.status).toBe(201);
    await setPolicy(owner.accessToken, orgId, { mode: 'optional', allowedFactorTypes: ['totp'] });

    const body = { code: await smsCode(phone), challengeId: created.body.challengeId };
    const answer = await call('POST', `/v1/mfa/factors/${created.body.factor.id}/activate`, {
      token: user.accessToken,
      body,
    });
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual(orgErrors.factorTypeNotAllowed);
    const listed = await call('GET', '/v1/mfa/factors', { token: user.accessToken });
    expect(listed.body).toEqual({
      factors: [expect.objectContaining({ id: created.body.factor.id, status: 'pending' })],
      recoveryCodesRemaining: 0,
      mfaEnabled: false,
    });
    // Refused before the code was looked at: allowed again, the same code activates.
    await setPolicy(owner.accessToken, orgId, { mode: 'optional' });
    const activated = await call('POST', `/v1/mfa/factors/${created.body.factor.id}/activate`, {
      token: user.accessToken,
      body,
    });
    expect(activated.status).toBe(200);
  });
});

describe('escaping the policy by removing the last factor', () => {
  it('attack: deleting the only factor under `required` → 403 mfa_required_by_policy; still listed, the code not spent', async () => {
    const { orgId, owner } = await orgWithMfaOwner();
    const user = await member(owner.accessToken, orgId);
    const totp = await enrollTotp(user);
    await setPolicy(owner.accessToken, orgId, { mode: 'required', graceDays: 30 });

    const code = appCode(totp.secret);
    const answer = await call('DELETE', `/v1/mfa/factors/${totp.factorId}`, {
      token: user.accessToken,
      body: { verification: { factorId: totp.factorId, code } },
    });
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual(orgErrors.mfaRequiredByPolicy);
    const listed = await call('GET', '/v1/mfa/factors', { token: user.accessToken });
    expect(listed.body).toMatchObject({ mfaEnabled: true, recoveryCodesRemaining: 10 });
    expect(listed.body.factors).toEqual([expect.objectContaining({ id: totp.factorId, status: 'active' })]);
    // The refusal came before the proof was checked: the same code still logs in.
    const login = await verify({ mfaToken: await mfaToken(user.email), factorId: totp.factorId, code });
    expect(login.status).toBe(200);
  });

  it('attack: under `required` and TOTP-only, deleting the TOTP factor while an SMS one remains → 403 mfa_required_by_policy (a disallowed factor does not count)', async () => {
    const { orgId, owner } = await orgWithMfaOwner();
    const user = await member(owner.accessToken, orgId);
    const totp = await enrollTotp(user);
    await enrollSms(user);
    await setPolicy(owner.accessToken, orgId, { mode: 'required', allowedFactorTypes: ['totp'] });
    const answer = await call('DELETE', `/v1/mfa/factors/${totp.factorId}`, {
      token: user.accessToken,
      body: { verification: { factorId: totp.factorId, code: appCode(totp.secret) } },
    });
    expect(answer.status).toBe(403);
    expect(answer.body).toEqual(orgErrors.mfaRequiredByPolicy);
    expect((await logIn(user.email)).body.factors.map((f: { id: string }) => f.id)).toEqual([totp.factorId]);
  });

  it('baseline: with a second factor, one of them may go (204)', async () => {
    const { orgId, owner } = await orgWithMfaOwner();
    const user = await member(owner.accessToken, orgId);
    const totp = await enrollTotp(user);
    const sms = await enrollSms(user);
    await setPolicy(owner.accessToken, orgId, { mode: 'required' });
    const answer = await call('DELETE', `/v1/mfa/factors/${sms.factorId}`, {
      token: user.accessToken,
      body: { verification: { factorId: totp.factorId, code: appCode(totp.secret) } },
    });
    expect(answer.status).toBe(204);
  });
});

describe('races (parallel requests)', () => {
  it('race: three organisations invite the same user and the user accepts all three at once → exactly one 200, the others 409 already_in_org', async () => {
    const orgs = await Promise.all(
      [0, 1, 2].map(async () => {
        const owner = await account();
        return { owner, orgId: await createOrg(owner.accessToken) };
      }),
    );
    const target = await account();
    // Invitations do not bind the user: all three are sent, at once.
    const invited = await Promise.all(
      orgs.map(({ owner, orgId }) => addMember(owner.accessToken, orgId, target.email, 'admin')),
    );
    expect(invited.map((answer) => answer.status)).toEqual([201, 201, 201]);
    expect((await myInvitations(target.accessToken)).body.invitations).toHaveLength(3);

    const results = await Promise.all(orgs.map(({ orgId }) => acceptInvitation(target.accessToken, orgId)));
    expect(results.map((result) => result.status).sort()).toEqual([200, 409, 409]);
    for (const result of results.filter((r) => r.status === 409))
      expect(result.body).toEqual(orgErrors.alreadyInOrg);
    const winner = orgs[results.findIndex((result) => result.status === 200)];
    expect(results.find((result) => result.status === 200)?.body).toEqual({
      orgId: winner?.orgId,
      role: 'admin',
    });
    // And one after the other: a member cannot accept another organisation either.
    const loser = orgs.find(({ orgId }) => orgId !== winner?.orgId);
    const later = await acceptInvitation(target.accessToken, loser?.orgId as string);
    expect(later.status).toBe(409);
    expect(later.body).toEqual(orgErrors.alreadyInOrg);

    expect(decodeJwt((await logIn(target.email)).body.accessToken)).toMatchObject({
      org: winner?.orgId,
      role: 'admin',
    });
    for (const { owner, orgId } of orgs) {
      const listed = await call('GET', `/v1/orgs/${orgId}/members`, { token: owner.accessToken });
      const ids = listed.body.members.map((m: { userId: string }) => m.userId);
      expect(ids.includes(target.userId)).toBe(orgId === winner?.orgId);
      const added = (await orgEvents(owner.accessToken, orgId)).filter(
        (event) => event.type === 'org.member_added' && event.userId === target.userId,
      );
      expect(added).toHaveLength(orgId === winner?.orgId ? 1 : 0);
    }
  });

  it('race: two pending factors activated at once with ONE enrollment token → at most one full session; the enrollment token is then refused', async () => {
    const { orgId, owner } = await orgWithMfaOwner();
    await setPolicy(owner.accessToken, orgId, { mode: 'required' });
    const user = await member(owner.accessToken, orgId);
    const login = await logIn(user.email);
    expect(login.body.status).toBe('mfa_enrollment_required');
    const token: string = login.body.enrollmentToken;
    const pending = [];
    for (let i = 0; i < 2; i++) {
      const created = await call('POST', '/v1/mfa/factors', {
        token,
        body: { type: 'totp', password: PASSWORD },
      });
      expect(created.status).toBe(201);
      pending.push(created.body as { factor: { id: string }; secret: string });
    }

    const all = await Promise.all(
      pending.map(({ factor, secret }) =>
        call('POST', `/v1/mfa/factors/${factor.id}/activate`, { token, body: { code: appCode(secret) } }),
      ),
    );
    const won = all.filter((answer) => answer.status === 200);
    expect(won.length).toBeLessThanOrEqual(1);
    for (const lost of all.filter((answer) => answer.status !== 200)) {
      // The enrollment session ended in the winner's write (401), or the count kept moving (409).
      expect([401, 409]).toContain(lost.status);
      expect(['unauthorized', 'factor_not_pending']).toContain(lost.body.error.code);
      expect(lost.body.accessToken).toBeUndefined();
    }
    expect(won).toHaveLength(1);
    expect(won[0]?.body).toMatchObject({ status: 'authenticated', recoveryCodes: expect.any(Array) });
    const session = won[0]?.body;
    expect(decodeJwt(session.accessToken)).toMatchObject({ scope: 'aal1 aal2', aal: 2 });

    // One full session was opened, and the enrollment token is over.
    const events = await allEvents(session.accessToken);
    expect(events.filter((e) => e.type === 'session.created' && e.details.aal === 2)).toHaveLength(1);
    for (const [method, path] of [
      ['GET', '/v1/mfa/factors'],
      ['POST', `/v1/mfa/factors/${pending[1]?.factor.id}/activate`],
    ] as const) {
      const answer = await call(method, path, {
        token,
        ...(method === 'POST'
          ? { body: { code: appCode(pending[1]?.secret as string, new Date(), 1) } }
          : {}),
      });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(answers.unauthorized);
    }
  });

  it('race: one user creating five organisations at once → exactly one 201', async () => {
    const user = await account();
    const results = await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        call('POST', '/v1/orgs', { token: user.accessToken, body: { name: `Org ${i}` } }),
      ),
    );
    expect(results.map((result) => result.status).sort()).toEqual([201, 409, 409, 409, 409]);
    const orgId = results.find((result) => result.status === 201)?.body.orgId;
    const members = await call('GET', `/v1/orgs/${orgId}/members`, { token: user.accessToken });
    expect(members.body.members).toEqual([
      { userId: user.userId, email: user.email, role: 'owner', mfaEnabled: false, factorTypes: [] },
    ]);
  });
});

describe('audit-log cursors', () => {
  let orgA: string;
  let tokenA: string;
  let orgB: string;
  let tokenB: string;
  beforeAll(async () => {
    const a = await orgWithMfaOwner('A');
    orgA = a.orgId;
    tokenA = a.owner.accessToken;
    await member(tokenA, orgA);
    const b = await orgWithMfaOwner('B');
    orgB = b.orgId;
    tokenB = b.owner.accessToken;
    await member(tokenB, orgB);
    await setPolicy(tokenB, orgB, { mode: 'optional' });
  });

  const page = (orgId: string, token: string, cursor: string, limit = 2) =>
    call('GET', `/v1/orgs/${orgId}/events?limit=${limit}&cursor=${encodeURIComponent(cursor)}`, { token });

  it.each([
    ['garbage', () => 'not-a-cursor'],
    [
      'a cursor pointing at member items',
      (orgId: string) => Buffer.from(`MEMBER#${orgId}`).toString('base64url'),
    ],
    ['a cursor pointing at the organisation item', () => Buffer.from('ORG').toString('base64url')],
    [
      'an event key with a lower-case id',
      () => Buffer.from(`EVENT#${A_ULID.toLowerCase()}`).toString('base64url'),
    ],
    ['a cursor longer than 200 characters', () => 'A'.repeat(201)],
  ])('attack: a tampered cursor (%s) → 400 invalid_request', async (_name, cursor) => {
    const answer = await page(orgA, tokenA, cursor(orgA));
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_request');
    expect(answer.body.error.details).toEqual([{ path: 'query.cursor', message: expect.any(String) }]);
  });

  it('attack: a genuine cursor with a flipped character → 400, or a page of the same log only', async () => {
    const first = await call('GET', `/v1/orgs/${orgA}/events?limit=1`, { token: tokenA });
    const cursor: string = first.body.nextCursor;
    const flipped = cursor.slice(0, -1) + (cursor.endsWith('A') ? 'B' : 'A');
    const answer = await page(orgA, tokenA, flipped);
    const all = new Set((await orgEvents(tokenA, orgA)).map((event) => event.id));
    if (answer.status === 200) for (const event of answer.body.events) expect(all.has(event.id)).toBe(true);
    else expect(answer.body.error.code).toBe('invalid_request');
  });

  it("attack: org B's cursor presented to org A's log → only org A's events", async () => {
    const bFirst = await call('GET', `/v1/orgs/${orgB}/events?limit=1`, { token: tokenB });
    const answer = await page(orgA, tokenA, bFirst.body.nextCursor, 100);
    expect(answer.status).toBe(200);
    const a = new Set((await orgEvents(tokenA, orgA)).map((event) => event.id));
    for (const event of answer.body.events) expect(a.has(event.id)).toBe(true);
    const b = new Set((await orgEvents(tokenB, orgB)).map((event) => event.id));
    for (const event of answer.body.events) expect(b.has(event.id)).toBe(false);
  });
});
