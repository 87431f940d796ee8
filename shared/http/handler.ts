import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { type AccessClaims, authenticateBearer as authenticateBearerHeader } from '../auth/bearer.ts';
import { config } from '../config.ts';
import { findPendingLogin, type PendingLogin } from '../db/logins.ts';
import { hit } from '../db/rate.ts';
import { observe } from '../metrics.ts';
import * as z from '../zod.ts';
import { clientKey } from './client-address.ts';
import { corsHeaders } from './cors.ts';
import { ApiError } from './errors.ts';
import { bothPayloadVersions } from './event.ts';
import { securityHeaders } from './headers.ts';
import { errorFields, log } from './logger.ts';
import type { IpLimit, Route } from './route.ts';

/** API.md: bodies over 16 KiB are refused before parsing, so no handler sees a huge input. */
export const MAX_BODY_BYTES = 16 * 1024;

type Infer<S> = S extends z.core.$ZodType ? z.output<S> : undefined;

export interface HttpRequest<R extends Route> {
  body: Infer<R['body']>;
  query: Infer<R['query']>;
  params: Infer<R['params']>;
  /** The verified access-token claims on `bearer` and `enrollment` routes. */
  auth: R['auth'] extends 'bearer' | 'enrollment' ? AccessClaims : undefined;
  /** The password-verified login behind the body's `mfaToken`, on `mfaToken` routes. */
  login: R['auth'] extends 'mfaToken' ? PendingLogin : undefined;
  requestId: string;
  ip: string;
  userAgent: string;
  headers: Readonly<Record<string, string | undefined>>;
}

export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Event = APIGatewayProxyEventV2;
type Result = APIGatewayProxyStructuredResultV2;
type State = {
  body?: unknown;
  query?: unknown;
  params?: unknown;
  auth?: AccessClaims;
  login?: PendingLogin;
  started: number;
};
type Middleware = MiddlewareObj<Event, Result, Error, Context>;

// Middy hands the handler only (event, context); the middlewares' results travel by event.
const states = new WeakMap<Event, State>();
function stateOf(event: Event): State {
  let state = states.get(event);
  if (!state) {
    state = { started: Date.now() };
    states.set(event, state);
  }
  return state;
}

function header(event: Event, name: string): string | undefined {
  return event.headers?.[name] ?? undefined;
}

function toDetails(error: z.core.$ZodError): { path: string; message: string }[] {
  return error.issues.flatMap((issue) => {
    const prefix = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...prefix, key].join('.'), message: 'Unknown field.' }));
    }
    return [{ path: prefix.join('.'), message: issue.message }];
  });
}

function validate(schema: z.core.$ZodType, value: unknown, where: string): unknown {
  const parsed = z.safeParse(schema, value);
  if (parsed.success) return parsed.data;
  const details = toDetails(parsed.error).map((d) => ({ ...d, path: d.path ? `${where}.${d.path}` : where }));
  throw new ApiError('invalid_request', { extra: { details } });
}

function readBody(event: Event): unknown {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (raw.byteLength > MAX_BODY_BYTES) throw new ApiError('payload_too_large');
  // Only JSON bodies: a browser form cannot post `application/json` cross-site without a preflight.
  const type = header(event, 'content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new ApiError('invalid_request', {
      extra: { details: [{ path: 'content-type', message: 'Must be application/json.' }] },
    });
  }
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (cause) {
    throw new ApiError('invalid_json', { cause });
  }
}

const parseAndValidate = (route: Route): Middleware => ({
  before: (request) => {
    const { event } = request;
    const state = stateOf(event);
    if (route.body) state.body = validate(route.body, readBody(event), 'body');
    if (route.query) state.query = validate(route.query, event.queryStringParameters ?? {}, 'query');
    if (route.params) state.params = validate(route.params, event.pathParameters ?? {}, 'path');
  },
});

function ipWindow(group: IpLimit, ip: string) {
  const c = config();
  const [seconds, limit] = {
    signup: [3600, c.ipSignupsPerHour],
    login: [60, c.ipLoginsPerMinute],
    codeCheck: [60, c.ipCodeChecksPerMinute],
    passwordReset: [3600, c.ipPasswordResetsPerHour],
    invite: [3600, c.ipInvitesPerHour],
  }[group] as [number, number];
  return { scope: `ip-${group}`, key: clientKey(ip), seconds, limit };
}

/**
 * Per-IP limits first: a script's surplus costs one conditional write and learns nothing, not
 * even whether its token or body was good. The address is API Gateway's sourceIp (the TCP
 * peer it saw), never a header the client sets.
 */
