/**
 * The account flows of the black-box suite, over HTTP only, reading codes where a tester on
 * LocalStack (or the local runtime) reads them: `--aws-url`'s `/_aws/ses` and
 * `/_aws/sns/sms-messages`. Three sign-ups a run, well within the per-address limits (README,
 * "Security limits": 30 sign-ups an hour), so the suite can be run again and again.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
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
    let orgId = '';

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
      // Not in the last seconds of a step: the previous step's code would be two steps old when checked.
      const intoStep = (Date.now() / 1000) % 30;
      if (intoStep > 27) await new Promise((done) => setTimeout(done, (30.2 - intoStep) * 1000));
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
      orgId = created.body.orgId;
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

    // What a platform team's own service does: it knows the issuer and the audience, nothing else.
    let verify: (token: string) => Promise<JWTPayload>;

    it('a downstream service verifies the tokens with jose from the discovery document alone', async () => {
      const { iss, aud } = claimsOf(access) as { iss: string; aud: string };
      const discovery = await call('GET', '/.well-known/openid-configuration');
      expect(discovery.status).toBe(200);
      expect(discovery.body).toEqual({
        issuer: iss,
        jwks_uri: `${iss}/.well-known/jwks.json`,
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['none'],
        scopes_supported: ['aal1', 'aal2', 'mfa:enroll'],
        claims_supported: expect.arrayContaining(['sub', 'aal', 'amr', 'scope', 'auth_time']),
        response_types_supported: [],
        subject_types_supported: ['public'],
      });
      const { issuer, jwks_uri, id_token_signing_alg_values_supported } = discovery.body;
      const keys = createRemoteJWKSet(new URL(jwks_uri));
      verify = async (token) =>
        (
          await jwtVerify(token, keys, {
            issuer,
            audience: aud,
            algorithms: id_token_signing_alg_values_supported,
          })
        ).payload;

      expect(await verify(access)).toMatchObject({ aal: 1, scope: 'aal1' });
      expect(await verify(aal2)).toMatchObject({ aal: 2, scope: 'aal1 aal2' });
      // A route that requires `aal2` (API Gateway's authorizationScopes) lets in only the second.
      const scopes = async (token: string) => String((await verify(token)).scope).split(' ');
      expect(await scopes(access)).not.toContain('aal2');
      expect(await scopes(aal2)).toContain('aal2');
    });

    it('that verifier refuses an enrollment token, which still works on the enrollment endpoints', async () => {
      const memberEmail = uniqueEmail('member');
      const invited = await call('POST', `/v1/orgs/${orgId}/members`, {
        token: aal2,
        body: { email: memberEmail, role: 'member' },
      });
      expect(invited.status, JSON.stringify(invited.body)).toBe(201);
      const member = await signUp(memberEmail);
      const joined = await call('POST', `/v1/me/invitations/${orgId}/accept`, { token: member.accessToken });
      expect(joined.status, JSON.stringify(joined.body)).toBe(200);
      expect(joined.body).toMatchObject({
        status: 'mfa_enrollment_required',
        enrollmentToken: expect.any(String),
      });
      const enrollment = joined.body.enrollmentToken as string;
      expect(claimsOf(enrollment)).toMatchObject({
        scope: 'mfa:enroll',
        aud: `${claimsOf(access).aud}:mfa-enroll`,
      });
      await expect(verify(enrollment)).rejects.toMatchObject({
        code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
        claim: 'aud',
      });
      expect((await call('GET', '/v1/mfa/factors', { token: enrollment })).status).toBe(200);
    });

    it("the README's jose verifier, as pasted, tells the aal 2 token from the others", async () => {
      const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
      const section = readme.slice(readme.indexOf('\n## Protect your own API\n'));
      const snippet = /```js\n([\s\S]*?)```/.exec(section)?.[1];
      expect(snippet).toContain('createRemoteJWKSet');
      // Inside the repository, so that its `import 'jose'` resolves as it would next to `npm install jose`.
      const file = join(import.meta.dirname, `../../node_modules/.cache/verify-${Date.now()}.mjs`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, snippet as string);
      process.env.ISSUER = String(claimsOf(access).iss);
      try {
        const { verify: readmeVerify } = await import(file);
        await expect(readmeVerify(aal2, { mfa: true })).resolves.toMatchObject({ scope: 'aal1 aal2' });
        await expect(readmeVerify(access)).resolves.toMatchObject({ scope: 'aal1' });
        await expect(readmeVerify(access, { mfa: true })).rejects.toThrow('This route needs MFA (aal2)');
        await expect(readmeVerify(tampered(aal2, { sub: 'someone-else' }))).rejects.toThrow();
      } finally {
        rmSync(file, { force: true });
        delete process.env.ISSUER;
      }
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
