import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ApiError, tooMany } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import type { Route } from '../../shared/http/route.ts';
import { apiEvent, lambdaContext } from '../support/api.ts';

const route = {
  method: 'POST',
  path: '/test',
  module: 'test',
  auth: 'none',
  permissions: [],
  summary: 'test',
  body: z.strictObject({ mode: z.enum(['ok', 'crash', 'locked', 'paused']) }),
  responses: { 200: { description: 'ok' } },
} as const satisfies Route;

const handler = http(route, async ({ body }) => {
  if (body.mode === 'crash') {
    throw new Error('database password is hunter2 at 10.0.0.1');
  }
  if (body.mode === 'locked') throw tooMany('locked', 61.2);
  if (body.mode === 'paused') {
    throw new ApiError('delivery_failed', { status: 503, message: 'Paused.', extra: { retryAfter: 120 } });
  }
  return { status: 200, body: { mode: body.mode } };
});

const invoke = (body: string) => handler(apiEvent('POST', '/test', { body }), lambdaContext);

describe('http(): one composition maps every outcome', () => {
  it('passes the validated body to the handler and answers JSON', async () => {
    const result = await invoke('{"mode":"ok"}');
    expect(result).toMatchObject({ statusCode: 200, body: '{"mode":"ok"}' });
  });

  it('a 5xx carries the request id and nothing of the error', async () => {
    const event = apiEvent('POST', '/test', { body: '{"mode":"crash"}' });
    const result = await handler(event, lambdaContext);
    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body as string)).toEqual({
      error: {
        code: 'internal_error',
        message: 'Internal error.',
        requestId: event.requestContext.requestId,
      },
    });
    expect(result.body).not.toContain('hunter2');
  });

  it.each([
    ['a 400', '{"mode":'],
    ['a 413', `{"mode":"${'x'.repeat(17 * 1024)}"}`],
    ['a 429', '{"mode":"locked"}'],
    ['a 500', '{"mode":"crash"}'],
  ])('%s answer carries the security headers too', async (_, body) => {
    const result = await invoke(body);
    expect(result.headers).toMatchObject({
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': expect.stringContaining("default-src 'none'"),
      vary: 'Origin',
    });
  });

  it('a 429 carries Retry-After in the header and the body, rounded up', async () => {
    const result = await invoke('{"mode":"locked"}');
    expect(result.statusCode).toBe(429);
    expect(result.headers?.['retry-after']).toBe('62');
    expect(JSON.parse(result.body as string).error.retryAfter).toBe(62);
  });

  it('the open SMS breaker is 503 delivery_failed with Retry-After and the request id', async () => {
    const result = await invoke('{"mode":"paused"}');
    expect(result.statusCode).toBe(503);
    expect(result.headers?.['retry-after']).toBe('120');
    expect(JSON.parse(result.body as string)).toEqual({
      error: { code: 'delivery_failed', message: 'Paused.', retryAfter: 120, requestId: expect.any(String) },
    });
  });

  it.each([
    ['an empty body', '', 'invalid_request'],
    ['a JSON array', '[]', 'invalid_request'],
    ['an unknown enum value', '{"mode":"other"}', 'invalid_request'],
    ['truncated JSON', '{"mode":', 'invalid_json'],
    ['a 16 KiB + 1 byte body', `{"mode":"${'x'.repeat(16 * 1024)}"}`, 'payload_too_large'],
  ])('refuses %s with %s', async (_, body, code) => {
    const result = await invoke(body);
    expect(JSON.parse(result.body as string).error.code).toBe(code);
    expect(result.statusCode).toBe(new ApiError(code as never).status);
  });
});
