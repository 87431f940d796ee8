/**
 * Structured JSON logs, one object per line (CloudWatch Logs Insights reads the fields).
 * Callers pass ids and outcomes, never request bodies, tokens, codes or passwords: nothing
 * here inspects values, so the rule is kept at the call sites, which are few.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function threshold(): number {
  const level = process.env.LOG_LEVEL as Level | undefined;
  return order[level ?? 'info'] ?? order.info;
}

function write(level: Level, message: string, fields: Record<string, unknown>): void {
  if (order[level] < threshold()) return;
  const line = JSON.stringify({ level, message, time: new Date().toISOString(), ...fields });
  if (level === 'error' || level === 'warn') console.error(line);
  else console.log(line);
}

export const log = {
  debug: (message: string, fields: Record<string, unknown> = {}) => write('debug', message, fields),
  info: (message: string, fields: Record<string, unknown> = {}) => write('info', message, fields),
  warn: (message: string, fields: Record<string, unknown> = {}) => write('warn', message, fields),
  error: (message: string, fields: Record<string, unknown> = {}) => write('error', message, fields),
};

/** An error as safe log fields: name, message and stack, never the properties an SDK attaches. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    return { errorName: error.name, errorMessage: error.message, stack: error.stack };
  }
  return { errorName: typeof error };
}

/**
 * An AWS SDK failure as log fields: its name, HTTP status and attempts. Not its message, which
 * for SNS and SES quotes the phone number or address it failed on.
 */
export function sdkErrorFields(error: unknown): Record<string, unknown> {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number; attempts?: number } };
  return {
    errorName: e?.name,
    httpStatusCode: e?.$metadata?.httpStatusCode,
    attempts: e?.$metadata?.attempts,
  };
}
