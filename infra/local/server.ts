import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import type {
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyResult,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import { routeList } from '../../functions/routes.ts';
import { corsHeaders } from '../../shared/http/cors.ts';
import { type ErrorCode, errorCatalogue } from '../../shared/http/errors.ts';
import { securityHeaders } from '../../shared/http/headers.ts';
import type { Route } from '../../shared/http/route.ts';
import { bundledHandlers } from './bundles.ts';

/**
 * The API as API Gateway would call it: each request becomes an event for the real handler
 * module of its route table entry, in the payload of the front door chosen (`http`: HTTP API,
 * payload 2.0; `rest`: REST API Lambda proxy, payload 1.0), and the handler's answer is read
 * in that payload's shape. CORS preflights are answered here from the same policy the stack
 * gives API Gateway (shared/http/cors.ts), as API Gateway answers them.
 */
export type ApiKind = 'http' | 'rest';

/** A function's exported `handler`, as the source module or the synthesized bundle exports it. */
export type Handler = {
  (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2>;
  (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult>;
};
export type HandlerLoader = (route: Route & { name: string }) => Promise<Handler>;

// API Gateway's own payload limit is 10 MB; the handlers refuse anything over 16 KiB.
const MAX_READ_BYTES = 1024 * 1024;
const functionsDir = resolve(import.meta.dirname, '../../functions');
const webDir = resolve(import.meta.dirname, '../../web');

interface Compiled {
  route: Route & { name: string };
  pattern: RegExp;
  names: string[];
}

const compiled: Compiled[] = routeList.map((route) => {
  const names: string[] = [];
  const source = route.path.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, (_, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { route, pattern: new RegExp(`^${source}$`), names };
});

const handlers = new Map<string, Promise<Handler>>();

/** The source modules under functions/, imported once each. */
export const sourceHandlers: HandlerLoader = ({ module }) => {
  let handler = handlers.get(module);
  if (!handler) {
    handler = import(join(functionsDir, `${module}.ts`)).then(
      (loaded: { handler: Handler }) => loaded.handler,
    );
    handlers.set(module, handler);
  }
  return handler;
};

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function match(method: string, path: string) {
  for (const { route, pattern, names } of compiled) {
    if (route.method !== method) continue;
    const found = pattern.exec(path);
    if (!found) continue;
    const values = names.map((_, i) => decode(found[i + 1] ?? ''));
    // A malformed escape (`%E0%A4%A`) names no resource: the caller gets a 404, not a crash.
    if (values.some((value) => value === undefined)) return undefined;
    return { route, params: Object.fromEntries(names.map((name, i) => [name, values[i] as string])) };
  }
  return undefined;
}

async function readBody(request: IncomingMessage): Promise<Buffer | 'too_large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_READ_BYTES) return 'too_large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The parts of a request the event is built from (an `IncomingMessage` has them). */
export type RequestLike = Pick<IncomingMessage, 'headersDistinct' | 'httpVersion'> & {
  socket: { remoteAddress?: string | undefined };
};

/** Appends under `name`, joining repeats with `,` as API Gateway does (empty values included). */
function append(into: Map<string, string>, name: string, value: string) {
  const previous = into.get(name);
  into.set(name, previous === undefined ? value : `${previous},${value}`);
}

/**
 * The payload v2 event API Gateway builds: repeated headers and query keys joined with `,`,
 * and the `cookie` header moved to `cookies`, one entry per cookie.
 */
export function toEvent(
  request: RequestLike,
  url: URL,
  route: Route,
  params: Record<string, string>,
  body: Buffer,
): APIGatewayProxyEventV2 {
  // Maps, then Object.fromEntries: a header or key named `__proto__` stays a plain entry.
  const headerMap = new Map<string, string>();
  const cookies: string[] = [];
  for (const [name, values] of Object.entries(request.headersDistinct)) {
    if (values === undefined) continue;
    if (name.toLowerCase() === 'cookie') {
      cookies.push(
        ...values.flatMap((value) => value.split(';').map((cookie) => cookie.trim())).filter(Boolean),
      );
      continue;
    }
    for (const value of values) append(headerMap, name.toLowerCase(), value);
  }
  const headers = Object.fromEntries(headerMap);
  const queryMap = new Map<string, string>();
  for (const [name, value] of url.searchParams) append(queryMap, name, value);
  const query = Object.fromEntries(queryMap);
  const text = body.toString('utf8');
  const binary = body.length > 0 && !Buffer.from(text, 'utf8').equals(body);
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(params).length ? { pathParameters: params } : {}),
    ...(body.length ? { body: binary ? body.toString('base64') : text } : {}),
    isBase64Encoded: binary,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: route.method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}

/**
 * The payload 1.0 event a REST API Lambda proxy integration builds: header names as sent, the
 * last value of each in `headers` and all of them in `multiValueHeaders` (query keys alike),
 * the client address in `requestContext.identity.sourceIp`, `resource` the route's path.
 */
export function toRestEvent(
  request: RequestLike,
  url: URL,
  route: Route,
  params: Record<string, string>,
  body: Buffer,
): APIGatewayProxyEvent {
  const multiHeaders = new Map<string, string[]>();
  for (const [name, values] of Object.entries(request.headersDistinct)) {
    if (values !== undefined) multiHeaders.set(name, [...(multiHeaders.get(name) ?? []), ...values]);
  }
  const multiQuery = new Map<string, string[]>();
  for (const [name, value] of url.searchParams)
    multiQuery.set(name, [...(multiQuery.get(name) ?? []), value]);
  const last = (map: Map<string, string[]>) =>
    Object.fromEntries([...map].map(([name, values]) => [name, values.at(-1) as string]));
  const text = body.toString('utf8');
  const binary = body.length > 0 && !Buffer.from(text, 'utf8').equals(body);
  const headers = last(multiHeaders);
  const now = new Date();
  const sourceIp = request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1';
  return {
    resource: route.path,
    path: url.pathname,
    httpMethod: route.method,
    headers,
    multiValueHeaders: Object.fromEntries(multiHeaders),
    queryStringParameters: multiQuery.size ? last(multiQuery) : null,
    multiValueQueryStringParameters: multiQuery.size ? Object.fromEntries(multiQuery) : null,
    pathParameters: Object.keys(params).length ? params : null,
    stageVariables: null,
    body: body.length ? (binary ? body.toString('base64') : text) : null,
    isBase64Encoded: binary,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      extendedRequestId: randomUUID(),
      httpMethod: route.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp,
        user: null,
        userAgent: headers['user-agent'] ?? null,
        userArn: null,
      },
      path: `/local${url.pathname}`,
      protocol: `HTTP/${request.httpVersion}`,
      requestId: randomUUID(),
      requestTime: now.toUTCString(),
      requestTimeEpoch: now.getTime(),
      resourceId: 'local',
      resourcePath: route.path,
      stage: 'local',
    },
  };
}

function context(route: Route & { name: string }): Context {
  const deadline = Date.now() + 29_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `local-${route.name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:local-${route.name}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/local-${route.name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

type OutgoingHeaders = Record<string, string | string[]>;

function send(response: ServerResponse, status: number, headers: OutgoingHeaders, body: string | Buffer) {
  response.writeHead(status, headers);
  response.end(body);
}

/** What API Gateway writes for a handler's result: `cookies` become `set-cookie` headers. */
export function fromResult(result: APIGatewayProxyStructuredResultV2): {
  status: number;
  headers: OutgoingHeaders;
  body: string | Buffer;
} {
  const headers: OutgoingHeaders = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
  );
  if (result.cookies?.length) {
    const own = headers['set-cookie'];
    headers['set-cookie'] = [...(own === undefined ? [] : [own].flat()), ...result.cookies];
  }
  const body = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? '');
  return { status: result.statusCode ?? 200, headers, body };
}

/**
 * What a REST API writes for a payload 1.0 result: `multiValueHeaders` and `headers` merged,
 * the multi-value ones first. `statusCode` is required there: without it API Gateway answers
 * 502, and so does this.
 */
export function fromRestResult(result: APIGatewayProxyResult): {
  status: number;
  headers: OutgoingHeaders;
  body: string | Buffer;
} {
  const headers: OutgoingHeaders = {};
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    headers[name.toLowerCase()] = values.map(String);
  }
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    const key = name.toLowerCase();
    const own = headers[key];
    headers[key] = own === undefined ? String(value) : [...[own].flat(), String(value)];
  }
  if (typeof result.statusCode !== 'number') {
    return { status: 502, headers: { ...securityHeaders }, body: '{"message": "Internal server error"}' };
  }
  const body = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? '');
  return { status: result.statusCode, headers, body };
}

function corsPreflight(
  request: IncomingMessage,
  response: ServerResponse,
  allowedOrigins: readonly string[],
): boolean {
  if (request.method !== 'OPTIONS' || !request.headers['access-control-request-method']) return false;
  send(response, 204, corsHeaders(request.headers.origin, allowedOrigins, true), '');
  return true;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
};

// What a browser loads; never the client's TypeScript sources, build script or tsconfig.
const servable = new Set(['.html', '.css', '.js', '.svg', '.png', '.ico', '.map']);

/** The demo client: static files from web/ (or its build), never outside it. */
function serveStatic(url: URL, response: ServerResponse): boolean {
  const relative = url.pathname === '/' ? 'index.html' : normalize(url.pathname).replace(/^[/\\]+/, '');
  for (const base of [join(webDir, 'dist'), webDir]) {
    const file = resolve(base, relative);
    if (!file.startsWith(`${base}/`) || !servable.has(extname(file))) continue;
    if (!existsSync(file) || !statSync(file).isFile()) continue;
    send(
      response,
      200,
      {
        'content-type': contentTypes[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
        'content-security-policy':
          "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
      },
      readFileSync(file),
    );
    return true;
  }
  return false;
}

/**
 * The runtime's own answers (API Gateway's, in AWS), in the catalogue's shape and with the
 * headers a handler's answer has, so clients and browsers treat them alike.
 */
function runtimeError(
  request: IncomingMessage,
  response: ServerResponse,
  allowedOrigins: readonly string[],
  code: Extract<ErrorCode, 'not_found' | 'payload_too_large'>,
  extraHeaders: Record<string, string> = {},
) {
  const { status, message } = errorCatalogue[code];
  send(
    response,
    status,
    { ...securityHeaders, ...corsHeaders(request.headers.origin, allowedOrigins), ...extraHeaders },
    JSON.stringify({ error: { code, message } }),
  );
}

interface ServeOptions {
  allowedOrigins: readonly string[];
  api: ApiKind;
  load: HandlerLoader;
  awsUrl: string | undefined;
}

/**
 * `GET /_local/events` on the API's port too: what the local AWS endpoints captured on the
 * EventBridge bus, so `curl localhost:3000/_local/events` shows the security events of a flow
 * just clicked through. Not a route: API Gateway has no such path, and the handlers never see it.
 */
async function localEvents(url: URL, response: ServerResponse, awsUrl: string): Promise<void> {
  const answer = await fetch(`${awsUrl}/_local/events${url.search}`);
  send(
    response,
    answer.status,
    { 'content-type': answer.headers.get('content-type') ?? 'application/json', 'cache-control': 'no-store' },
    Buffer.from(await answer.arrayBuffer()),
  );
}

async function handle(request: IncomingMessage, response: ServerResponse, options: ServeOptions) {
  const { allowedOrigins } = options;
  if (corsPreflight(request, response, allowedOrigins)) return;
  const url = URL.parse(request.url ?? '/', 'http://localhost');
  if (
    url &&
    options.awsUrl &&
    request.method === 'GET' &&
    url.pathname.replace(/\/+$/, '') === '/_local/events'
  ) {
    return localEvents(url, response, options.awsUrl);
  }
  const found = url && match(request.method ?? 'GET', url.pathname);
  if (!url || !found) {
    if (url && request.method === 'GET' && serveStatic(url, response)) return;
    return runtimeError(request, response, allowedOrigins, 'not_found');
  }
  const body = await readBody(request);
  if (body === 'too_large') {
    // The rest of the body is never read: closing is cheaper than draining up to 10 MB.
    return runtimeError(request, response, allowedOrigins, 'payload_too_large', { connection: 'close' });
  }
  const handler = await options.load(found.route);
  const answer =
    options.api === 'rest'
      ? fromRestResult(
          await handler(toRestEvent(request, url, found.route, found.params, body), context(found.route)),
        )
      : fromResult(
          await handler(toEvent(request, url, found.route, found.params, body), context(found.route)),
        );
  send(response, answer.status, answer.headers, answer.body);
}

export interface ApiServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startApiServer(options: {
  port: number;
  host?: string;
  allowedOrigins: readonly string[];
  /** The payload the handlers are called with; `http` (2.0) unless said. */
  api?: ApiKind;
  /** A `cdk.out` folder: serve its synthesized bundles instead of the source modules. */
  bundles?: string;
  /** The local AWS endpoints: `GET /_local/events` is answered from there. */
  awsUrl?: string;
}): Promise<ApiServer> {
  const serve: ServeOptions = {
    allowedOrigins: options.allowedOrigins,
    api: options.api ?? 'http',
    load: options.bundles ? bundledHandlers(options.bundles) : sourceHandlers,
    awsUrl: options.awsUrl,
  };
  const server: Server = createServer((request, response) => {
    handle(request, response, serve).catch((error: unknown) => {
      // A handler never throws (middy maps errors); this is the runtime itself failing.
      console.error(
        JSON.stringify({ level: 'error', message: 'local runtime failure', error: String(error) }),
      );
      if (!response.headersSent)
        send(response, 500, { ...securityHeaders }, '{"message":"Internal Server Error"}');
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host ?? '127.0.0.1', () => done());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://localhost:${port}`,
    port,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
