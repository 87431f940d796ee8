import { z } from 'zod';

/**
 * Every setting of the service, read once from the environment and validated, so a
 * misconfigured function fails at its first request with the variable's name instead of
 * misbehaving later. The CDK stack and the local runtime set these variables; nothing else
 * reads process.env.
 */
const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const count = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const list = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

const schema = z.object({
  TABLE_NAME: z.string().min(1),
  KMS_KEY_ID: z.string().min(1),
  TOKEN_ISSUER: z.string().min(1).default('serverless-mfa'),
  TOKEN_AUDIENCE: z.string().min(1).default('serverless-mfa'),
  CORS_ALLOWED_ORIGINS: list,
  SES_SENDER: z.string().min(3).default('no-reply@example.com'),
  SMS_ALLOWED_COUNTRIES: list,
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),

  ACCESS_TOKEN_TTL_SECONDS: seconds(15 * 60),
  // 30 days: long enough for mobile apps, bounded so a stolen token eventually dies.
  REFRESH_TOKEN_TTL_SECONDS: seconds(30 * 24 * 60 * 60),
  // OWASP: lock after a small number of consecutive failures, for a bounded time.
  PASSWORD_MAX_FAILURES: count(10),
  PASSWORD_LOCK_SECONDS: seconds(15 * 60),
  // Refresh-token digests kept per session to recognise reuse of a rotated token.
  REFRESH_REUSE_MEMORY: count(20),
});

export type Config = {
  tableName: string;
  kmsKeyId: string;
  tokenIssuer: string;
  tokenAudience: string;
  corsAllowedOrigins: string[];
  sesSender: string;
  smsAllowedCountries: string[];
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  passwordMaxFailures: number;
  passwordLockSeconds: number;
  refreshReuseMemory: number;
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
    corsAllowedOrigins: e.CORS_ALLOWED_ORIGINS,
    sesSender: e.SES_SENDER,
    smsAllowedCountries: e.SMS_ALLOWED_COUNTRIES,
    logLevel: e.LOG_LEVEL,
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
    passwordMaxFailures: e.PASSWORD_MAX_FAILURES,
    passwordLockSeconds: e.PASSWORD_LOCK_SECONDS,
    refreshReuseMemory: e.REFRESH_REUSE_MEMORY,
  };
}

let cached: Config | undefined;

/** Lazily parsed so that modules can be imported (by the CDK app, by OpenAPI) without env. */
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
