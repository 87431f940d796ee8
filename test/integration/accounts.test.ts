import { describe, expect, it } from 'vitest';
import { handler as createUser } from '../../functions/users/create.ts';
import {
  apiEvent,
  call,
  lambdaContext,
  lastEmailCode,
  logIn,
  PASSWORD,
  uniqueEmail,
} from '../support/api.ts';

describe('POST /v1/users', () => {
  it('202 with a verification; the emailed code verifies the address and signs in; then the password logs in', async () => {
    const email = uniqueEmail();
    const started = await call('POST', '/v1/users', { body: { email, password: PASSWORD } });
    expect(started).toMatchObject({
      status: 202,
      body: {
        verificationId: expect.stringMatching(/^[0-9A-Z]{26}$/),
        expiresAt: expect.any(String),
        resendAvailableAt: expect.any(String),
      },
    });
    expect(Object.keys(started.body).sort()).toEqual(['expiresAt', 'resendAvailableAt', 'verificationId']);
    // Not an account yet: the right password only leads back to the code.
    const early = await logIn(email);
    expect(early.body).toEqual({
      status: 'email_verification_required',
      verificationId: started.body.verificationId,
      expiresAt: started.body.expiresAt,
      resendAvailableAt: started.body.resendAvailableAt,
    });

    const verified = await call('POST', '/v1/users/verify', {
      body: { verificationId: started.body.verificationId, code: await lastEmailCode(email) },
    });
    expect(verified).toMatchObject({
      status: 200,
      body: { status: 'authenticated', mfa: { enabled: false, suggested: false } },
    });
    const login = await logIn(email.toUpperCase());
    expect(login.body.status).toBe('authenticated');
  });

  it.each([
    [
      'a password over 1024 characters',
      { email: 'x@example.com', password: 'p'.repeat(1025) },
      'body.password',
    ],
    ['a malformed email', { email: 'not-an-email', password: PASSWORD }, 'body.email'],
    ['a missing email', { password: PASSWORD }, 'body.email'],
    ['an unknown field', { email: 'x@example.com', password: PASSWORD, admin: true }, 'body.admin'],
  ])('refuses %s with invalid_request naming the field', async (_, body, path) => {
    const answer = await call('POST', '/v1/users', { body });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_request');
    expect(answer.body.error.details).toEqual(
      expect.arrayContaining([{ path, message: expect.any(String) }]),
    );
  });

  it('refuses malformed JSON with invalid_json and creates nothing', async () => {
    const answer = await call('POST', '/v1/users', { rawBody: '{"email": "x@example.com", "password": ' });
    expect(answer).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } });
  });

  it('refuses a body over 16 KiB with 413 payload_too_large', async () => {
    const email = uniqueEmail('big');
    const answer = await call('POST', '/v1/users', {
      rawBody: JSON.stringify({ email, password: PASSWORD, padding: 'x'.repeat(17 * 1024) }),
    });
    expect(answer).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
    expect((await logIn(email)).status).toBe(401);
  });

  it('refuses a body that is not declared as JSON (no cross-site form posts)', async () => {
    const answer = await call('POST', '/v1/users', {
      rawBody: JSON.stringify({ email: uniqueEmail(), password: PASSWORD }),
      headers: { 'content-type': 'text/plain' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'invalid_request', details: [{ path: 'content-type' }] });
  });
});

describe('the HTTP stack around every handler', () => {
  it('answers with security headers and no caching', async () => {
    const answer = await call('GET', '/v1/health');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ok' });
    expect(Object.fromEntries(answer.headers)).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'strict-transport-security': expect.stringContaining('max-age='),
      'content-security-policy': expect.stringContaining("default-src 'none'"),
    });
  });

  it('allows CORS only for configured origins', async () => {
    const allowed = await call('GET', '/v1/health', { headers: { origin: 'http://localhost:3000' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    const other = await call('GET', '/v1/health', { headers: { origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${(await import('../support/api.ts')).runtime().apiUrl}/v1/sessions`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('answers an unknown route with 404 not_found', async () => {
    expect(await call('GET', '/v1/nope')).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found' } },
    });
  });

  it('reads a base64-encoded body the way API Gateway delivers binary payloads', async () => {
    const email = uniqueEmail('b64');
    const body = Buffer.from(JSON.stringify({ email, password: PASSWORD })).toString('base64');
    const result = await createUser(apiEvent('POST', '/v1/users', { body, base64: true }), lambdaContext);
    expect(result.statusCode).toBe(202);
  });
});
