/**
 * Stale token (found by the outside attack of issue 13): an admin without MFA holds an aal 1
 * access token when the owner makes the organisation require MFA. Refreshing it already answers
 * the enrollment step, but the token itself lives up to 15 minutes: it must not keep the
 * admin's powers over the organisation (listing members, reading the audit log, inviting).
 * During a grace period the policy lets members in without MFA, and so does this check.
 */
import { describe, expect, it } from 'vitest';
import { call } from '../support/api.ts';
import { member, orgWithMfaOwner, setPolicy } from '../support/orgs.ts';

const refused = {
  status: 403,
  body: { error: { code: 'caller_mfa_required', message: expect.any(String) } },
};

describe('an organisation that starts requiring MFA', () => {
  it('attack: an aal 1 admin token from before the change no longer lists, reads or invites', async () => {
    const { orgId, owner } = await orgWithMfaOwner();
    const admin = await member(owner.accessToken, orgId, 'admin');
    // Before: the admin's aal 1 token works (the policy is off).
    expect((await call('GET', `/v1/orgs/${orgId}/members`, { token: admin.accessToken })).status).toBe(200);

    await setPolicy(owner.accessToken, orgId, { mode: 'required', graceDays: 0 });
    const invitee = `stale-${Date.now()}@example.com`;
    const attempts = await Promise.all([
      call('GET', `/v1/orgs/${orgId}`, { token: admin.accessToken }),
      call('GET', `/v1/orgs/${orgId}/members`, { token: admin.accessToken }),
      call('GET', `/v1/orgs/${orgId}/events`, { token: admin.accessToken }),
      call('GET', `/v1/orgs/${orgId}/invitations`, { token: admin.accessToken }),
      call('POST', `/v1/orgs/${orgId}/members`, {
        token: admin.accessToken,
        body: { email: invitee, role: 'member' },
      }),
    ]);
    for (const answer of attempts) expect(answer).toMatchObject(refused);
    // Nobody was invited.
    const invitations = await call('GET', `/v1/orgs/${orgId}/invitations`, { token: owner.accessToken });
    expect(invitations.body.invitations.map((i: { email: string }) => i.email)).not.toContain(invitee);
    // The owner, at aal 2, is unaffected.
    expect((await call('GET', `/v1/orgs/${orgId}/members`, { token: owner.accessToken })).status).toBe(200);
  });

  it('during a grace period the admin without MFA still runs the organisation', async () => {
    const { orgId, owner } = await orgWithMfaOwner();
    const admin = await member(owner.accessToken, orgId, 'admin');
    await setPolicy(owner.accessToken, orgId, { mode: 'required', graceDays: 7 });
    expect((await call('GET', `/v1/orgs/${orgId}/members`, { token: admin.accessToken })).status).toBe(200);
  });
});
