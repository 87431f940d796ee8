/**
 * Attacks on organisation invitations (API.md "Additions: Who owns an email address"):
 * - account enumeration through invitations: unknown, verified, unverified and
 *   in-another-organisation addresses get the same answer from the same work;
 * - address squatting: whoever signed up first with a new hire's address (and never proved it)
 *   sees no invitation and cannot accept one; the real owner can, once verified;
 * - invitation spam: per inviting admin per hour (and per organisation, per address per day).
 * Owners and admins see and withdraw what they sent.
 */
import { describe, expect, it, vi } from 'vitest';
import { handler as addMemberHandler } from '../../functions/orgs/members-add.ts';
import { config } from '../../shared/config.ts';
import { db } from '../../shared/db/client.ts';
import { call, emailsTo, lastEmailCode, logIn, PASSWORD, signUp, uniqueEmail } from '../support/api.ts';
import { account, answers, invoke, wrongAppCode } from '../support/mfa.ts';
import {
  acceptInvitation,
  addMember,
  createOrg,
  invitation,
  invited,
  member,
  myInvitations,
  orgInvitations,
  orgWithMfaOwner,
  revokeInvitation,
  withMfa,
} from '../support/orgs.ts';

const SUBJECT = 'Serverless MFA: you were invited to an organisation';

describe('invitations go to an address and reach only its verified owner', () => {
  it('enumeration: unknown, verified, unverified and in-another-org addresses get the same answer from the same work', async () => {
    const { orgId, owner } = await orgWithMfaOwner('Uniform');
    const verified = await account();
    const unverified = uniqueEmail('unverified');
    await call('POST', '/v1/users', { body: { email: unverified, password: PASSWORD } });
    const elsewhere = await account();
    await createOrg(elsewhere.accessToken, 'Elsewhere');
    const invite = (email: string) =>
      invoke(addMemberHandler, 'POST', `/v1/orgs/${orgId}/members`, {
        token: owner.accessToken,
        pathParameters: { orgId },
        body: { email, role: 'member' },
      });
    await invite(uniqueEmail('warm')); // a warm container: only per-address work is compared
    const cases = {
      unknown: uniqueEmail('unknown'),
      verified: verified.email,
      unverified,
      inAnotherOrg: elsewhere.email,
    };

    const seen: Record<string, unknown> = {};
    for (const [label, email] of Object.entries(cases)) {
      const before = (await emailsTo(email)).length;
      const send = vi.spyOn(db, 'send');
      const answer = await invoke(addMemberHandler, 'POST', `/v1/orgs/${orgId}/members`, {
        token: owner.accessToken,
        pathParameters: { orgId },
        body: { email, role: 'member' },
      });
      const calls = send.mock.calls.map(([command]) => (command as object).constructor.name);
      send.mockRestore();
      expect(answer.body).toEqual(invited(email, 'member'));
      const emails = (await emailsTo(email)).slice(before).length;
      seen[label] = { status: answer.status, keys: Object.keys(answer.body).sort(), calls, emails };
    }
    console.log('invitations, side by side:', JSON.stringify(seen));
    for (const label of Object.keys(cases)) expect(seen[label]).toEqual(seen.unknown);
    expect(seen.unknown).toMatchObject({ status: 201, emails: 1 });
  });

  it('attack: a squatter signed up with the new hire address first; the invitation is invisible to them, and the real owner accepts it', async () => {
    const { orgId, owner } = await orgWithMfaOwner('Hiring');
    const email = uniqueEmail('new.hire');
    const SQUAT = 'squatters own pass phrase';
    await call('POST', '/v1/users', { body: { email, password: SQUAT } });
    expect((await addMember(owner.accessToken, orgId, email, 'admin')).status).toBe(201);
    const mail = (await emailsTo(email)).at(-1);
    expect(mail?.Subject).toBe(SUBJECT);
    expect(mail?.Body.text_part).toContain('create an account with this email address within 7 days');

    // The squatter has no session to see it with: the password leads only to the code they never got.
    const squatLogin = await logIn(email, SQUAT);
    expect(squatLogin.body).toMatchObject({ status: 'email_verification_required' });
    expect(squatLogin.body.accessToken).toBeUndefined();

    // The real owner signs up (replacing the squatter), proves the address and finds it.
    const started = await call('POST', '/v1/users', { body: { email, password: PASSWORD } });
    const verified = await call('POST', '/v1/users/verify', {
      body: { verificationId: started.body.verificationId, code: await lastEmailCode(email) },
    });
    expect(verified.body.status).toBe('authenticated');
    expect((await myInvitations(verified.body.accessToken)).body).toEqual({
      invitations: [invitation(orgId, 'Hiring', 'admin')],
    });
    expect(await acceptInvitation(verified.body.accessToken, orgId)).toMatchObject({
      status: 200,
      body: { orgId, role: 'admin' },
    });
    expect((await logIn(email, SQUAT)).status).toBe(401);
  });

  it('another verified account never sees an invitation that is not to its own address', async () => {
    const { orgId, owner } = await orgWithMfaOwner('Private');
    const target = uniqueEmail('target');
    await addMember(owner.accessToken, orgId, target, 'member');
    const bystander = await account();
    expect((await myInvitations(bystander.accessToken)).body).toEqual({ invitations: [] });
    expect(await acceptInvitation(bystander.accessToken, orgId)).toMatchObject({
      status: 404,
      body: answers.notFound,
    });
  });
});

