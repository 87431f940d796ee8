/**
 * The account flows of the black-box suite, over HTTP only, reading codes where a tester on
 * LocalStack (or the local runtime) reads them: `--aws-url`'s `/_aws/ses` and
 * `/_aws/sns/sms-messages`. Two sign-ups a run, well within the per-address limits (README,
 * "Security limits": 30 sign-ups an hour), so the suite can be run again and again.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  awsUrl,
  call,
  claimsOf,
  currentStep,
  emailCode,
  PASSWORD,
  smsCode,
  tampered,
  totp,
  uniqueEmail,
  uniquePhone,
} from './client.ts';

async function signUp(email: string): Promise<{ accessToken: string; refreshToken: string }> {
  const started = await call('POST', '/v1/users', { body: { email, password: PASSWORD } });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  const verified = await call('POST', '/v1/users/verify', {
    body: { verificationId: started.body.verificationId, code: await emailCode(email) },
  });
  expect(verified.status, JSON.stringify(verified.body)).toBe(200);
  expect(verified.body).toMatchObject({ status: 'authenticated', mfa: { enabled: false } });
  return verified.body;
}

describe.runIf(awsUrl)('account flows (codes read from --aws-url)', () => {
  describe('authenticator app, recovery code and an organisation', () => {
    const email = uniqueEmail('totp');
    let access = '';
    let secret = '';
    let factorId = '';
    let recoveryCodes: string[] = [];
    let aal2 = '';

    beforeAll(async () => {
      access = (await signUp(email)).accessToken;
    });

    it('logs in with the password', async () => {
      const answer = await call('POST', '/v1/sessions', { body: { email, password: PASSWORD } });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ status: 'authenticated', accessToken: expect.any(String) });
      expect(claimsOf(answer.body.accessToken)).toMatchObject({ aal: 1 });
      access = answer.body.accessToken;
    });

    it('refuses the real token once its claims are changed', async () => {
      const forged = tampered(access, { aal: 2, amr: ['pwd', 'otp', 'mfa'] });
      const answer = await call('GET', '/v1/me/sessions', { token: forged });
      expect(answer.status).toBe(401);
      expect(answer.body.error).toMatchObject({ code: 'unauthorized' });
      expect((await call('GET', '/v1/me/sessions', { token: access })).status).toBe(200);
    });

    it('enrolls an authenticator app and gets ten recovery codes', async () => {
      const created = await call('POST', '/v1/mfa/factors', {
        token: access,
        body: { type: 'totp', password: PASSWORD },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      secret = created.body.secret;
      factorId = created.body.factor.id;
      expect(created.body.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
      // The previous step's code (accepted, RFC 6238 §5.2), so the login below can use the current
      // one at once instead of waiting up to 30 s for a step not yet spent.
      const activated = await call('POST', `/v1/mfa/factors/${factorId}/activate`, {
        token: access,
        body: { code: totp(secret, currentStep() - 1) },
      });
      expect(activated.status, JSON.stringify(activated.body)).toBe(200);
      recoveryCodes = activated.body.recoveryCodes;
      expect(recoveryCodes).toHaveLength(10);
    });

    it('logs in with the password and an authenticator code, at aal 2', async () => {
      const login = await call('POST', '/v1/sessions', { body: { email, password: PASSWORD } });
      expect(login.body).toMatchObject({ status: 'mfa_required', factors: [{ id: factorId, type: 'totp' }] });
      const verified = await call('POST', '/v1/mfa/verify', {
        body: { mfaToken: login.body.mfaToken, factorId, code: totp(secret) },
      });
      expect(verified.status, JSON.stringify(verified.body)).toBe(200);
      expect(verified.body.status).toBe('authenticated');
      expect(claimsOf(verified.body.accessToken)).toMatchObject({ aal: 2, amr: ['pwd', 'otp', 'mfa'] });
      aal2 = verified.body.accessToken;
    });

    it('logs in with a recovery code, once', async () => {
      const login = await call('POST', '/v1/sessions', { body: { email, password: PASSWORD } });
      const recovered = await call('POST', '/v1/mfa/recover', {
        body: { mfaToken: login.body.mfaToken, recoveryCode: recoveryCodes[0] },
      });
      expect(recovered.status, JSON.stringify(recovered.body)).toBe(200);
      expect(recovered.body).toMatchObject({ status: 'authenticated', recoveryCodesRemaining: 9 });
      const again = await call('POST', '/v1/sessions', { body: { email, password: PASSWORD } });
      const reused = await call('POST', '/v1/mfa/recover', {
        body: { mfaToken: again.body.mfaToken, recoveryCode: recoveryCodes[0] },
      });
      expect(reused.status).toBe(401);
    });

    it('creates an organisation and requires MFA of its members', async () => {
      const created = await call('POST', '/v1/orgs', { token: aal2, body: { name: 'Deployed suite' } });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const orgId = created.body.orgId;
      const policy = {
        mode: 'required',
        allowedFactorTypes: ['totp', 'sms'],
        rememberDeviceDays: 30,
        graceDays: 0,
      };
      const put = await call('PUT', `/v1/orgs/${orgId}/mfa-policy`, { token: aal2, body: policy });
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      expect(put.body.policy).toMatchObject(policy);
      const org = await call('GET', `/v1/orgs/${orgId}`, { token: aal2 });
      expect(org.status).toBe(200);
      expect(org.body).toMatchObject({ orgId, name: 'Deployed suite', policy });
    });
  });

  describe('SMS', () => {
    const email = uniqueEmail('sms');
    const phone = uniquePhone();

    it('enrolls a phone number and logs in with a texted code', async () => {
      const { accessToken } = await signUp(email);
      const created = await call('POST', '/v1/mfa/factors', {
        token: accessToken,
        body: { type: 'sms', password: PASSWORD, phoneNumber: phone },
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const factorId = created.body.factor.id;
      const enrolCode = await smsCode(phone);
      const activated = await call('POST', `/v1/mfa/factors/${factorId}/activate`, {
        token: accessToken,
        body: { code: enrolCode, challengeId: created.body.challengeId },
      });
      expect(activated.status, JSON.stringify(activated.body)).toBe(200);
      expect(activated.body.recoveryCodes).toHaveLength(10);

      const login = await call('POST', '/v1/sessions', { body: { email, password: PASSWORD } });
      expect(login.body).toMatchObject({ status: 'mfa_required', factors: [{ id: factorId, type: 'sms' }] });
      const challenge = await call('POST', '/v1/mfa/challenges', {
        body: { mfaToken: login.body.mfaToken, factorId },
      });
      expect(challenge.status, JSON.stringify(challenge.body)).toBe(201);
      expect(challenge.body.destination).toBe(`+*******${phone.slice(-4)}`);
      const verified = await call('POST', '/v1/mfa/verify', {
        body: {
          mfaToken: login.body.mfaToken,
          challengeId: challenge.body.challengeId,
          code: await smsCode(phone, [enrolCode]),
        },
      });
      expect(verified.status, JSON.stringify(verified.body)).toBe(200);
      expect(claimsOf(verified.body.accessToken)).toMatchObject({ aal: 2, amr: ['pwd', 'sms', 'mfa'] });
    });
  });
});
