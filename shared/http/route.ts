import type * as z from '../zod.ts';
import type { ErrorCode } from './errors.ts';

/**
 * How a route authenticates its caller:
 * - `none`: public;
 * - `bearer`: an access token (`scope` `aal1` or `aal1 aal2`);
 * - `enrollment`: an access token or an enrollment token (`scope: "mfa:enroll"`, its own `aud`);
 * - `mfaToken`: the opaque single-login token in the body (MFA login endpoints).
 */
export type AuthKind = 'none' | 'bearer' | 'enrollment' | 'mfaToken';

/** AWS capabilities a function may be granted; the CDK stack maps each to least-privilege IAM. */
export type Permission =
  | 'table:read'
  | 'table:write'
  /** New items only (PutItem), nothing read, changed or deleted: the stream worker's audit events. */
  | 'table:put'
  | 'kms:decrypt'
  | 'kms:generateDataKey'
  | 'sns:publish'
  | 'ses:send'
  | 'events:put';

/**
 * Per-IP request limits (DESIGN "Limits"): the route group a route's requests are counted in,
 * per client address, before anything else runs. Set on the public routes an attacker scripts:
 * sign-up, login, code checks, password reset and invitations.
 */
export type IpLimit = 'signup' | 'login' | 'codeCheck' | 'passwordReset' | 'invite';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ResponseSpec {
  description: string;
  schema?: z.core.$ZodType;
}

export interface Route {
  method: HttpMethod;
  /** API Gateway path template, e.g. `/v1/mfa/factors/{factorId}`. */
  path: string;
  /** Handler module below `functions/`, without extension; it exports `handler`. */
  module: string;
  auth: AuthKind;
  permissions: readonly Permission[];
  summary: string;
  body?: z.core.$ZodType;
  query?: z.core.$ZodType;
  params?: z.core.$ZodType;
  responses: Readonly<Record<number, ResponseSpec>>;
  ipLimit?: IpLimit;
  /**
   * API Gateway's own limit for this route (requests per second and burst, for every client
   * together), below the stage's: the routes that send email or SMS, or check a password or a
   * code, cannot take the whole stage's capacity in a flood. Overridden per deployment with
   * `routeThrottles`. The per-IP limits (`ipLimit`) still apply to each client.
   */
  throttle?: { rateLimit: number; burstLimit: number };
  /** Error codes of API.md this route can answer with, for the OpenAPI document. */
  errors?: readonly ErrorCode[];
}
