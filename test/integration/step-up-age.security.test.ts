/**
 * Step-up by a recent MFA session, and only a recent one: an aal 2 token stands in for a
 * `verification` only while its `auth_time` is at most STEP_UP_MAX_AGE_SECONDS old. Attack: a
 * session that proved a factor long ago (left open on a shared computer) changes factors.
 * To age a token without waiting 10 minutes, this file runs the handler in-process with a
 * 3 s window (set before config() is read) and the first test proves config() saw it.
 */
import { describe, expect, it, vi } from 'vitest';
import { handler as acceptInvitation } from '../../functions/me/invitations-accept.ts';
import { handler as createFactor } from '../../functions/mfa/factors-create.ts';
import { config } from '../../shared/config.ts';
import { emailsTo, PASSWORD } from '../support/api.ts';
import { account, answers, enrollTotp, invoke, sleep } from '../support/mfa.ts';
import { addMember, orgWithMfaOwner } from '../support/orgs.ts';

vi.hoisted(() => {
  process.env.STEP_UP_MAX_AGE_SECONDS = '3';
});

const addTotp = (token: string, verification?: unknown) =>
  invoke(createFactor, 'POST', '/v1/mfa/factors', {
    token,
    body: { type: 'totp', password: PASSWORD, ...(verification ? { verification } : {}) },
  });

describe('step-up freshness', () => {
  it('in this file the step-up window is 3 s (set before config() was read)', () => {
    expect(config().stepUpMaxAgeSeconds).toBe(3);
  });

  it('attack: an aal 2 token older than the window needs a verification; a fresh proof still works', async () => {
    const user = await account();
    const totp = await enrollTotp(user); // the session now stands at aal 2, auth_time now
    expect((await addTotp(user.accessToken)).status).toBe(201); // fresh: no proof needed
    await sleep(4100); // past the window (auth_time has whole seconds)
    expect(await addTotp(user.accessToken)).toMatchObject({
      status: 403,
      body: answers.verificationRequired,
    });
    const proven = await addTotp(user.accessToken, { recoveryCode: totp.recoveryCodes?.[0] });
    expect(proven.status).toBe(201);
  });

  it('attack: an old aal 2 session cannot hand the account to an organisation (whose admins may then reset its MFA); a verification can, and the owner is told', async () => {
    const { orgId, owner } = await orgWithMfaOwner('Takeover');
    const victim = await account();
    const totp = await enrollTotp(victim); // aal 2 now, and old in a few seconds
    await addMember(owner.accessToken, orgId, victim.email, 'member');
    await sleep(4100);
    const accept = (verification?: unknown) =>
      invoke(acceptInvitation, 'POST', `/v1/me/invitations/${orgId}/accept`, {
        token: victim.accessToken,
        pathParameters: { orgId },
        ...(verification ? { body: { verification } } : {}),
      });
    expect(await accept()).toMatchObject({ status: 403, body: answers.verificationRequired });
    const joined = await accept({ recoveryCode: totp.recoveryCodes?.[0] });
    expect(joined).toMatchObject({ status: 200, body: { orgId, role: 'member' } });
    const subjects = (await emailsTo(victim.email)).map((mail) => mail.Subject);
    expect(subjects).toContain('Serverless MFA: you joined an organisation');
  });
});
