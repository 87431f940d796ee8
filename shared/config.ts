import * as z from './zod.ts';

/**
 * Every setting of the service, read once from the environment and validated, so a
 * misconfigured function fails at its first request with the variable's name instead of
 * misbehaving later. The CDK stack and the local runtime set these variables; nothing else
 * reads process.env.
 */
// A maximum where a larger value would switch a protection off (a lockout after a billion
// failures, a code that lives a year): settings are validated at synth too, so a deployment
// cannot be configured out of its own limits.
const seconds = (fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  z._default(z.coerce.number().check(z.int(), z.positive(), z.lte(max)), fallback);
const count = (fallback: number, max = Number.MAX_SAFE_INTEGER) =>
  z._default(z.coerce.number().check(z.int(), z.positive(), z.lte(max)), fallback);
const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const list = z.pipe(
  z._default(z.string(), ''),
  z.transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  ),
);
// An unset optional setting may arrive as '' (a CDK or shell default); treat that as absent.
const optional = <T extends z.ZodMiniType>(inner: T) =>
  z.pipe(
    z.transform((value: unknown) => (value === '' ? undefined : value)),
    z.optional(inner),
  );

/** The longest "remember this device" a deployment or an organisation's policy may set. */
export const REMEMBER_DEVICE_MAX_DAYS = 90;

