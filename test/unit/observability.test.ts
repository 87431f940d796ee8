/**
 * Logs and metrics as CloudWatch reads them. Attack named: secrets in logs (OWASP Logging
 * Cheat Sheet, "data to exclude": passwords, session ids, access tokens). A log line is read by
 * far more people than the database, so a token or code that reaches it is a leaked credential.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

// The test run turns metrics off (test/support/global-setup.ts); this file reads them.
process.env.POWERTOOLS_METRICS_DISABLED = 'false';
process.env.POWERTOOLS_METRICS_NAMESPACE = 'ServerlessMfa/unit';

const { log, logger, REDACTED } = await import('../../shared/http/logger.ts');
const { count, countCodeSend, metricNames, observe } = await import('../../shared/metrics.ts');
const { http } = await import('../../shared/http/handler.ts');
const { ApiError } = await import('../../shared/http/errors.ts');

/** Every line written to stdout and stderr while `work` runs, parsed. */
async function capture(work: () => unknown): Promise<Record<string, any>[]> {
  const lines: string[] = [];
  const grab = (chunk: unknown) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(grab);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(grab);
  try {
    await work();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  return lines.map((line) => JSON.parse(line));
}

const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIwMUs1In0.c2lnbmF0dXJlc2lnbmF0dXJl';
const refresh = '01K5Z3Y8M4N2P6Q7R8S9T0V1W2.3.abcdefghijklmnopqrstuvwxyz0123456789_-AB';
const mfa =
  '01K5Z3Y8M4N2P6Q7R8S9T0V1W2.01K5Z3Y8M4N2P6Q7R8S9T0V1W3.abcdefghijklmnopqrstuvwxyz0123456789_-ABCDEFG';
const device = '01K5Z3Y8M4N2P6Q7R8S9T0V1W2.abcdefghijklmnopqrstuvwxyz0123456789_-ABCDEFG';

describe('logger', () => {
  beforeAll(() => logger.setLogLevel('DEBUG'));
  afterEach(() => logger.resetKeys());

  it('keeps the fields the stack and Logs Insights read: level, message, time, then the caller’s', async () => {
    const [line] = await capture(() => log.info('request', { route: 'GET /v1/health', status: 200 }));
    expect(line).toEqual({
      level: 'info',
      message: 'request',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      route: 'GET /v1/health',
      status: 200,
    });
  });

  it('writes the SMS breaker line operators search the logs for ($.message, level error)', async () => {
    const { SMS_BREAKER_OPEN } = await import('../../shared/notify/send-budget.ts');
    const [line] = await capture(() => log.error(SMS_BREAKER_OPEN, { window: 'sms-all-hour' }));
    expect(line).toMatchObject({
      level: 'error',
      message: 'sms circuit breaker open',
      window: 'sms-all-hour',
    });
  });

  it.each([
    ['password', { password: 'correct horse battery staple' }],
    ['newPassword', { newPassword: 'correct horse battery staple' }],
    ['refreshToken', { refreshToken: refresh }],
    ['mfaToken', { mfaToken: 'anything-at-all' }],
    ['authorization', { headers: { authorization: `Bearer ${jwt}` } }],
    ['secret', { factor: { secret: 'JBSWY3DPEHPK3PXP' } }],
    ['recoveryCode', { recoveryCode: 'ABCD-EFGH-JKMN-PQRS' }],
    ['a JWT in any field', { note: `got ${jwt} from the client` }],
    ['a refresh token in any field', { nested: [{ value: refresh }] }],
    ['an mfaToken in any field', { note: `login ${mfa} waiting` }],
    ['a device token in any field', { note: `device ${device} remembered` }],
    ['a JWT in an error message', { ...{ errorMessage: `bad token ${jwt}` } }],
  ])('never prints a secret: %s', async (_name, fields) => {
    const [line] = await capture(() => log.warn('something happened', fields));
    const text = JSON.stringify(line);
    for (const secret of [
      jwt,
      refresh,
      mfa,
      device,
      'correct horse',
      'anything-at-all',
      'JBSWY3DP',
      'ABCD-EFGH',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain(REDACTED);
  });

  it('keeps error codes and ids, which are not secrets', async () => {
    const [line] = await capture(() => log.info('request', { code: 'code_invalid', userId: '01K5Z3Y8M4' }));
    expect(line).toMatchObject({ code: 'code_invalid', userId: '01K5Z3Y8M4' });
  });

  it('stays below the threshold LOG_LEVEL sets', async () => {
    logger.setLogLevel('WARN');
    const lines = await capture(() => log.info('quiet'));
    logger.setLogLevel('DEBUG');
    expect(lines).toEqual([]);
  });
});

type Emf = {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  [key: string]: unknown;
};
const emf = (lines: Record<string, any>[]) => lines.filter((line) => '_aws' in line) as Emf[];
const names = (line: Emf) => line._aws.CloudWatchMetrics[0]?.Metrics.map((m) => m.Name).sort();

describe('metrics (EMF on stdout)', () => {
  const route = { method: 'GET', path: '/v1/unit', auth: 'none', permissions: [] } as never;
  const event = (requestId: string) =>
    ({
      version: '2.0',
      routeKey: 'GET /v1/unit',
      rawPath: '/v1/unit',
      headers: {},
      requestContext: { requestId, http: { method: 'GET', path: '/v1/unit', sourceIp: '203.0.113.9' } },
      isBase64Encoded: false,
    }) as never;
  const context = { awsRequestId: 'lambda-1', functionName: 'unit' } as never;

  it('publishes one EMF line per request: namespace, service dimension, counts', async () => {
    const handler = http(route, async () => {
      count(metricNames.logins);
      count(metricNames.mfaVerified);
      return { status: 200, body: {} };
    });
    const [line, ...others] = emf(await capture(() => handler(event('r-1'), context)));
    expect(others).toEqual([]);
    expect(line?._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'ServerlessMfa/unit',
      Dimensions: [['service']],
    });
    expect(names(line as Emf)).toEqual(['Logins', 'MfaVerified', 'Requests']);
    expect(line).toMatchObject({ service: 'serverless-mfa', Logins: 1, MfaVerified: 1, Requests: 1 });
    expect(line?._aws.CloudWatchMetrics[0]?.Metrics.every((m) => m.Unit === 'Count')).toBe(true);
  });

  it.each([
    [429, new ApiError('rate_limited', { extra: { retryAfter: 60 } }), 'Throttled'],
    [502, new ApiError('delivery_failed'), 'Http5xx'],
    [500, new Error('boom'), 'Http5xx'],
  ])('counts a %s answer', async (status, error, metric) => {
    const handler = http(route, async () => {
      throw error;
    });
    let answer: { statusCode?: number } | undefined;
    const [line] = emf(
      await capture(async () => {
        answer = await handler(event('r-2'), context);
      }),
    );
    expect(answer?.statusCode).toBe(status);
    expect(names(line as Emf)).toEqual([metric, 'Requests'].sort());
  });

  it('counts code sends per channel, as their own EMF line with the channel dimension', async () => {
    const lines = emf(
      await capture(async () => {
        await countCodeSend('sms', async () => undefined);
        await expect(
          countCodeSend('email', async () => {
            throw new ApiError('delivery_failed');
          }),
        ).rejects.toThrow(ApiError);
      }),
    );
    expect(
      lines.map((line) => [names(line), line.channel, line._aws.CloudWatchMetrics[0]?.Dimensions]),
    ).toEqual([
      [['CodesSent'], 'sms', [['service', 'channel']]],
      [['CodeDeliveryFailed'], 'email', [['service', 'channel']]],
    ]);
  });

  it('puts the request id on every line of a request, and only of that request', async () => {
    const handler = http(route, async () => {
      log.warn('inside');
      return { status: 200 };
    });
    const lines = await capture(() => handler(event('r-3'), context));
    expect(lines.find((line) => line.message === 'inside')).toMatchObject({ requestId: 'r-3' });
    const [after] = await capture(() => log.warn('outside'));
    expect(after).not.toHaveProperty('requestId');
  });

  it('is wired as the outermost layer of every handler', () => {
    expect(observe()).toHaveLength(3);
  });
});
