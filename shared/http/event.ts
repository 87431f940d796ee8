import type {
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyResult,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';

/**
 * The two payloads API Gateway calls a Lambda proxy integration with: 2.0 from an HTTP API
 * (`-c api=http`, the default) and 1.0 from a REST API (`-c api=rest`, LocalStack's free plan,
 * AWS WAF). Every function reads one shape, 2.0: a 1.0 event is rewritten into it on the way
 * in, and the answer goes back in the shape of the event received, so no handler knows which
 * front door called it.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
export type AnyApiEvent = APIGatewayProxyEventV2 | APIGatewayProxyEvent;

/** Both shapes take the same call; each gets the answer of its own version. */
export interface BothPayloadVersions {
  (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2>;
  (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult>;
  (event: AnyApiEvent, context: Context): Promise<APIGatewayProxyStructuredResultV2 | APIGatewayProxyResult>;
}

type V2Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** Only payload 1.0 has `httpMethod`; 2.0 has `requestContext.http.method` instead. */
export function isPayloadV1(event: AnyApiEvent): event is APIGatewayProxyEvent {
  return typeof (event as Partial<APIGatewayProxyEvent>).httpMethod === 'string';
}

/** Appends under `name`, joining repeats with `,` as the 2.0 payload does (empty values included). */
function append(into: Map<string, string>, name: string, value: string) {
  const previous = into.get(name);
  into.set(name, previous === undefined ? value : `${previous},${value}`);
}

/**
 * The multi-value map when there is one (it has every value; the single-value map only the
 * last), else the single-value one. Maps, then Object.fromEntries: a key named `__proto__`
 * stays a plain entry.
 */
function joined(
  single: Record<string, string | undefined> | null | undefined,
  multi: Record<string, string[] | undefined> | null | undefined,
  lowerCase: boolean,
): Map<string, string> {
  const into = new Map<string, string>();
  const name = (key: string) => (lowerCase ? key.toLowerCase() : key);
  if (multi && Object.keys(multi).length) {
    for (const [key, values] of Object.entries(multi)) {
      for (const value of values ?? []) append(into, name(key), value);
    }
  } else {
    for (const [key, value] of Object.entries(single ?? {})) {
      if (value !== undefined) append(into, name(key), value);
    }
  }
  return into;
}

/**
 * A 1.0 event as the 2.0 event of the same request: header names in lower case, repeated
 * headers and query keys joined with `,`, the `cookie` header moved to `cookies`. The client
 * address is only ever API Gateway's `requestContext.identity.sourceIp` (the TCP peer it saw),
 * never a header the client can set.
 */
export function toPayloadV2(event: APIGatewayProxyEvent): APIGatewayProxyEventV2 {
  const headers = joined(event.headers, event.multiValueHeaders, true);
  headers.delete('cookie');
  const cookies = cookieHeaders(event)
    .flatMap((value) => value.split(';').map((cookie) => cookie.trim()))
    .filter(Boolean);
  const query = joined(event.queryStringParameters, event.multiValueQueryStringParameters, false);
  const rawQueryString = [...joinedPairs(event)].join('&');
  const context = event.requestContext;
  const routeKey = `${event.httpMethod} ${event.resource}`;
  const epoch = context?.requestTimeEpoch ?? Date.now();
  const pathParameters = Object.fromEntries(
    Object.entries(event.pathParameters ?? {}).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
  return {
    version: '2.0',
    routeKey,
    rawPath: event.path,
    rawQueryString,
    ...(cookies.length ? { cookies } : {}),
    headers: Object.fromEntries(headers),
    ...(query.size ? { queryStringParameters: Object.fromEntries(query) } : {}),
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    ...(event.body !== null && event.body !== undefined ? { body: event.body } : {}),
    isBase64Encoded: event.isBase64Encoded ?? false,
    requestContext: {
      accountId: context?.accountId ?? '',
      apiId: context?.apiId ?? '',
      domainName: context?.domainName ?? headers.get('host') ?? '',
      domainPrefix: context?.domainPrefix ?? '',
      http: {
        method: event.httpMethod,
        path: event.path,
        protocol: context?.protocol ?? 'HTTP/1.1',
        sourceIp: context?.identity?.sourceIp ?? '',
        userAgent: context?.identity?.userAgent ?? headers.get('user-agent') ?? '',
      },
      requestId: context?.requestId ?? '',
      routeKey,
      stage: context?.stage ?? '',
      time: new Date(epoch).toUTCString(),
      timeEpoch: epoch,
    },
  };
}

/** Every `cookie` header value, before any joining (a cookie value may hold a comma). */
function cookieHeaders(event: APIGatewayProxyEvent): string[] {
  const multi = Object.entries(event.multiValueHeaders ?? {});
  const single = Object.entries(event.headers ?? {});
  const found = multi.length
    ? multi.flatMap(([name, values]) => (name.toLowerCase() === 'cookie' ? (values ?? []) : []))
    : single.flatMap(([name, value]) =>
        name.toLowerCase() === 'cookie' && value !== undefined ? [value] : [],
      );
  return found;
}

/** The query string as `key=value` pairs, re-encoded (1.0 carries the decoded values only). */
function* joinedPairs(event: APIGatewayProxyEvent): Generator<string> {
  const multi = event.multiValueQueryStringParameters;
  const entries: [string, string][] =
    multi && Object.keys(multi).length
      ? Object.entries(multi).flatMap(([k, vs]) => (vs ?? []).map((v): [string, string] => [k, v]))
      : Object.entries(event.queryStringParameters ?? {}).flatMap(([k, v]) =>
          v === undefined ? [] : [[k, v] as [string, string]],
        );
  for (const [key, value] of entries) yield `${encodeURIComponent(key)}=${encodeURIComponent(value)}`;
}

/**
 * A 2.0 answer in the 1.0 shape: `statusCode` and `body` are required there, and `cookies`
 * (which 1.0 does not know) become `set-cookie` values in `multiValueHeaders`.
 */
export function toResultV1(result: APIGatewayProxyStructuredResultV2): APIGatewayProxyResult {
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]),
  );
  return {
    statusCode: result.statusCode ?? 200,
    headers,
    ...(result.cookies?.length ? { multiValueHeaders: { 'set-cookie': result.cookies } } : {}),
    body: result.body ?? '',
    isBase64Encoded: result.isBase64Encoded ?? false,
  };
}

/** Wraps a 2.0 handler so that it takes either payload and answers each in its own version. */
export function bothPayloadVersions(handler: V2Handler): BothPayloadVersions {
  const wrapped = async (event: AnyApiEvent, context: Context) =>
    isPayloadV1(event) ? toResultV1(await handler(toPayloadV2(event), context)) : handler(event, context);
  return wrapped as BothPayloadVersions;
}
