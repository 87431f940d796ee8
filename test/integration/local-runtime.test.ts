/**
 * The local runtime stands in for API Gateway and DynamoDB: it must build the events API
 * Gateway builds, answer like it (headers included) where no handler runs, and never
 * pretend to have started a database that is someone else's.
 */
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { routeList } from '../../functions/routes.ts';
import { freePort, startDynamoDb } from '../../infra/local/dynamodb.ts';
import { fromResult, type RequestLike, toEvent } from '../../infra/local/server.ts';
import { corsPolicy } from '../../shared/http/cors.ts';
import { securityHeaders } from '../../shared/http/headers.ts';
import { call, runtime } from '../support/api.ts';

const listen = (port: number, host?: string) =>
  new Promise<Server>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, ...(host ? { host } : {}) }, () => resolve(server));
  });
const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('DynamoDB Local', () => {
  it('refuses a port that is taken, naming it and DYNAMODB_PORT, instead of borrowing its database', async () => {
    const port = await freePort();
    const squatter = await listen(port, '127.0.0.1');
    try {
      const started = startDynamoDb({ port });
      await expect(started).rejects.toThrow(new RegExp(`port ${port}\\b.*DYNAMODB_PORT`));
    } finally {
      await close(squatter);
    }
  });

  it('starts on a fixed free port and gives it back when stopped', async () => {
    const port = await freePort();
    const dynamo = await startDynamoDb({ port });
    expect(dynamo.endpoint).toBe(`http://127.0.0.1:${port}`);
    await dynamo.stop();
    await close(await listen(port));
  });
});

describe('API Gateway v2 events', () => {
  const route = routeList[0] as (typeof routeList)[number];
  const request = (headersDistinct: Record<string, string[]>): RequestLike => ({
    headersDistinct,
    httpVersion: '1.1',
    socket: { remoteAddress: '::ffff:127.0.0.1' },
  });
  const event = (headersDistinct: Record<string, string[]>, url = 'http://localhost/v1/x') =>
    toEvent(request(headersDistinct), new URL(url), route, {}, Buffer.alloc(0));

  it('move the cookie header into cookies, one entry per cookie', () => {
    const built = event({ cookie: ['a=1; b=2', 'c=3'], host: ['localhost'] });
    expect(built.cookies).toEqual(['a=1', 'b=2', 'c=3']);
    expect(built.headers).toEqual({ host: 'localhost' });
    expect(event({ host: ['localhost'] })).not.toHaveProperty('cookies');
  });

  it('join repeated headers with a comma', () => {
    expect(event({ 'x-forwarded-for': ['203.0.113.7', '198.51.100.1'], accept: ['*/*'] }).headers).toEqual({
      'x-forwarded-for': '203.0.113.7,198.51.100.1',
      accept: '*/*',
    });
  });

  it.each([
    ['a=&a=x', { a: ',x' }],
    ['a=x&a=', { a: 'x,' }],
    ['a=1&b=2&a=3', { a: '1,3', b: '2' }],
    ['__proto__=x', JSON.parse('{"__proto__":"x"}')],
  ])('join repeated query keys, empty values included (?%s)', (query, expected) => {
    const built = event({}, `http://localhost/v1/x?${query}`);
    expect(built.queryStringParameters).toEqual(expected);
    expect(built.rawQueryString).toBe(query);
  });

  it('write a result’s cookies as set-cookie headers', () => {
    const answer = fromResult({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json' },
      cookies: ['a=1; Secure; HttpOnly', 'b=2'],
      body: '{}',
    });
    expect(answer).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json', 'set-cookie': ['a=1; Secure; HttpOnly', 'b=2'] },
      body: '{}',
    });
  });
});

describe('the runtime’s own answers', () => {
  const expectApiHeaders = (headers: Headers) => {
    for (const [name, value] of Object.entries(securityHeaders)) expect(headers.get(name), name).toBe(value);
  };

  it('an unknown route is a 404 in the catalogue shape, with the security headers', async () => {
    const answer = await call('GET', '/v1/no-such-thing');
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ error: { code: 'not_found', message: 'Not found.' } });
    expectApiHeaders(answer.headers);

    // Readable by an allowed browser origin, like a handler's error.
    const origin = (runtime().env.CORS_ALLOWED_ORIGINS ?? '').split(',')[0] as string;
    const cross = await call('GET', '/v1/no-such-thing', { headers: { origin } });
    expect(cross.headers.get('access-control-allow-origin')).toBe(origin);
    expect(cross.headers.get('access-control-expose-headers')).toBe(corsPolicy.exposeHeaders.join(','));
    expect(cross.headers.get('vary')).toBe('Origin');
  });

  it('a malformed percent-escape in a path parameter is a 404, not a crash', async () => {
    const paths = [
      ['GET', '/v1/mfa/factors/%E0%A4%A'],
      // Every route with a parameter, so the escape reaches the parameter decoding.
      ...routeList
        .filter((route) => route.path.includes('{'))
        .map((route) => [route.method, route.path.replace(/\{\w+\}/g, '%E0%A4%A')]),
    ] as [string, string][];
    for (const [method, path] of paths) {
      const answer = await call(method, path);
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.body).toEqual({ error: { code: 'not_found', message: 'Not found.' } });
      expectApiHeaders(answer.headers);
    }
  });

  it('preflights are answered from the shared CORS policy, for allowed origins only', async () => {
    const origin = (runtime().env.CORS_ALLOWED_ORIGINS ?? '').split(',')[0] as string;
    const preflight = (from: string) =>
      fetch(`${runtime().apiUrl}/v1/sessions`, {
        method: 'OPTIONS',
        headers: { origin: from, 'access-control-request-method': 'POST' },
      });
    const allowed = await preflight(origin);
    expect(allowed.status).toBe(204);
    expect(Object.fromEntries(allowed.headers)).toMatchObject({
      'access-control-allow-origin': origin,
      'access-control-allow-methods': corsPolicy.allowMethods.join(','),
      'access-control-allow-headers': corsPolicy.allowHeaders.join(','),
      'access-control-max-age': String(corsPolicy.maxAgeSeconds),
      vary: 'Origin',
    });
    const refused = await preflight('https://evil.example');
    expect(refused.status).toBe(204);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect(refused.headers.get('vary')).toBe('Origin');
  });
});
