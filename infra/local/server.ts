import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { routeList } from '../../functions/routes.ts';
import type { Route } from '../../shared/http/route.ts';

/**
 * The API as API Gateway (HTTP API, payload v2) would call it: each request becomes a v2
 * event for the real handler module of its route table entry. CORS preflights are answered
 * here from the same settings the stack gives API Gateway, as API Gateway answers them.
 */
type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

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

function loadHandler(module: string): Promise<Handler> {
  let handler = handlers.get(module);
  if (!handler) {
    handler = import(join(functionsDir, `${module}.ts`)).then(
      (loaded: { handler: Handler }) => loaded.handler,
    );
    handlers.set(module, handler);
  }
  return handler;
}

function match(method: string, path: string) {
  for (const { route, pattern, names } of compiled) {
    if (route.method !== method) continue;
    const found = pattern.exec(path);
    if (!found) continue;
    const params = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1] ?? '')]));
    return { route, params };
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

function toEvent(
  request: IncomingMessage,
  url: URL,
  route: Route,
  params: Record<string, string>,
  body: Buffer,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = query[name] ? `${query[name]},${value}` : value;
  const text = body.toString('utf8');
  const binary = body.length > 0 && !Buffer.from(text, 'utf8').equals(body);
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
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

function send(
  response: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: string | Buffer,
) {
  response.writeHead(status, headers);
  response.end(body);
}

function corsPreflight(
  request: IncomingMessage,
  response: ServerResponse,
  allowedOrigins: string[],
): boolean {
  const origin = request.headers.origin;
  if (request.method !== 'OPTIONS' || !request.headers['access-control-request-method']) return false;
  const headers: Record<string, string> = { vary: 'Origin' };
  if (origin && allowedOrigins.includes(origin)) {
    headers['access-control-allow-origin'] = origin;
    headers['access-control-allow-methods'] = 'GET,POST,PUT,DELETE';
    headers['access-control-allow-headers'] = 'authorization,content-type';
    headers['access-control-max-age'] = '600';
  }
  send(response, 204, headers, '');
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
};

/** The demo client: static files from web/ (or its build), never outside it. */
function serveStatic(url: URL, response: ServerResponse): boolean {
  const relative = url.pathname === '/' ? 'index.html' : normalize(url.pathname).replace(/^[/\\]+/, '');
  for (const base of [join(webDir, 'dist'), webDir]) {
    const file = resolve(base, relative);
    if (!file.startsWith(`${base}/`) || !existsSync(file) || !statSync(file).isFile()) continue;
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

function notFound(response: ServerResponse) {
  send(
    response,
    404,
    { 'content-type': 'application/json; charset=utf-8' },
    JSON.stringify({ error: { code: 'not_found', message: 'Not found.' } }),
  );
}

async function handle(request: IncomingMessage, response: ServerResponse, allowedOrigins: string[]) {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (corsPreflight(request, response, allowedOrigins)) return;
  const found = match(request.method ?? 'GET', url.pathname);
  if (!found) {
    if (request.method === 'GET' && serveStatic(url, response)) return;
    return notFound(response);
  }
  const body = await readBody(request);
  if (body === 'too_large') {
    return send(
      response,
      413,
      { 'content-type': 'application/json; charset=utf-8', connection: 'close' },
      JSON.stringify({ error: { code: 'payload_too_large', message: 'The request body is too large.' } }),
    );
  }
  const handler = await loadHandler(found.route.module);
  const result = await handler(toEvent(request, url, found.route, found.params, body), context(found.route));
  const payload = result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? '');
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)]));
  send(response, result.statusCode ?? 200, headers, payload);
}

export interface ApiServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startApiServer(options: {
  port: number;
  host?: string;
  allowedOrigins: string[];
}): Promise<ApiServer> {
  const server: Server = createServer((request, response) => {
    handle(request, response, options.allowedOrigins).catch((error: unknown) => {
      // A handler never throws (middy maps errors); this is the runtime itself failing.
      console.error(
        JSON.stringify({ level: 'error', message: 'local runtime failure', error: String(error) }),
      );
      if (!response.headersSent)
        send(response, 500, { 'content-type': 'application/json' }, '{"message":"Internal Server Error"}');
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
