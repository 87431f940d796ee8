import type { HttpMethod } from './route.ts';

/**
 * THE CORS policy, read by the CDK stack (API Gateway answers preflights from it), the local
 * runtime (answers them the same way) and the handlers (headers on actual answers).
 * Bearer tokens travel in `authorization`, never in cookies, so credentials stay off.
 */
export const corsPolicy: {
  readonly allowHeaders: readonly string[];
  readonly allowMethods: readonly HttpMethod[];
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds: number;
} = {
  allowHeaders: ['authorization', 'content-type'],
  allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
  // Browsers hide non-safelisted response headers; clients need it on 429s.
  exposeHeaders: ['retry-after'],
  maxAgeSeconds: 3600,
};

/** Headers of an actual (non-preflight) answer to a request from `origin`. */
export function corsHeaders(
  origin: string | undefined,
  allowedOrigins: readonly string[],
): Record<string, string> {
  // Always, even for a refused or missing origin: the answer depends on Origin, and a shared
  // cache must not hand one origin's answer (with or without allow-origin) to another.
  const headers: Record<string, string> = { vary: 'Origin' };
  if (origin && allowedOrigins.includes(origin)) {
    headers['access-control-allow-origin'] = origin;
    headers['access-control-expose-headers'] = corsPolicy.exposeHeaders.join(',');
  }
  return headers;
}

/** Headers of the answer to a preflight (`OPTIONS` with `access-control-request-method`). */
export function corsPreflightHeaders(
  origin: string | undefined,
  allowedOrigins: readonly string[],
): Record<string, string> {
  const headers: Record<string, string> = { vary: 'Origin' };
  if (origin && allowedOrigins.includes(origin)) {
    headers['access-control-allow-origin'] = origin;
    headers['access-control-allow-methods'] = corsPolicy.allowMethods.join(',');
    headers['access-control-allow-headers'] = corsPolicy.allowHeaders.join(',');
    headers['access-control-max-age'] = String(corsPolicy.maxAgeSeconds);
  }
  return headers;
}