const schema = z.object({
  TABLE_NAME: z.string().check(z.minLength(1)),
  KMS_KEY_ID: z.string().check(z.minLength(1)),
  TOKEN_ISSUER: z._default(z.string().check(z.trim(), z.minLength(1)), 'serverless-mfa'),
  TOKEN_AUDIENCE: z._default(z.string().check(z.trim(), z.minLength(1)), 'serverless-mfa'),
  // API Gateway's HTTP API JWT authorizer checks RSA signatures only: RS256 (RSA 2048) unless a
  // deployment chooses ES256. A change is a key rotation: the new key is published first.
  TOKEN_SIGNING_ALG: z._default(z.enum(['RS256', 'ES256']), 'RS256'),
  // The EventBridge bus security events are put on (the stack creates it); unset: not published.
  EVENT_BUS_NAME: optional(z.string().check(z.regex(/^[A-Za-z0-9._\-/]{1,256}$/, 'an EventBridge bus name'))),
  CORS_ALLOWED_ORIGINS: list,
  SES_SENDER: z._default(z.string().check(z.minLength(3)), 'no-reply@example.com'),
  SMS_ALLOWED_COUNTRIES: list,
  LOG_LEVEL: z._default(z.enum(['debug', 'info', 'warn', 'error']), 'info'),

  ACCESS_TOKEN_TTL_SECONDS: seconds(15 * 60, HOUR),
  // 30 days: long enough for mobile apps, bounded so a stolen token eventually dies.
  REFRESH_TOKEN_TTL_SECONDS: seconds(30 * 24 * 60 * 60, 90 * DAY),
  // OWASP: lock after a small number of consecutive failures, for a bounded time.
  PASSWORD_MAX_FAILURES: count(10, 100),
  PASSWORD_LOCK_SECONDS: seconds(15 * 60),
  // Refresh-token digests kept per session to recognise reuse of a rotated token.
  REFRESH_REUSE_MEMORY: count(20),

  // NIST SP 800-63B-4 §3.1.3.2 allows out-of-band codes at most 10 minutes; 5 is plenty for SMS.
  CODE_TTL_SECONDS: seconds(5 * 60, 10 * MINUTE),
  CODE_MAX_ATTEMPTS: count(5, 10),
  RESEND_COOLDOWN_SECONDS: seconds(30),
  SENDS_PER_FACTOR_PER_HOUR: count(5),
  SENDS_PER_DESTINATION_PER_DAY: count(10),
  SENDS_PER_USER_PER_DAY: count(30),
  // 63B-4 §3.2.2: consecutive failures across every factor of the user; at most 100 allowed.
  MFA_MAX_FAILURES: count(10, 100),
  MFA_LOCK_SECONDS: seconds(15 * 60),
  MAX_ACTIVE_FACTORS: count(5),
  PENDING_FACTOR_TTL_SECONDS: seconds(15 * 60),
  MFA_TOKEN_TTL_SECONDS: seconds(10 * 60, HOUR),
  REMEMBER_DEVICE_DAYS: z._default(
    z.coerce.number().check(z.int(), z.gte(0), z.lte(REMEMBER_DEVICE_MAX_DAYS)),
    30,
  ),
  RECOVERY_CODE_COUNT: count(10),
  EVENT_TTL_DAYS: count(400),

  // Sign-up and password-reset codes go by email and are typed from another app: 15 minutes.
  ACCOUNT_CODE_TTL_SECONDS: seconds(15 * 60, HOUR),
  // An unconfirmed sign-up owns nothing and is gone after a day (the next sign-up replaces it sooner).
  UNVERIFIED_ACCOUNT_TTL_SECONDS: seconds(24 * 60 * 60),
  // Sign-up emails and password-reset emails each, per address: the same cap whether or not the
  // address has an account, so hitting it tells nobody anything. 5 × 5 wrong codes bound guessing.
  ACCOUNT_EMAILS_PER_ADDRESS_PER_DAY: count(5),
  INVITATION_TTL_DAYS: count(7),
  // Anyone can create an organisation: invitations are capped per organisation, per inviting
  // admin and per invited address, so an organisation cannot be used to mail strangers at will.
  INVITES_PER_ORG_PER_DAY: count(200),
  INVITES_PER_ADMIN_PER_HOUR: count(20),
  INVITES_PER_ADDRESS_PER_DAY: count(5),
  // SMS pumping and spend exhaustion: code sends from one client address, and a circuit
  // breaker for the whole deployment (an SNS spend limit reached stops every login by SMS).
  CODE_SENDS_PER_IP_PER_HOUR: count(30),
  NEW_PHONE_NUMBERS_PER_USER_PER_DAY: count(5),
  SMS_PER_HOUR: count(1000),
  SMS_PER_DAY: count(10_000),
  SMS_PER_COUNTRY_PER_HOUR: count(200),
  // Per client address (API Gateway's sourceIp), per route group: generous for shared NATs,
  // low enough to slow scripted sign-ups, credential stuffing and code guessing.
  // At most 10 000 a minute (WAF rules at twice these stay far below WAF's own maximum).
  IP_SIGNUPS_PER_HOUR: count(30, 60 * 10_000),
  IP_LOGINS_PER_MINUTE: count(60, 10_000),
  IP_CODE_CHECKS_PER_MINUTE: count(60, 10_000),
  IP_PASSWORD_RESETS_PER_HOUR: count(30, 60 * 10_000),
  IP_INVITES_PER_HOUR: count(100, 60 * 10_000),
  // An admin's MFA resets of one member: each is done and logged, only the first few are emailed.
  RESET_NOTICES_PER_MEMBER_PER_DAY: count(3),

  // Changing a means of authentication with an MFA session instead of a fresh proof: only a
  // recent one (the user just proved a factor), else `verification` is required.
  STEP_UP_MAX_AGE_SECONDS: seconds(10 * 60, HOUR),
  // NIST SP 800-63B-4 §2.2.3: an AAL2 session re-authenticates after 24 h, and after 1 h idle.
  AAL2_MAX_AGE_SECONDS: seconds(24 * 60 * 60, DAY),
  AAL2_IDLE_SECONDS: seconds(60 * 60, HOUR),
  // Where the "This wasn't me" link of security emails lands (the web client); unset: no link.
  APP_URL: optional(z.url({ protocol: /^https?$/ })),
  SECURITY_REPORT_TTL_DAYS: count(7),

  // Named in every SMS and email. Short and GSM-7 (3GPP TS 23.038) so the SMS stays one 160-char segment.
  SERVICE_NAME: z._default(
    z.string().check(z.regex(/^[A-Za-z0-9 .&'-]{1,30}$/, "at most 30 letters, digits, spaces or . & ' -")),
    'Serverless MFA',
  ),
  // AWS SNS alphanumeric sender ID: 1-11 letters/digits, at least one letter; only some countries honour it.
  SMS_SENDER_ID: optional(
    z.string().check(z.regex(/^(?=.*[A-Za-z])[A-Za-z0-9]{1,11}$/, '1-11 letters or digits')),
  ),
  // Linked from security emails as the place to report "this wasn't me"; http(s) only.
  SUPPORT_URL: optional(z.url({ protocol: /^https?$/ })),
});

/** The names of every setting (the README documents each one; a unit test holds it to that). */
export const settingNames = Object.keys(schema.shape);

/**
 * The schema itself, for the CDK app: it validates the `settings` context at synth with exactly
 * the rules the functions apply at their first request.
 */
export const settingsSchema = schema;

export type Config = {
  tableName: string;
  kmsKeyId: string;
  tokenIssuer: string;
  tokenAudience: string;
  tokenSigningAlg: 'RS256' | 'ES256';
  eventBusName: string | undefined;
  corsAllowedOrigins: string[];
  sesSender: string;
  smsAllowedCountries: string[];
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  passwordMaxFailures: number;
  passwordLockSeconds: number;
  refreshReuseMemory: number;
  codeTtlSeconds: number;
  codeMaxAttempts: number;
  resendCooldownSeconds: number;
  sendsPerFactorPerHour: number;
  sendsPerDestinationPerDay: number;
  sendsPerUserPerDay: number;
  mfaMaxFailures: number;
  mfaLockSeconds: number;
  maxActiveFactors: number;
  pendingFactorTtlSeconds: number;
  mfaTokenTtlSeconds: number;
  rememberDeviceDays: number;
  recoveryCodeCount: number;
  eventTtlDays: number;
  accountCodeTtlSeconds: number;
  unverifiedAccountTtlSeconds: number;
  accountEmailsPerAddressPerDay: number;
  invitationTtlDays: number;
  invitesPerOrgPerDay: number;
  invitesPerAdminPerHour: number;
  invitesPerAddressPerDay: number;
  resetNoticesPerMemberPerDay: number;
  codeSendsPerIpPerHour: number;
  newPhoneNumbersPerUserPerDay: number;
  smsPerHour: number;
  smsPerDay: number;
  smsPerCountryPerHour: number;
  ipSignupsPerHour: number;
  ipLoginsPerMinute: number;
  ipCodeChecksPerMinute: number;
  ipPasswordResetsPerHour: number;
  ipInvitesPerHour: number;
  stepUpMaxAgeSeconds: number;
  aal2MaxAgeSeconds: number;
  aal2IdleSeconds: number;
  appUrl: string | undefined;
  securityReportTtlDays: number;
  serviceName: string;
  smsSenderId: string | undefined;
  supportUrl: string | undefined;
};

export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  return {
    tableName: e.TABLE_NAME,
    kmsKeyId: e.KMS_KEY_ID,
    tokenIssuer: e.TOKEN_ISSUER,
    tokenAudience: e.TOKEN_AUDIENCE,
    tokenSigningAlg: e.TOKEN_SIGNING_ALG,
    eventBusName: e.EVENT_BUS_NAME,
    corsAllowedOrigins: e.CORS_ALLOWED_ORIGINS,
    sesSender: e.SES_SENDER,
    smsAllowedCountries: e.SMS_ALLOWED_COUNTRIES,
    logLevel: e.LOG_LEVEL,
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
    passwordMaxFailures: e.PASSWORD_MAX_FAILURES,
    passwordLockSeconds: e.PASSWORD_LOCK_SECONDS,
    refreshReuseMemory: e.REFRESH_REUSE_MEMORY,
    codeTtlSeconds: e.CODE_TTL_SECONDS,
    codeMaxAttempts: e.CODE_MAX_ATTEMPTS,
    resendCooldownSeconds: e.RESEND_COOLDOWN_SECONDS,
    sendsPerFactorPerHour: e.SENDS_PER_FACTOR_PER_HOUR,
    sendsPerDestinationPerDay: e.SENDS_PER_DESTINATION_PER_DAY,
    sendsPerUserPerDay: e.SENDS_PER_USER_PER_DAY,
    mfaMaxFailures: e.MFA_MAX_FAILURES,
    mfaLockSeconds: e.MFA_LOCK_SECONDS,
    maxActiveFactors: e.MAX_ACTIVE_FACTORS,
    pendingFactorTtlSeconds: e.PENDING_FACTOR_TTL_SECONDS,
    mfaTokenTtlSeconds: e.MFA_TOKEN_TTL_SECONDS,
    rememberDeviceDays: e.REMEMBER_DEVICE_DAYS,
    recoveryCodeCount: e.RECOVERY_CODE_COUNT,
    eventTtlDays: e.EVENT_TTL_DAYS,
    accountCodeTtlSeconds: e.ACCOUNT_CODE_TTL_SECONDS,
    unverifiedAccountTtlSeconds: e.UNVERIFIED_ACCOUNT_TTL_SECONDS,
    accountEmailsPerAddressPerDay: e.ACCOUNT_EMAILS_PER_ADDRESS_PER_DAY,
    invitationTtlDays: e.INVITATION_TTL_DAYS,
    invitesPerOrgPerDay: e.INVITES_PER_ORG_PER_DAY,
    invitesPerAdminPerHour: e.INVITES_PER_ADMIN_PER_HOUR,
    invitesPerAddressPerDay: e.INVITES_PER_ADDRESS_PER_DAY,
    resetNoticesPerMemberPerDay: e.RESET_NOTICES_PER_MEMBER_PER_DAY,
    codeSendsPerIpPerHour: e.CODE_SENDS_PER_IP_PER_HOUR,
    newPhoneNumbersPerUserPerDay: e.NEW_PHONE_NUMBERS_PER_USER_PER_DAY,
    smsPerHour: e.SMS_PER_HOUR,
    smsPerDay: e.SMS_PER_DAY,
    smsPerCountryPerHour: e.SMS_PER_COUNTRY_PER_HOUR,
    ipSignupsPerHour: e.IP_SIGNUPS_PER_HOUR,
    ipLoginsPerMinute: e.IP_LOGINS_PER_MINUTE,
    ipCodeChecksPerMinute: e.IP_CODE_CHECKS_PER_MINUTE,
    ipPasswordResetsPerHour: e.IP_PASSWORD_RESETS_PER_HOUR,
    ipInvitesPerHour: e.IP_INVITES_PER_HOUR,
    stepUpMaxAgeSeconds: e.STEP_UP_MAX_AGE_SECONDS,
    aal2MaxAgeSeconds: e.AAL2_MAX_AGE_SECONDS,
    aal2IdleSeconds: e.AAL2_IDLE_SECONDS,
    appUrl: e.APP_URL?.replace(/\/+$/, ''),
    securityReportTtlDays: e.SECURITY_REPORT_TTL_DAYS,
    serviceName: e.SERVICE_NAME,
    smsSenderId: e.SMS_SENDER_ID,
    supportUrl: e.SUPPORT_URL,
  };
}

let cached: Config | undefined;

/** Lazily parsed so that modules can be imported (by the CDK app, by OpenAPI) without env. */
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
