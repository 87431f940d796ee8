import type { components } from './api-types.gen.ts';
import { type ErrorCode, FACTOR_TYPES, type FactorType, type Refreshed, type Tokens } from './types.ts';

/**
 * The HTTP client and the session. Where each credential lives, and why:
 * - the access token (and an enrollment token) only in this module's memory: script on another
 *   page cannot read it and it dies with the tab;
 * - the refresh token in sessionStorage (this tab only, gone when it closes), so a reload keeps
 *   the person signed in; it is rotated on every use and a replayed one revokes the session;
 * - "remember this device" tokens in localStorage: surviving the browser being closed is their
 *   whole purpose, and one only skips the second step together with the right password.
 */
const REFRESH_KEY = 'serverless-mfa.refreshToken';
const EMAIL_KEY = 'serverless-mfa.email';
const DEVICES_KEY = 'serverless-mfa.deviceTokens';

export interface Claims {
  sub: string;
  sid: string;
  org?: string;
  role?: 'owner' | 'admin' | 'member';
  aal: 1 | 2;
  amr: string[];
  /** `aal1`, `aal1 aal2`, or `mfa:enroll` for an enrollment token. */
  scope: string;
  /** When the session last proved a factor (or the password): step-up accepts a recent aal 2. */
  auth_time: number;
  exp: number;
}

/**
 * The `error` of an error answer (OpenAPI `Error`), or one raised here: `network` (the service
 * could not be reached), `code_not_sent` (a proof asked for before its code was sent).
 */
type ErrorBody = Omit<components['schemas']['Error']['error'], 'code'> & {
  code: ErrorCode | 'network' | 'code_not_sent';
  /** `password_too_weak`: `too_short`, `too_long`, `common` or `context`. */
  reason?: string;
};

/** An answer of the API.md error catalogue (or `network` when the service could not be reached). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorBody['code'];
  readonly body: ErrorBody;

  constructor(status: number, body: ErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code;
    this.body = body;
  }
}

interface Session {
  accessToken: string;
  claims: Claims;
  email: string;
  /** Set when an organisation was created in this session, before a new token carries `org`. */
  orgId?: string;
  /** With an enrollment token: the factor types the organisation allows. */
  allowed?: FactorType[];
}

let session: Session | undefined;
let refreshing: Promise<Renewal> | undefined;
// Server time minus this clock, from the `Date` header: countdowns follow the server's times.
let skewMs = 0;

/** The payload of a JWT, read for display and routing only: the server verifies every token. */
export function decodeClaims(token: string): Claims {
  const part = token.split('.')[1] ?? '';
  const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
  const bytes = Uint8Array.from(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')), (c) =>
    c.charCodeAt(0),
  );
  return JSON.parse(new TextDecoder().decode(bytes)) as Claims;
}

function store(key: string, value: string | undefined, storage: Storage = sessionStorage) {
  try {
    if (value === undefined) storage.removeItem(key);
    else storage.setItem(key, value);
  } catch {
    // Storage can be disabled (private mode, policies): the session then lasts until a reload.
  }
}

function read(key: string, storage: Storage = sessionStorage): string | undefined {
  try {
    return storage.getItem(key) ?? undefined;
  } catch {
    return undefined;
  }
}

/** A full session after a login: access token in memory, refresh token in sessionStorage. */
export function startSession(tokens: Pick<Tokens, 'accessToken' | 'refreshToken'>, email: string): void {
  session = { accessToken: tokens.accessToken, claims: decodeClaims(tokens.accessToken), email };
  store(REFRESH_KEY, tokens.refreshToken);
  store(EMAIL_KEY, email);
}

/** An enrollment token (`scope: "mfa:enroll"`): memory only, it lasts ten minutes. */
export function startEnrollment(enrollmentToken: string, email: string, allowed: FactorType[]): void {
  session = { accessToken: enrollmentToken, claims: decodeClaims(enrollmentToken), email, allowed };
  store(REFRESH_KEY, undefined);
}

export function endSession(): void {
  session = undefined;
  store(REFRESH_KEY, undefined);
  store(EMAIL_KEY, undefined);
}

const isAccess = (token: Claims | undefined): boolean => !!token && token.scope !== 'mfa:enroll';
export const signedIn = (): boolean => isAccess(session?.claims);
/** The enrollment an organisation requires is under way: the types it allows. */
export const enrolling = (): FactorType[] | undefined =>
  session?.claims.scope === 'mfa:enroll' ? (session.allowed ?? [...FACTOR_TYPES]) : undefined;
export const claims = (): Claims | undefined => session?.claims;
export const email = (): string => session?.email ?? '';
export const orgId = (): string | undefined => session?.orgId ?? session?.claims.org;

export function joinedOrg(id: string): void {
  if (session) session.orgId = id;
}

/** The time on the server's clock, for countdowns to `resendAvailableAt` and `expiresAt`. */
export const serverNow = (): number => Date.now() + skewMs;

