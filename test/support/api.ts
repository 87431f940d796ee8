import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { inject } from 'vitest';

export const runtime = () => inject('runtime');

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** A request to the local runtime over real HTTP. */
export async function call(
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; token?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${runtime().apiUrl}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

export const uniqueEmail = (tag = 'user') => `${tag}-${randomUUID()}@example.com`;
export const PASSWORD = 'correct horse battery staple';

/** Every email sent to an address, oldest first (LocalStack's `GET /_aws/ses`). */
export async function emailsTo(address: string): Promise<{ Subject: string; Body: { text_part: string } }[]> {
  const listed = (await (await fetch(`${runtime().awsUrl}/_aws/ses`)).json()) as {
    messages: { Destination: { ToAddresses?: string[] }; Subject: string; Body: { text_part: string } }[];
  };
  const wanted = address.toLowerCase();
  return listed.messages.filter((message) => message.Destination.ToAddresses?.includes(wanted));
}

/** The six-digit code of the latest email to `address` that has one. */
export async function lastEmailCode(address: string): Promise<string> {
  const all = await emailsTo(address);
  const code = all
    .reverse()
    .map((m) => /\b(\d{6})\b/.exec(m.Body.text_part)?.[1])
    .find(Boolean);
  if (!code) throw new Error(`no code emailed to ${address}`);
  return code;
}

/** `POST /v1/users`, then the emailed code to `POST /v1/users/verify`: a verified, signed-in account. */
export async function signUp(
  email = uniqueEmail(),
  password = PASSWORD,
): Promise<{ email: string; userId: string; accessToken: string; refreshToken: string }> {
  const started = await call('POST', '/v1/users', { body: { email, password } });
  if (started.status !== 202)
    throw new Error(`sign-up failed: ${started.status} ${JSON.stringify(started.body)}`);
  const verified = await call('POST', '/v1/users/verify', {
    body: { verificationId: started.body.verificationId, code: await lastEmailCode(email) },
  });
  if (verified.status !== 200 || verified.body.status !== 'authenticated')
    throw new Error(`sign-up verification failed: ${verified.status} ${JSON.stringify(verified.body)}`);
  const { sub } = JSON.parse(Buffer.from(verified.body.accessToken.split('.')[1], 'base64url').toString());
  return {
    email,
    userId: sub,
    accessToken: verified.body.accessToken,
    refreshToken: verified.body.refreshToken,
  };
}

export async function logIn(email: string, password = PASSWORD): Promise<Answer> {
  return call('POST', '/v1/sessions', { body: { email, password } });
}

/** An API Gateway HTTP API (payload v2) event, for calling a handler directly. */
export function apiEvent(
  method: string,
  path: string,
  options: { body?: string; headers?: Record<string, string>; base64?: boolean } = {},
): APIGatewayProxyEventV2 {
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'user-agent': 'vitest', ...options.headers },
    ...(options.body !== undefined ? { body: options.body } : {}),
    isBase64Encoded: options.base64 ?? false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'test',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'vitest' },
      requestId: randomUUID(),
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
  };
}

export const lambdaContext = {
  awsRequestId: 'test-request',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

export type LambdaResult = APIGatewayProxyStructuredResultV2;