describe('invitation emails cannot be made into phishing', () => {
  it('attack: an organisation named to break out of its quotes with a link and markup is refused', async () => {
    const owner = await account();
    const name = 'Acme".  ALERT: account locked. Restore: https://evil.example/r <b>x</b>';
    const refused = await call('POST', '/v1/orgs', { token: owner.accessToken, body: { name } });
    expect(refused).toMatchObject({
      status: 400,
      body: {
        error: {
          code: 'invalid_request',
          // Both rules it breaks are named: the web address, and the quote and markup characters.
          details: [
            { path: 'body.name', message: 'Web addresses are not allowed in names.' },
            { path: 'body.name', message: "Letters, digits, spaces and . , & ' ( ) + ! # _ - only." },
          ],
        },
      },
    });
    const fine = await call('POST', '/v1/orgs', {
      token: owner.accessToken,
      body: { name: "Ørsted & Søn's (EU) Ltd." },
    });
    expect(fine.status).toBe(201);
  });
});

describe('owners and admins manage what they sent', () => {
  it('GET /v1/orgs/{orgId}/invitations lists open invitations; DELETE withdraws one, which then cannot be accepted', async () => {
    const { orgId, owner } = await orgWithMfaOwner('Managed');
    const admin = await member(owner.accessToken, orgId, 'admin');
    const invitee = await account();
    const later = uniqueEmail('later');
    await addMember(owner.accessToken, orgId, invitee.email, 'member');
    await addMember(admin.accessToken, orgId, later, 'admin');

    const listed = await orgInvitations(admin.accessToken, orgId);
    expect(listed.status).toBe(200);
    const byEmail = (a: { email: string }, b: { email: string }) => a.email.localeCompare(b.email);
    expect([...listed.body.invitations].sort(byEmail)).toEqual(
      [
        {
          email: invitee.email,
          role: 'member',
          invitedBy: owner.userId,
          invitedByEmail: owner.email,
          createdAt: expect.any(String),
          expiresAt: expect.any(String),
        },
        {
          email: later,
          role: 'admin',
          invitedBy: admin.userId,
          invitedByEmail: admin.email,
          createdAt: expect.any(String),
          expiresAt: expect.any(String),
        },
      ].sort(byEmail),
    );

    const withdrawn = await revokeInvitation(admin.accessToken, orgId, invitee.email.toUpperCase());
    expect(withdrawn.status).toBe(204);
    expect(
      (await orgInvitations(owner.accessToken, orgId)).body.invitations.map(
        (i: { email: string }) => i.email,
      ),
    ).toEqual([later]);
    expect((await myInvitations(invitee.accessToken)).body).toEqual({ invitations: [] });
    expect(await acceptInvitation(invitee.accessToken, orgId)).toMatchObject({
      status: 404,
      body: answers.notFound,
    });
    expect(await revokeInvitation(admin.accessToken, orgId, invitee.email)).toMatchObject({
      status: 404,
      body: answers.notFound,
    });
  });

  it('a member can neither list nor withdraw invitations (403)', async () => {
    const { orgId, owner } = await orgWithMfaOwner('Roles');
    const plain = await member(owner.accessToken, orgId);
    const email = uniqueEmail('someone');
    await addMember(owner.accessToken, orgId, email, 'member');
    expect((await orgInvitations(plain.accessToken, orgId)).status).toBe(403);
    expect((await revokeInvitation(plain.accessToken, orgId, email)).status).toBe(403);
    expect((await orgInvitations(owner.accessToken, orgId)).body.invitations).toHaveLength(1);
  });

  it('an invitation to an address without an account waits for its sign-up', async () => {
    const { orgId, owner } = await orgWithMfaOwner('Patient');
    const email = uniqueEmail('future');
    await addMember(owner.accessToken, orgId, email, 'member');
    const joined = await signUp(email);
    expect((await myInvitations(joined.accessToken)).body).toEqual({
      invitations: [invitation(orgId, 'Patient', 'member')],
    });
    expect((await acceptInvitation(joined.accessToken, orgId)).status).toBe(200);
  });

  it('spam: an admin sends at most INVITES_PER_ADMIN_PER_HOUR invitations an hour, then 429 rate_limited', async () => {
    const { orgId, owner } = await orgWithMfaOwner('Spam');
    const limit = config().invitesPerAdminPerHour;
    for (let i = 0; i < limit; i++) {
      expect((await addMember(owner.accessToken, orgId, uniqueEmail(`spam${i}`), 'member')).status).toBe(201);
    }
    const over = await addMember(owner.accessToken, orgId, uniqueEmail('spam-over'), 'member');
    expect(over).toMatchObject({
      status: 429,
      body: { error: { code: 'rate_limited', retryAfter: expect.any(Number) } },
    });
    expect((await orgInvitations(owner.accessToken, orgId)).body.invitations).toHaveLength(limit);
  });
});

describe('a refused join spends nothing', () => {
  it('attack: wrong codes sent with joins that fail anyway (no such invitation) are not counted towards the MFA lock', async () => {
    const { owner } = await orgWithMfaOwner();
    const user = await withMfa(await account());
    for (let i = 0; i < 3; i++) {
      const refused = await call('POST', `/v1/me/invitations/${owner.userId}/accept`, {
        token: user.accessToken,
        body: { verification: { factorId: user.totp.factorId, code: wrongAppCode(user.totp.secret) } },
      });
      expect(refused).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    }
    // The first wrong code that is really checked is the first failure: 9 of 10 left.
    const checked = await call('POST', '/v1/mfa/recovery-codes', {
      token: user.accessToken,
      body: { verification: { factorId: user.totp.factorId, code: wrongAppCode(user.totp.secret) } },
    });
    expect(checked).toMatchObject({ status: 401, body: answers.codeInvalid(9) });
  });
});
