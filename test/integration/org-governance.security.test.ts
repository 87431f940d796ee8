/**
 * Governance attacks (issue 10): an admin is trusted to run the organisation, not to lower its
 * guard. A weaker policy binds the owner too (allowing email only, or 90-day remembered
 * devices, moves the owner onto them), so only the owner weakens it; and resetting someone's
 * MFA is a takeover step, so an admin resets members only, never an admin or themselves.
 * - admin vs owner on each kind of weakening: a lower mode, more factor types, more remembered
 *   device days, more grace days; the admin's refusal changes nothing and is in the audit log;
 * - an admin may still strengthen the policy;
 * - an admin resetting another admin or themselves; the owner resetting themselves;
 * - a reset flood: 30 parallel resets of one member send them at most 3 emails a day.
 */
import { describe, expect, it } from 'vitest';
import { call } from '../support/api.ts';
import { subjectsTo } from '../support/mfa.ts';
import {
  DEFAULT_POLICY,
  member,
  orgEvents,
  orgWithMfaOwner,
  type Policy,
  putPolicy,
  setPolicy,
  withMfa,
} from '../support/orgs.ts';

const RESET_SUBJECT = 'Serverless MFA: your multi-factor authentication was reset';

const resetPath = (orgId: string, userId: string) => `/v1/orgs/${orgId}/members/${userId}/mfa-reset`;

/** An organisation with a strict policy, its owner and an admin who both signed in with MFA. */
async function strictOrg(strict: Partial<Policy>) {
  const { orgId, owner } = await orgWithMfaOwner();
  const admin = await withMfa(await member(owner.accessToken, orgId, 'admin'));
  const policy = await setPolicy(owner.accessToken, orgId, strict);
  return { orgId, owner, admin, policy };
}

const STRICT: Partial<Policy> = {
  mode: 'required',
  allowedFactorTypes: ['totp'],
  rememberDeviceDays: 7,
  graceDays: 0,
};

const policyOf = async (token: string, orgId: string): Promise<Policy> =>
  (await call('GET', `/v1/orgs/${orgId}`, { token })).body.policy;

describe('owner-only weakening of the MFA policy', () => {
  it.each<[string, Partial<Policy>, Partial<Policy>, string]>([
    ['required → optional', STRICT, { mode: 'optional' }, 'mode required → optional'],
    ['required → off', STRICT, { mode: 'off' }, 'mode required → off'],
    ['optional → off', { ...STRICT, mode: 'optional' }, { mode: 'off' }, 'mode optional → off'],
    ['email allowed beside TOTP', STRICT, { allowedFactorTypes: ['totp', 'email'] }, 'more factor types'],
    ['email instead of TOTP', STRICT, { allowedFactorTypes: ['email'] }, 'more factor types'],
    ['90 remembered-device days', STRICT, { rememberDeviceDays: 90 }, 'longer remembered devices'],
    ['a 14-day grace period', STRICT, { graceDays: 14 }, 'a longer grace period'],
  ])(
    'attack: an admin weakens the policy (%s) → 403 forbidden, nothing changed, refusal in the audit log; the owner may',
    async (_, strict, weaker, reason) => {
      const { orgId, owner, admin, policy } = await strictOrg(strict);
      const asked = { ...DEFAULT_POLICY, ...strict, ...weaker };

      const refused = await putPolicy(admin.accessToken, orgId, asked);
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({
        error: { code: 'forbidden', message: `Only the owner can weaken the policy (${reason}).` },
      });
      expect(await policyOf(owner.accessToken, orgId)).toEqual(policy);
      const [latest] = await orgEvents(owner.accessToken, orgId);
      expect(latest).toMatchObject({
        type: 'org.action_refused',
        actorId: admin.userId,
        details: {
          action: 'org.policy_changed',
          reason: `Only the owner can weaken the policy (${reason}).`,
        },
      });

      const allowed = await putPolicy(owner.accessToken, orgId, asked);
      expect(allowed.status).toBe(200);
      expect(allowed.body.policy).toMatchObject(weaker);
    },
  );

  it('an admin may strengthen: optional → required, fewer types, fewer remembered days, less grace', async () => {
    const { orgId, admin } = await strictOrg({ mode: 'optional', rememberDeviceDays: 30, graceDays: 7 });
    const stricter = { ...DEFAULT_POLICY, ...STRICT };
    const answer = await putPolicy(admin.accessToken, orgId, stricter);
    expect(answer.status).toBe(200);
    expect(answer.body.policy).toMatchObject(STRICT);
  });

  it('attack: an admin mixes a strengthening with a weakening → 403, not even the strengthening is applied', async () => {
    const { orgId, owner, admin, policy } = await strictOrg({ ...STRICT, mode: 'optional' });
    const mixed = { ...DEFAULT_POLICY, ...STRICT, mode: 'required', rememberDeviceDays: 90 };
    const refused = await putPolicy(admin.accessToken, orgId, mixed);
    expect(refused.body).toEqual({
      error: {
        code: 'forbidden',
        message: 'Only the owner can weaken the policy (longer remembered devices).',
      },
    });
    expect(await policyOf(owner.accessToken, orgId)).toEqual(policy);
  });
});

