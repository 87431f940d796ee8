/**
 * The read-only part of the black-box suite: what any deployment answers to a stranger, with
 * no account and no access to its mail. Safe against production: it creates nothing (the one
 * invalid sign-up is refused before any write but the per-address counter).
 */
import { describe, expect, it } from 'vitest';
import { call, unsignedToken } from './client.ts';

describe('a deployment, seen from outside', () => {
  it('answers its health check', async () => {
    const answer = await call('GET', '/v1/health');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ok' });
  });

  it('serves an OpenAPI 3 document whose operations all answer and whose references all resolve', async () => {
    const answer = await call('GET', '/v1/openapi.json');
    expect(answer.status).toBe(200);
    const doc = answer.body;
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/v1/users',
        '/v1/users/verify',
        '/v1/sessions',
        '/v1/sessions/refresh',
        '/v1/mfa/factors',
        '/v1/mfa/verify',
        '/v1/mfa/recover',
        '/v1/orgs',
        '/v1/orgs/{orgId}/mfa-policy',
        '/v1/health',
        '/.well-known/jwks.json',
      ]),
    );
    const operations = Object.values(
      doc.paths as Record<string, Record<string, { responses?: object }>>,
    ).flatMap((item) => Object.values(item));
    expect(operations.length).toBeGreaterThanOrEqual(paths.length);
    for (const operation of operations) expect(Object.keys(operation.responses ?? {})).not.toHaveLength(0);
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/([^"]+)"/g)].map((m) => m[1] as string);
    for (const ref of new Set(refs)) {
      const target = ref
        .split('/')
        .reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], doc);
      expect(target, `#/${ref}`).toBeDefined();
    }
  });

  it('publishes its public signing keys and nothing private', async () => {
    const answer = await call('GET', '/.well-known/jwks.json');
    expect(answer.status).toBe(200);
    // A new deployment has no key until its first token: then the empty set must not be cached.
    if (answer.body.keys.length === 0) expect(answer.headers.get('cache-control')).toBe('no-store');
    else expect(answer.headers.get('cache-control')).toMatch(/max-age=\d+/);
    for (const key of answer.body.keys) {
      expect(key).toMatchObject({ kid: expect.any(String), kty: expect.stringMatching(/^(EC|RSA)$/) });
      for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k']) expect(key).not.toHaveProperty(secret);
    }
  });

  it('answers an invalid body with 400 invalid_request and one detail per problem', async () => {
    const answer = await call('POST', '/v1/users', {
      body: { email: 'not an address', password: 'x', admin: true },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ code: 'invalid_request', message: expect.any(String) });
    expect(answer.body.error.details).toEqual(
      expect.arrayContaining([
        { path: 'body.email', message: expect.any(String) },
        { path: 'body.admin', message: 'Unknown field.' },
      ]),
    );
  });

  it('answers a path it does not serve with 404', async () => {
    const answer = await call('GET', '/v1/no-such-thing');
    expect(answer.status).toBe(404);
  });

  // RFC 8725 §2.1/§3.1: a verifier must never accept `alg: none`, nor a signature it did not check.
  it.each([
    ['no token', undefined],
    ['an unsigned (alg: none) token', unsignedToken({ sub: 'x', scope: 'full', aal: 2, exp: 4102444800 })],
    ['a token with a made-up signature', `${unsignedToken({ sub: 'x' }).slice(0, -1)}.c2lnbmF0dXJl`],
    ['a token with a made-up ES256 header', 'eyJhbGciOiJFUzI1NiIsImtpZCI6Im5vbmUifQ.eyJzdWIiOiJ4In0.AAAA'],
  ])('refuses %s with 401 unauthorized', async (_, token) => {
    const answer = await call('GET', '/v1/me/sessions', token ? { token } : {});
    expect(answer.status).toBe(401);
    expect(answer.body.error).toMatchObject({ code: 'unauthorized' });
  });
});
