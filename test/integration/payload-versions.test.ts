/**
 * One handler, two front doors: API Gateway's HTTP API calls with payload 2.0, its REST API
 * with payload 1.0 (shared/http/event.ts). The same request must reach the handler as the same
 * input either way, and each answer go back in the shape of the event that came in. The client
 * address is API Gateway's own (`requestContext`), never a header a client can forge.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { routeList } from '../../functions/routes.ts';
import {
  fromRestResult,
  fromResult,
  type RequestLike,
  toEvent,
  toRestEvent,
} from '../../infra/local/server.ts';
import { isPayloadV1, toPayloadV2, toResultV1 } from '../../shared/http/event.ts';
import { type HttpRequest, http } from '../../shared/http/handler.ts';
import type { Route } from '../../shared/http/route.ts';
import { lambdaContext } from '../support/api.ts';

const route = {
  method: 'POST',
  path: '/v1/things/{thingId}',
  module: 'test',
  auth: 'none',
  permissions: [],
  summary: 'test',
  params: z.strictObject({ thingId: z.string() }),
  query: z.strictObject({ tag: z.string().optional() }),
  body: z.strictObject({ name: z.string() }),
  responses: { 200: { description: 'ok' } },
} as const satisfies Route;

const seen: HttpRequest<typeof route>[] = [];
const handler = http(route, async (request) => {
  seen.push(request);
  return { status: 200, body: { name: request.body.name }, headers: { 'x-thing': request.params.thingId } };
});

const epoch = Date.UTC(2025, 0, 2, 3, 4, 5);

function v2(sourceIp: string, body = '{"name":"Ada"}'): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /v1/things/{thingId}',
    rawPath: '/v1/things/t1',
    rawQueryString: 'tag=a&tag=b',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'vitest',
      accept: 'a,b',
      'x-forwarded-for': '198.51.100.66',
    },
    queryStringParameters: { tag: 'a,b' },
    pathParameters: { thingId: 't1' },
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: { method: 'POST', path: '/v1/things/t1', protocol: 'HTTP/1.1', sourceIp, userAgent: 'vitest' },
      requestId: 'req-1',
      routeKey: 'POST /v1/things/{thingId}',
      stage: '$default',
      time: new Date(epoch).toUTCString(),
      timeEpoch: epoch,
    },
  };
}

function v1(sourceIp: string, body = '{"name":"Ada"}'): APIGatewayProxyEvent {
  return {
    resource: '/v1/things/{thingId}',
    path: '/v1/things/t1',
    httpMethod: 'POST',
    // A REST API keeps the names as sent, and only the last value in `headers`.
    headers: {
      'Content-Type': 'application/json',
      'User-Agent': 'vitest',
      Accept: 'b',
      'X-Forwarded-For': '198.51.100.66',
    },
    multiValueHeaders: {
      'Content-Type': ['application/json'],
      'User-Agent': ['vitest'],
      Accept: ['a', 'b'],
      'X-Forwarded-For': ['198.51.100.66'],
    },
    queryStringParameters: { tag: 'b' },
    multiValueQueryStringParameters: { tag: ['a', 'b'] },
    pathParameters: { thingId: 't1' },
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'api',
      authorizer: null,
      domainName: 'api.example.com',
      domainPrefix: 'api',
      extendedRequestId: 'ext-1',
      httpMethod: 'POST',
      identity: { sourceIp, userAgent: 'vitest' } as APIGatewayProxyEvent['requestContext']['identity'],
      path: '/prod/v1/things/t1',
      protocol: 'HTTP/1.1',
      requestId: 'req-1',
      requestTimeEpoch: epoch,
      resourceId: 'r1',
      resourcePath: '/v1/things/{thingId}',
      stage: 'prod',
    },
  };
}

describe('payload 1.0 and 2.0', () => {
  it('tells the versions apart by `httpMethod`', () => {
    expect(isPayloadV1(v1('203.0.113.1'))).toBe(true);
    expect(isPayloadV1(v2('203.0.113.1'))).toBe(false);
  });

  it('give the handler the same input for the same request', async () => {
    seen.length = 0;
    await handler(v2('203.0.113.7'), lambdaContext);
    await handler(v1('203.0.113.7'), lambdaContext);
    const [fromV2, fromV1] = seen;
    expect(fromV1).toEqual(fromV2);
    expect(fromV2).toMatchObject({
      body: { name: 'Ada' },
      params: { thingId: 't1' },
      query: { tag: 'a,b' },
      requestId: 'req-1',
      ip: '203.0.113.7',
      userAgent: 'vitest',
      headers: { accept: 'a,b', 'content-type': 'application/json' },
    });
  });

  it('rewrite a 1.0 event into the 2.0 event of the same request', () => {
    const { requestContext: context1, ...rest1 } = toPayloadV2(v1('203.0.113.7'));
    const { requestContext: context2, ...rest2 } = v2('203.0.113.7');
    expect(rest1).toEqual(rest2);
    expect({ ...context1, stage: '$default' }).toEqual(context2);
  });

  it.each([
    ['2.0', (ip: string) => v2(ip)],
    ['1.0', (ip: string) => v1(ip)],
  ])('take the client address (%s) from requestContext only, never X-Forwarded-For', async (_, event) => {
    seen.length = 0;
    await handler(event('192.0.2.10'), lambdaContext);
    expect(seen[0]?.ip).toBe('192.0.2.10');
    seen.length = 0;
    await handler(event(''), lambdaContext);
    expect(seen[0]?.ip).toBe('');
  });

  it('answer each in its own shape, with the same status, headers and body', async () => {
    const fromV2 = await handler(v2('203.0.113.7'), lambdaContext);
    const fromV1 = await handler(v1('203.0.113.7'), lambdaContext);
    expect(fromV1).toEqual({
      statusCode: 200,
      headers: fromV2.headers,
      body: '{"name":"Ada"}',
      isBase64Encoded: false,
    });
    expect(fromV2).toMatchObject({ statusCode: 200, body: '{"name":"Ada"}' });
    expect(fromV2.headers).toMatchObject({ 'x-thing': 't1' });
  });

  it('answer errors in the 1.0 shape too, with the same catalogue body', async () => {
    const bad = '{"name":1,"admin":true}';
    const fromV2 = await handler(v2('203.0.113.7', bad), lambdaContext);
    const fromV1 = await handler(v1('203.0.113.7', bad), lambdaContext);
    expect(fromV2.statusCode).toBe(400);
    expect(fromV1).toEqual({
      statusCode: 400,
      headers: fromV2.headers,
      body: fromV2.body,
      isBase64Encoded: false,
    });
    expect(JSON.parse(fromV1.body).error.details).toEqual([
      { path: 'body.name', message: expect.any(String) },
      { path: 'body.admin', message: 'Unknown field.' },
    ]);
  });

  it('carry cookies across: `cookie` headers in, `cookies` out as set-cookie values', () => {
    const event = v1('203.0.113.7');
    event.multiValueHeaders.Cookie = ['a=1; b=2', 'c=3,4'];
    expect(toPayloadV2(event).cookies).toEqual(['a=1', 'b=2', 'c=3,4']);
    expect(toPayloadV2(event).headers).not.toHaveProperty('cookie');
    expect(toResultV1({ statusCode: 204, cookies: ['s=1; Secure'] })).toEqual({
      statusCode: 204,
      headers: {},
      multiValueHeaders: { 'set-cookie': ['s=1; Secure'] },
      body: '',
      isBase64Encoded: false,
    });
  });
});

describe('the local runtime’s two front doors', () => {
  const request: RequestLike = {
    headersDistinct: { host: ['localhost:3000'], accept: ['a', 'b'], 'content-type': ['application/json'] },
    httpVersion: '1.1',
    socket: { remoteAddress: '::ffff:127.0.0.9' },
  };
  const url = new URL('http://localhost:3000/v1/orgs/o1?tag=a&tag=b');
  const orgRoute = routeList.find((r) => r.name === 'getOrg') as Route;
  const body = Buffer.from('{"x":1}');

  it('build a REST event that normalises to the HTTP API event it builds', () => {
    const rest = toRestEvent(request, url, orgRoute, { orgId: 'o1' }, body);
    expect(rest).toMatchObject({
      resource: '/v1/orgs/{orgId}',
      httpMethod: 'GET',
      headers: { accept: 'b' },
      multiValueHeaders: { accept: ['a', 'b'] },
      queryStringParameters: { tag: 'b' },
      multiValueQueryStringParameters: { tag: ['a', 'b'] },
      requestContext: { identity: { sourceIp: '127.0.0.9' } },
    });
    const { requestContext: c1, ...fromRest } = toPayloadV2(rest);
    const { requestContext: c2, ...fromHttp } = toEvent(request, url, orgRoute, { orgId: 'o1' }, body);
    expect(fromRest).toEqual(fromHttp);
    expect(c1.http).toEqual(c2.http);
    expect(c1.routeKey).toBe(c2.routeKey);
  });

  it('write a 1.0 result as API Gateway does, and a 502 without a statusCode', () => {
    const headers = { 'content-type': 'application/json' };
    expect(fromRestResult({ statusCode: 201, headers, body: '{}' })).toEqual(
      fromResult({ statusCode: 201, headers, body: '{}' }),
    );
    expect(
      fromRestResult({ statusCode: 200, multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] }, body: '' })
        .headers,
    ).toEqual({ 'set-cookie': ['a=1', 'b=2'] });
    expect(fromRestResult({ body: '' } as never).status).toBe(502);
  });
});
