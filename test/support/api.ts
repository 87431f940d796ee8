import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { inject } from 'vitest';

export const runtime = () => inject('runtime');

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/**
 * A loopback address of its own for a request: the whole 127.0.0.0/8 is this machine, so each
 * test client looks like another client to the per-IP limits, which stay as configured (the
 * tests that are about them pick their addresses with `from`).
 */
export function someClientAddress(): string {
  const byte = () => 1 + Math.floor(Math.random() * 254);
  return `127.${byte()}.${byte()}.${byte()}`;
}

/** A request to the local runtime over real HTTP, from `from` (default: a fresh loopback address). */
export function call(
  method: string,
  path: string,
  options: {
    body?: unknown;
    rawBody?: string;
    token?: string;
    headers?: Record<string, string>;
    from?: string;
  } = {},
): Promise<Answer> {
  // fetch() sent one; the session and event records keep it, so the tests still see one.
  const headers: Record<string, string> = { 'user-agent': 'vitest', ...options.headers };
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const url = new URL(`${runtime().apiUrl}${path}`);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method,
        // Explicit: Node sends a DELETE body without a length, and then no body at all.
        headers: {
          ...headers,
          host: url.host,
          ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
        },
        localAddress: options.from ?? someClientAddress(),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const answerHeaders = new Headers();
          for (const [name, value] of Object.entries(response.headers)) {
            for (const one of [value ?? []].flat()) answerHeaders.append(name, one);
          }
          // A body that is not JSON (a proxy's error page) fails this call, not the whole test run.
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            reject(new Error(`not JSON (${response.statusCode}): ${text.slice(0, 200)}`));
            return;
          }
          resolve({ status: response.statusCode ?? 0, headers: answerHeaders, body: parsed });
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
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

/** Every email to `address`, as subject and text, oldest first. */
export async function emailTexts(address: string): Promise<string[]> {
  return (await emailsTo(address)).map((message) => `${message.Subject}\n${message.Body.text_part}`);
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
      // A client of its own per event (TEST-NET-3 addresses), as `call` does on loopback.
      http: {
        method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp: `203.0.113.${1 + Math.floor(Math.random() * 254)}`,
        userAgent: 'vitest',
      },
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
