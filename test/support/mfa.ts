import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import { base32Decode, totp } from '../../shared/mfa/totp.ts';
import {
  type Answer,
  apiEvent,
  call,
  emailsTo,
  type LambdaResult,
  lambdaContext,
  logIn,
  PASSWORD,
  runtime,
  signUp,
} from './api.ts';

export { emailsTo, lastEmailCode } from './api.ts';

/** The first email of every account made with `signUp()`: its sign-up code. */
export const SIGNUP_CODE_SUBJECT = 'Serverless MFA: your code to confirm your email address';

/** The latest SMS sent to a number, as LocalStack's inspection endpoint lists it. */
export async function lastSms(phoneE164: string): Promise<string> {
  const url = `${runtime().awsUrl}/_aws/sns/sms-messages?phoneNumber=${encodeURIComponent(phoneE164)}`;
  const listed = (await (await fetch(url)).json()) as { sms_messages: Record<string, { Message: string }[]> };
  const messages = listed.sms_messages[phoneE164] ?? [];
  const last = messages[messages.length - 1];
  if (!last) throw new Error(`no SMS to ${phoneE164}`);
  return last.Message;
}

export async function smsCount(phoneE164: string): Promise<number> {
  const url = `${runtime().awsUrl}/_aws/sns/sms-messages?phoneNumber=${encodeURIComponent(phoneE164)}`;
  const listed = (await (await fetch(url)).json()) as { sms_messages: Record<string, unknown[]> };
  return listed.sms_messages[phoneE164]?.length ?? 0;
}

export const codeIn = (text: string) => {
  const code = /\b(\d{6})\b/.exec(text)?.[1];
  if (!code) throw new Error(`no code in ${text}`);
  return code;
};

/**
 * A unique Dutch mobile number, so parallel tests never read each other's SMS: 06-1…5 and 06-8
 * are mobile ranges (06-6 is pagers, 06-7 unassigned, and only mobiles are accepted).
 */