const limitByIp = (route: Route): Middleware => ({
  before: async (request) => {
    if (!route.ipLimit) return;
    await hit(ipWindow(route.ipLimit, sourceIp(request.event)));
  },
});

const sourceIp = (event: Event) => event.requestContext?.http?.sourceIp ?? '';

/** Bearer routes authenticate before the body is even parsed: strangers learn nothing about it. */
const authenticateBearer = (route: Route): Middleware => ({
  before: async (request) => {
    if (route.auth !== 'bearer' && route.auth !== 'enrollment') return;
    const kinds = route.auth === 'bearer' ? (['access'] as const) : (['access', 'enrollment'] as const);
    stateOf(request.event).auth = await authenticateBearerHeader(
      header(request.event, 'authorization'),
      kinds,
    );
  },
});

/** MFA login routes carry their credential, the mfaToken, in the validated body. */
const authenticateLogin = (route: Route): Middleware => ({
  before: async (request) => {
    if (route.auth !== 'mfaToken') return;
    const state = stateOf(request.event);
    const body = state.body as { mfaToken: string; factorId?: string };
    // The factor the body names is read with the login, in the same round trip.
    state.login = await findPendingLogin(body.mfaToken, body.factorId ? { factorId: body.factorId } : {});
  },
});

function errorResponse(error: unknown, requestId: string): Result {
  if (error instanceof ApiError) {
    const headers: Record<string, string> = {};
    if (typeof error.extra.retryAfter === 'number') headers['retry-after'] = String(error.extra.retryAfter);
    const body = {
      code: error.code,
      message: error.message,
      ...error.extra,
      ...(error.status >= 500 ? { requestId } : {}),
    };
    return { statusCode: error.status, headers, body: JSON.stringify({ error: body }) };
  }
  // Only the request id: a 5xx body never carries internals (STYLE 3).
  return {
    statusCode: 500,
    body: JSON.stringify({ error: { code: 'internal_error', message: 'Internal error.', requestId } }),
  };
}

/** Maps errors, adds headers and writes one log line per request: the outermost layer. */
const respond = (route: Route & { name?: string }): Middleware => {
  const finish = (request: Parameters<NonNullable<Middleware['after']>>[0], error?: unknown) => {
    const requestId = request.event.requestContext?.requestId ?? request.context.awsRequestId;
    if (error !== undefined) request.response = errorResponse(error, requestId);
    const response = request.response ?? { statusCode: 500 };
    const cors = corsHeaders(header(request.event, 'origin'), config().corsAllowedOrigins);
    response.headers = { ...securityHeaders, ...cors, ...response.headers };
    const status = response.statusCode ?? 200;
    const fields = {
      requestId,
      route: `${route.method} ${route.path}`,
      status,
      durationMs: Date.now() - stateOf(request.event).started,
      ...(error instanceof ApiError ? { code: error.code } : {}),
    };
    if (status >= 500) log.error('request failed', { ...fields, ...errorFields(error) });
    else log.info('request', fields);
    request.response = response;
  };
  return {
    before: (request) => {
      states.set(request.event, { started: Date.now() });
    },
    after: (request) => finish(request),
    onError: (request) => finish(request, request.error),
  };
};

/**
 * The one middy composition every function uses: respond (errors, headers, logs) → per-IP
 * limit → bearer authentication → parse and validate → mfaToken authentication → the handler. Handlers return `{ status, body }` and throw
 * `ApiError`s; they never build responses or status codes themselves.
 */
export function http<R extends Route>(route: R, main: (request: HttpRequest<R>) => Promise<HttpResult>) {
  // API Gateway payload 1.0 (REST API) in and out; everything below reads 2.0 (shared/http/event.ts).
  const handler = middy<Event, Result, Error, Context>()
    .use(observe())
    .use(respond(route))
    .use(limitByIp(route))
    .use(authenticateBearer(route))
    .use(parseAndValidate(route))
    .use(authenticateLogin(route))
    .handler(async (event, context) => {
      const state = stateOf(event);
      const result = await main({
        body: state.body,
        query: state.query,
        params: state.params,
        auth: state.auth,
        login: state.login,
        requestId: event.requestContext?.requestId ?? context.awsRequestId,
        ip: sourceIp(event),
        userAgent: header(event, 'user-agent') ?? '',
        headers: event.headers ?? {},
      } as HttpRequest<R>);
      return {
        statusCode: result.status,
        headers: result.headers ?? {},
        body: result.body === undefined ? '' : JSON.stringify(result.body),
      };
    });
  return bothPayloadVersions(handler);
}
