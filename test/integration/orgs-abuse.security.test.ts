/**
 * Abuse of organisation features by any account (anyone may create an organisation):
 * flooding a stranger with invitation emails, and spending SMS on factors that can no longer
 * prove anything under the policy.
 */
import { describe, expect, it } from 'vitest';
import { call } from '../support/api.ts';
import { account, enrollSms, enrollTotp } from '../support/mfa.ts';
import { addMember, createOrg, member, orgWithMfaOwner, setPolicy } from '../support/orgs.ts';

describe('organisation abuse', () => {
  it('invitation flood: a stranger gets at most 5 invitation emails a day, whoever invites', async () => {
    const victim = await account();
    const answers = [];
    for (let i = 0; i < 6; i++) {
      const inviter = await account();
      const orgId = await createOrg(inviter.accessToken, `Spam ${i}`);
      answers.push(await addMember(inviter.accessToken, orgId, victim.email, 'member'));
    }
    expect(answers.slice(0, 5).map((answer) => answer.status)).toEqual([201, 201, 201, 201, 201]);
    expect(answers[5]?.status).toBe(429);
    expect(answers[5]?.body.error).toMatchObject({ code: 'rate_limited', retryAfter: expect.any(Number) });
    const listed = await call('GET', '/v1/me/invitations', { token: victim.accessToken });
    expect(listed.body.invitations).toHaveLength(5);
  });

  it('SMS pumping: no code is sent to a factor whose type the policy disallows', async () => {
    const { orgId, owner } = await orgWithMfaOwner();
    const user = await member(owner.accessToken, orgId);
    await enrollTotp(user);
    const sms = await enrollSms(user);
    await setPolicy(owner.accessToken, orgId, { allowedFactorTypes: ['totp'] });
    const answer = await call('POST', `/v1/mfa/factors/${sms.factorId}/codes`, { token: user.accessToken });
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('factor_type_not_allowed');
  });
});
