import { describe, expect, it } from 'vitest';
import { handler as createUser } from '../../functions/users/create.ts';
import { apiEvent, call, lambdaContext, logIn, PASSWORD, signUp, uniqueEmail } from '../support/api.ts';

describe('POST /v1/users', () => {
  it('creates a user who can then log in', async () => {
    const email = uniqueEmail();
    const answer = await call('POST', '/v1/users', { body: { email, password: PASSWORD } });
    expect(answer).toMatchObject({ status: 201, body: { userId: expect.stringMatching(/^[0-9A-Z]{26}$/) } });
    expect(Object.keys(answer.body)).toEqual(['userId']);
    expect((await logIn(email)).status).toBe(200);
  });

  it('refuses an email that is already used, whatever its case', async () => {
    const { email } = await signUp();
    const answer = await call('POST', '/v1/users', {
      body: { email: email.toUpperCase(), password: PASSWORD },
    });
    expect(answer.status).toBe(409);
    expect(answer.body).toEqual({ error: { code: 'already_exists', message: 'It already exists.' } });
  });

  it('race: two parallel sign-ups with one email, exactly one wins', async () => {
    const email = uniqueEmail('race');
    const answers = await Promise.all(
      Array.from({ length: 2 }, () => call('POST', '/v1/users', { body: { email, password: PASSWORD } })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
  });

  it('race: ten parallel sign-ups with one email through the handler, exactly one wins', async () => {
    const email = uniqueEmail('race10');
    const body = JSON.stringify({ email, password: PASSWORD });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => createUser(apiEvent('POST', '/v1/users', { body }), lambdaContext)),
    );
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(1);
    expect(results.filter((r) => r.statusCode === 409)).toHaveLength(9);
  });

  it.each([
    ['a short password', { email: 'x@example.com', password: 'short' }, 'body.password'],
    [
      'a password over 128 characters',
      { email: 'x@example.com', password: 'p'.repeat(129) },
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
    expect(result.statusCode).toBe(201);
  });
});