function deviceTokens(): Record<string, string> {
  try {
    const parsed: unknown = JSON.parse(read(DEVICES_KEY, localStorage) ?? '{}');
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export function deviceTokenFor(address: string): string | undefined {
  return deviceTokens()[address.trim().toLowerCase()];
}

export function rememberDevice(address: string, token: string): void {
  store(
    DEVICES_KEY,
    JSON.stringify({ ...deviceTokens(), [address.trim().toLowerCase()]: token }),
    localStorage,
  );
}

/** After a password reset the server has forgotten every remembered device of the account. */
export function forgetDevice(address: string): void {
  const { [address.trim().toLowerCase()]: _forgotten, ...rest } = deviceTokens();
  store(DEVICES_KEY, JSON.stringify(rest), localStorage);
}

interface CallOptions {
  /** false: no Authorization header (login, sign-up, the MFA login steps). */
  auth?: boolean;
}

async function send(method: string, path: string, body: unknown, token: string | undefined) {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  try {
    const response = await fetch(path, {
      method,
      headers,
      credentials: 'omit',
      cache: 'no-store',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const date = Date.parse(response.headers.get('date') ?? '');
    // The header has whole seconds: only a real difference between the clocks is corrected.
    if (Number.isFinite(date)) skewMs = Math.abs(date - Date.now()) > 2000 ? date - Date.now() : 0;
    return response;
  } catch {
    throw new ApiError(0, {
      code: 'network',
      message: 'The service could not be reached. Check your connection and try again.',
    });
  }
}

async function parse<T>(response: Response): Promise<T> {
  const text = await response.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (response.ok) return data as T;
  const error = (data as { error?: ErrorBody } | undefined)?.error;
  throw new ApiError(response.status, error ?? { code: 'internal_error', message: 'Something went wrong.' });
}

/**
 * What a refresh led to: new tokens; the enrollment the organisation now requires (the
 * enrollment screens are up, see whenEnrollmentRequired); or the session is over.
 */
export type Renewal = 'authenticated' | 'enrollment' | 'ended';

/** Called when a refresh answers `mfa_enrollment_required`: the app shows forced enrollment. */
let onEnrollmentRequired: (allowed: FactorType[]) => void = () => {};
export function whenEnrollmentRequired(callback: (allowed: FactorType[]) => void): void {
  onEnrollmentRequired = callback;
}

/**
 * Rotates the refresh token once, however many requests found the access token expired. The
 * new access token carries the claims as they are now (organisation, role, aal). Also called
 * on purpose: after activating a factor (the session stands at aal 2 from then on) and after
 * joining an organisation (the `org` claim).
 */
export function refreshSession(): Promise<Renewal> {
  refreshing ??= (async (): Promise<Renewal> => {
    const refreshToken = read(REFRESH_KEY);
    if (!refreshToken) return 'ended';
    const address = session?.email ?? read(EMAIL_KEY) ?? '';
    let answer: Refreshed;
    try {
      answer = await parse<Refreshed>(
        await send('POST', '/v1/sessions/refresh', { refreshToken }, undefined),
      );
    } catch {
      endSession();
      return 'ended';
    }
    if (answer.status === 'mfa_enrollment_required') {
      // The server ended the session: only the enrollment token is left, in memory.
      startEnrollment(answer.enrollmentToken, address, answer.allowedFactorTypes);
      store(EMAIL_KEY, undefined);
      onEnrollmentRequired(answer.allowedFactorTypes);
      return 'enrollment';
    }
    const keep = session?.orgId;
    startSession(answer, address);
    if (keep && session && !session.claims.org) session.orgId = keep;
    return 'authenticated';
  })().finally(() => {
    refreshing = undefined;
  });
  return refreshing;
}

/** After a reload: a refresh token in this tab's sessionStorage gives a new access token. */
export async function restore(): Promise<Renewal> {
  if (session) return isAccess(session.claims) ? 'authenticated' : 'enrollment';
  return refreshSession();
}

/** Called when a token was refused and could not be refreshed: the app shows the sign-in. */
let onSignedOut: (message: string) => void = () => {};
export function whenSignedOut(callback: (message: string) => void): void {
  onSignedOut = callback;
}

/**
 * Signs this tab out without a refresh or a sign-in screen (the session may be over already,
 * e.g. after "This wasn't me" signed every device out): the session is revoked if it still
 * can be, and forgotten here.
 */
export async function forgetSession(): Promise<void> {
  const token = session?.accessToken;
  endSession();
  if (token) await send('DELETE', '/v1/sessions/current', undefined, token).catch(() => undefined);
}

// The session whose end was announced: calls that failed together announce it once.
let announced: Session | undefined;

/** One API call. An expired access token is refreshed once and the call repeated. */
export async function api<T = undefined>(
  method: string,
  path: string,
  body?: unknown,
  options: CallOptions = {},
): Promise<T> {
  const auth = options.auth ?? true;
  const used = auth ? session : undefined;
  const token = used?.accessToken;
  try {
    return await parse<T>(await send(method, path, body, token));
  } catch (error) {
    // Only `unauthorized` is about the token: `invalid_credentials` and `code_invalid` are 401s too.
    // No session any more: signed out here meanwhile, or another call already said it ended.
    if (!(error instanceof ApiError) || error.code !== 'unauthorized' || !used || !session) throw error;
    if (isAccess(used.claims)) {
      // Another call may have refreshed meanwhile (or be refreshing); otherwise refresh now.
      const outcome: Renewal =
        session === used ? await refreshSession() : isAccess(session.claims) ? 'authenticated' : 'enrollment';
      if (outcome === 'authenticated') return parse<T>(await send(method, path, body, session?.accessToken));
      // 'enrollment': the enrollment screens are up already.
      if (outcome === 'ended' && announced !== used) {
        announced = used;
        onSignedOut('Your session has ended. Sign in again.');
      }
      throw error;
    }
    // An enrollment token has no refresh: its ten minutes are over.
    if (session === used) {
      endSession();
      onSignedOut('The time to set up two-step verification ran out. Sign in again.');
    }
    throw error;
  }
}