export function uniquePhone(): string {
  const range = '123458'[Math.floor(Math.random() * 6)];
  return `+316${range}${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
}

/**
 * A unique British mobile number (07400–07449: mobile in libphonenumber's full metadata), for
 * tests that text many numbers: the SMS breaker counts per country, and the rest of the run
 * texts Dutch numbers.
 */
export function uniqueGbPhone(): string {
  return `+44744${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
}

/** The code an authenticator app shows for `secret` at `now` (or a step before/after). */
export function appCode(secret: string, now = new Date(), stepOffset = 0): string {
  return totp(base32Decode(secret), new Date(now.getTime() + stepOffset * 30_000));
}

/**
 * The code an authenticator app shows, `stepOffset` steps away, taken early enough in its
 * 30-second step that the server still sees the same step. A previous-step code computed in the
 * last moment of a step is two steps old when the server checks it, and refused (only the current
 * and the previous step count, RFC 6238 §5.2): with hundreds of enrollments a run, that happened.
 */
export async function appCodeNow(secret: string, stepOffset = 0): Promise<string> {
  const intoStep = (Date.now() / 1000) % 30;
  if (intoStep > 27) await new Promise((done) => setTimeout(done, (30.2 - intoStep) * 1000));
  return appCode(secret, new Date(), stepOffset);
}

export interface Account {
  email: string;
  userId: string;
  accessToken: string;
  refreshToken: string;
}

/** A verified account, signed in by its sign-up verification (aal 1, like a password login). */
export async function account(): Promise<Account> {
  return signUp();
}

/**
 * After an activation in a full session: that session proved the new factor and stands at
 * aal 2, so the client refreshes for a token that says so (and is fresh enough to add another
 * factor without a verification, as a real client right after enrolling would).
 */
async function refreshAfterActivation(user: Account): Promise<void> {
  if (!user.refreshToken) return;
  const refreshed = await call('POST', '/v1/sessions/refresh', { body: { refreshToken: user.refreshToken } });
  if (refreshed.status !== 200 || refreshed.body.status !== 'authenticated')
    throw new Error(`refresh after activation: ${refreshed.status} ${JSON.stringify(refreshed.body)}`);
  user.accessToken = refreshed.body.accessToken;
  user.refreshToken = refreshed.body.refreshToken;
}

/**
 * Enrolls and activates a TOTP factor; returns its id, secret and the recovery codes (first
 * factor). The account's tokens are refreshed afterwards (aal 2, see refreshAfterActivation).
 */
export async function enrollTotp(user: Account) {
  const created = await call('POST', '/v1/mfa/factors', {
    token: user.accessToken,
    body: { type: 'totp', password: PASSWORD },
  });
  if (created.status !== 201)
    throw new Error(`enroll totp: ${created.status} ${JSON.stringify(created.body)}`);
  // The previous step: a later login in the same 30 s window can still use the current one.
  const activated = await call('POST', `/v1/mfa/factors/${created.body.factor.id}/activate`, {
    token: user.accessToken,
    body: { code: await appCodeNow(created.body.secret, -1) },
  });
  if (activated.status !== 200)
    throw new Error(`activate totp: ${activated.status} ${JSON.stringify(activated.body)}`);
  await refreshAfterActivation(user);
  return {
    factorId: created.body.factor.id as string,
    secret: created.body.secret as string,
    recoveryCodes: activated.body.recoveryCodes as string[] | undefined,
  };
}

export async function enrollSms(user: Account, phone = uniquePhone()) {
  const created = await call('POST', '/v1/mfa/factors', {
    token: user.accessToken,
    body: { type: 'sms', password: PASSWORD, phoneNumber: phone },
  });
  if (created.status !== 201)
    throw new Error(`enroll sms: ${created.status} ${JSON.stringify(created.body)}`);
  const activated = await call('POST', `/v1/mfa/factors/${created.body.factor.id}/activate`, {
    token: user.accessToken,
    body: { code: codeIn(await lastSms(phone)), challengeId: created.body.challengeId },
  });
  if (activated.status !== 200)
    throw new Error(`activate sms: ${activated.status} ${JSON.stringify(activated.body)}`);
  await refreshAfterActivation(user);
  return {
    factorId: created.body.factor.id as string,
    phone,
    recoveryCodes: activated.body.recoveryCodes as string[] | undefined,
  };
}

/** Password step of a login for a user with MFA: the mfaToken. */
export async function mfaToken(email: string): Promise<string> {
  const login: Answer = await logIn(email);
  if (login.body.status !== 'mfa_required')
    throw new Error(`expected mfa_required, got ${JSON.stringify(login.body)}`);
  return login.body.mfaToken;
}

/** The last six-digit code SMSed to a number. */
export async function smsCode(phoneE164: string): Promise<string> {
  return codeIn(await lastSms(phoneE164));
}

/** A well-formed code that is not `code` (for a wrong guess at an SMS or email code). */
export function otherThan(...codes: string[]): string {
  for (let n = 0; ; n++) {
    const candidate = String(n * 111_111 + 123_457)
      .slice(-6)
      .padStart(6, '0');
    if (!codes.includes(candidate)) return candidate;
  }
}

/**
 * A well-formed code that an authenticator app for `secret` shows in none of the nearby steps:
 * not even in the ±10 minutes where a wrong code is answered with `clockSkewSeconds` (and one
 * step more, for a step boundary passing during the test).
 */
export function wrongAppCode(secret: string, now = new Date()): string {
  const nearby = Array.from({ length: 2 * 21 + 1 }, (_, i) => appCode(secret, now, i - 21));
  return otherThan(...nearby);
}

/**
 * The code an authenticator app with this secret shows at `at`, computed by `oathtool` (an
 * implementation independent of the service's), or by `appCode` where oathtool is not installed
 * (CI installs it; test/unit/totp.test.ts fails without it).
 */
export function oathCode(secret: string, at: Date): string {
  if (!existsSync(OATHTOOL)) return appCode(secret, at);
  const seconds = Math.floor(at.getTime() / 1000);
  return execFileSync(OATHTOOL, ['--totp=sha1', '--base32', '-N', `@${seconds}`, secret], {
    encoding: 'utf8',
  }).trim();
}
const OATHTOOL = '/usr/bin/oathtool';

/** Crockford base32, shown as XXXX-XXXX-XXXX-XXXX (DESIGN.md: at least 64 bits). */
export const RECOVERY_CODE = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/;

/** The answer bodies of API.md, whole, for `toEqual`. */
export const answers = {
  authenticated: {
    status: 'authenticated',
    accessToken: expect.any(String),
    refreshToken: expect.any(String),
    expiresIn: 900,
  },
  codeInvalid: (attemptsRemaining: unknown = expect.any(Number)) => ({
    error: { code: 'code_invalid', message: 'The code is not valid.', attemptsRemaining },
  }),
  /** A right code presented again after its use: refused, and counted as no failure. */
  alreadyUsed: {
    error: { code: 'code_invalid', message: 'This code was already used.', attemptsRemaining: 0 },
  },
  challengeExpired: {
    error: {
      code: 'challenge_expired',
      message: 'The challenge has expired, was replaced or was already used.',
    },
  },
  tooManyAttempts: {
    error: { code: 'too_many_attempts', message: 'Too many wrong codes; request a new one.', retryAfter: 1 },
  },
  locked: (retryAfter: unknown = expect.any(Number)) => ({
    error: { code: 'locked', message: 'Too many failed attempts; try again later.', retryAfter },
  }),
  mfaTokenInvalid: {
    error: { code: 'mfa_token_invalid', message: 'The MFA token is missing, expired or already used.' },
  },
  unauthorized: { error: { code: 'unauthorized', message: 'Missing, expired or invalid token.' } },
  notFound: { error: { code: 'not_found', message: 'Not found.' } },
  verificationRequired: {
    error: {
      code: 'verification_required',
      message: 'This change needs a verification with a current factor.',
    },
  },
  deliveryFailed: {
    error: {
      code: 'delivery_failed',
      message: 'The code could not be delivered; nothing was used up, try again.',
      requestId: expect.any(String),
    },
  },
};

/** `POST /v1/mfa/challenges`. */
export function challenge(token: string, factorId: string): Promise<Answer> {
  return call('POST', '/v1/mfa/challenges', { body: { mfaToken: token, factorId } });
}

/** `POST /v1/mfa/verify`. */
export function verify(body: Record<string, unknown>): Promise<Answer> {
  return call('POST', '/v1/mfa/verify', { body });
}

export interface SecurityEvent {
  id: string;
  type: string;
  at: string;
  details: Record<string, unknown>;
}

/**
 * Waits until the runtime's stream worker has handled every change written so far: the audit
 * events of a new session (`session.created`, `mfa.verified`) are derived from its record.
 */
export async function settledStreams(): Promise<void> {
  const response = await fetch(`${runtime().awsUrl}/_local/streams/settled`);
  if (response.status !== 200) throw new Error(`streams: ${response.status} ${await response.text()}`);
}

/** Every event of the caller, newest first, following `nextCursor` page by page (once derived). */
export async function allEvents(accessToken: string, limit = 100): Promise<SecurityEvent[]> {
  await settledStreams();
  const events: SecurityEvent[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await call('GET', `/v1/me/events?${query}`, { token: accessToken });
    if (page.status !== 200) throw new Error(`events: ${page.status} ${JSON.stringify(page.body)}`);
    events.push(...page.body.events);
    cursor = page.body.nextCursor;
  } while (cursor);
  return events;
}

/** The subjects of the emails an address received, oldest first. */
export async function subjectsTo(address: string): Promise<string[]> {
  return (await emailsTo(address)).map((message) => message.Subject);
}

async function failList(destinations?: string[]): Promise<string[]> {
  const response = await fetch(`${runtime().awsUrl}/_local/fail-destinations`, {
    method: destinations ? 'POST' : 'GET',
    ...(destinations ? { body: JSON.stringify({ destinations }) } : {}),
  });
  if (response.status !== 200) throw new Error(`fail-destinations: ${response.status}`);
  return ((await response.json()) as { destinations: string[] }).destinations;
}

/**
 * Makes SMS/email sends to these destinations fail (the local endpoints' test hook). The list is
 * shared by every test file of the run: only these entries are added, and removed again by
 * `deliverAgainTo`; give failing destinations unique names.
 */
export async function failDeliveriesTo(...destinations: string[]): Promise<void> {
  const current = await failList();
  await failList([...new Set([...current, ...destinations.map((d) => d.toLowerCase())])]);
}

export async function deliverAgainTo(...destinations: string[]): Promise<void> {
  const remove = new Set(destinations.map((d) => d.toLowerCase()));
  await failList((await failList()).filter((d) => !remove.has(d.toLowerCase())));
}

export const failingDestinations = () => failList();

type Handler = (event: ReturnType<typeof apiEvent>, context: typeof lambdaContext) => Promise<unknown>;

/** Calls a handler in-process (middy wrapper and all) with an API Gateway v2 event. */
export async function invoke(
  handler: Handler,
  method: string,
  path: string,
  options: { body?: unknown; pathParameters?: Record<string, string>; token?: string } = {},
): Promise<Answer> {
  const event = {
    ...apiEvent(method, path, {
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(options.token ? { headers: { authorization: `Bearer ${options.token}` } } : {}),
    }),
    ...(options.pathParameters ? { pathParameters: options.pathParameters } : {}),
  };
  const result = (await handler(event, lambdaContext)) as LambdaResult;
  const headers = new Headers(result.headers as Record<string, string> | undefined);
  const text = typeof result.body === 'string' ? result.body : '';
  return { status: result.statusCode ?? 200, headers, body: text ? JSON.parse(text) : undefined };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