describe('who may reset whose MFA', () => {
  it('attack: an admin resets another admin → 403, their factors stay, the refusal is in the audit log; the owner may', async () => {
    const { orgId, owner } = await orgWithMfaOwner();
    const admin = await withMfa(await member(owner.accessToken, orgId, 'admin'));
    const other = await withMfa(await member(owner.accessToken, orgId, 'admin'));

    const refused = await call('POST', resetPath(orgId, other.userId), { token: admin.accessToken });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      error: { code: 'forbidden', message: 'Only the owner can reset the MFA of an admin.' },
    });
    const factors = await call('GET', '/v1/mfa/factors', { token: other.accessToken });
    expect(factors.body.factors).toHaveLength(1);
    expect((await orgEvents(owner.accessToken, orgId))[0]).toMatchObject({
      type: 'org.action_refused',
      actorId: admin.userId,
      details: {
        action: 'mfa.reset',
        reason: 'Only the owner can reset the MFA of an admin.',
        // Whom it was aimed at: the refusal is about the other admin, and the log says so.
        targetUserId: other.userId,
        targetEmail: other.email,
      },
    });
    expect(await subjectsTo(other.email)).not.toContain(RESET_SUBJECT);

    const reset = await call('POST', resetPath(orgId, other.userId), { token: owner.accessToken });
    expect(reset.status).toBe(204);
  });

  it("attack: an admin resets the owner → 403 saying nobody resets the owner's MFA; the owner's factor stays", async () => {
    const { orgId, owner } = await orgWithMfaOwner();
    const admin = await withMfa(await member(owner.accessToken, orgId, 'admin'));
    const refused = await call('POST', resetPath(orgId, owner.userId), { token: admin.accessToken });
    expect(refused.body).toEqual({
      error: {
        code: 'forbidden',
        message: "Nobody can reset the owner's MFA: the owner signs in with a recovery code.",
      },
    });
    expect((await call('GET', '/v1/mfa/factors', { token: owner.accessToken })).body.factors).toHaveLength(1);
  });

  it('an admin resets a member', async () => {
    const { orgId, owner } = await orgWithMfaOwner();
    const admin = await withMfa(await member(owner.accessToken, orgId, 'admin'));
    const plain = await withMfa(await member(owner.accessToken, orgId));
    const reset = await call('POST', resetPath(orgId, plain.userId), { token: admin.accessToken });
    expect(reset.status).toBe(204);
    expect(await subjectsTo(plain.email)).toContain(RESET_SUBJECT);
  });

  it.each([
    ['the owner', 'owner'],
    ['an admin', 'admin'],
  ] as const)(
    'attack: %s resets their own MFA (a stolen password and a remembered device would wipe it) → 403',
    async (_, who) => {
      const { orgId, owner } = await orgWithMfaOwner();
      const caller = who === 'owner' ? owner : await withMfa(await member(owner.accessToken, orgId, 'admin'));
      const refused = await call('POST', resetPath(orgId, caller.userId), { token: caller.accessToken });
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({
        error: {
          code: 'forbidden',
          message: 'Your own MFA cannot be reset here: sign in with a recovery code.',
        },
      });
      expect((await call('GET', '/v1/mfa/factors', { token: caller.accessToken })).body.factors).toHaveLength(
        1,
      );
      expect((await orgEvents(owner.accessToken, orgId))[0]).toMatchObject({
        type: 'org.action_refused',
        actorId: caller.userId,
        details: { action: 'mfa.reset' },
      });
    },
  );

  it('attack: 30 parallel resets of one member (an email bomb) → all done and logged, the member gets 3 emails', async () => {
    const { orgId, owner } = await orgWithMfaOwner();
    const plain = await withMfa(await member(owner.accessToken, orgId));
    const answers = await Promise.all(
      Array.from({ length: 30 }, () =>
        call('POST', resetPath(orgId, plain.userId), { token: owner.accessToken }),
      ),
    );
    const tally = answers.reduce<Record<number, number>>((counts, answer) => {
      counts[answer.status] = (counts[answer.status] ?? 0) + 1;
      return counts;
    }, {});
    console.log('30 parallel resets of one member:', tally);
    // Each reset is its own transaction; those that raced one another may lose to it (409),
    // none fails otherwise, and every one that was done is in the audit log.
    expect(Object.keys(tally).every((status) => ['204', '409'].includes(status))).toBe(true);
    const done = tally[204] ?? 0;
    expect(done).toBeGreaterThan(0);
    const logged = (await orgEvents(owner.accessToken, orgId)).filter(
      (event) => event.type === 'mfa.reset' && event.userId === plain.userId,
    );
    expect(logged).toHaveLength(done);
    expect((await subjectsTo(plain.email)).filter((subject) => subject === RESET_SUBJECT)).toHaveLength(
      Math.min(done, 3),
    );
  });
});
