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
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
  // Browsers hide non-safelisted response headers; clients need it on 429s.
  exposeHeaders: ['retry-after'],
  maxAgeSeconds: 3600,
};

/**
 * CORS headers of an answer to a request from `origin`: an actual answer, or (`preflight`) the
 * answer to `OPTIONS` with `access-control-request-method`. `Vary: Origin` always, even for a
 * refused or missing origin: the answer depends on Origin, and a shared cache must not hand one
 * origin's answer (with or without allow-origin) to another.
 */
export function corsHeaders(
  origin: string | undefined,
  allowedOrigins: readonly string[],
  preflight = false,
): Record<string, string> {
  const headers: Record<string, string> = { vary: 'Origin' };
  if (!origin || !allowedOrigins.includes(origin)) return headers;
  headers['access-control-allow-origin'] = origin;
  if (!preflight) {
    headers['access-control-expose-headers'] = corsPolicy.exposeHeaders.join(',');
    return headers;
  }
  headers['access-control-allow-methods'] = corsPolicy.allowMethods.join(',');
  headers['access-control-allow-headers'] = corsPolicy.allowHeaders.join(',');
  headers['access-control-max-age'] = String(corsPolicy.maxAgeSeconds);
  return headers;
}
