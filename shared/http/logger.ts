import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';

/**
 * Structured JSON logs, one object per line (CloudWatch Logs Insights reads the fields), written
 * by Powertools for AWS Lambda's Logger. Callers pass ids and outcomes, never request bodies,
 * tokens, codes or passwords; the replacer below is the second line: it blanks fields whose
 * name says secret, and any value shaped like a JWT or one of this service's opaque tokens,
 * wherever they sit in a line (nested objects and error causes included).
 */

/**
 * The fields every line has kept since the hand-written logger: `level` (lower case), `message`,
 * `time` (ISO 8601 UTC), then the caller's fields; operators search `$.message`.
 * Under active tracing the X-Ray trace id is added, so a line leads to its trace.
 */
class FieldsFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    return new LogItem({
      attributes: {
        level: attributes.logLevel.toLowerCase(),
        message: attributes.message,
        time: attributes.timestamp.toISOString(),
        ...(attributes.xRayTraceId ? { xrayTraceId: attributes.xRayTraceId } : {}),
      },
    }).addAttributes(additional);
  }
}

export const REDACTED = '[redacted]';
// Field names that only ever hold secrets (`code` is not among them: it is the error code's name).
const SECRET_KEY =
  /pass(word)?$|secret|token$|authorization|cookie|^otp$|recoverycodes?$|verificationcode|privatekey/i;
// A JWT (three base64url parts, the first a JSON header), or the tokens of shared/auth and
// shared/db: a ULID, then a counter (refresh), a second ULID (mfa) or nothing (device), then
// 32+ base64url characters.
const SECRET_VALUE =
  /eyJ[\w-]+\.[\w-]+\.[\w-]*|\b[0-9A-HJKMNP-TV-Z]{26}\.(?:\d+\.|[0-9A-HJKMNP-TV-Z]{26}\.)?[\w-]{32,}/g;

export function redact(key: string, value: unknown): unknown {
  if (key && SECRET_KEY.test(key) && value !== undefined && value !== null && value !== '') return REDACTED;
  if (typeof value === 'string') return value.replace(SECRET_VALUE, REDACTED);
  return value;
}

/** One logger per container; `LOG_LEVEL` (read by Powertools at start) sets the threshold. */
export const logger = new Logger({
  serviceName: 'serverless-mfa',
  logFormatter: new FieldsFormatter(),
  jsonReplacerFn: redact,
});

type Fields = Record<string, unknown>;
export const log = {
  debug: (message: string, fields: Fields = {}) => logger.debug(message, fields),
  info: (message: string, fields: Fields = {}) => logger.info(message, fields),
  warn: (message: string, fields: Fields = {}) => logger.warn(message, fields),
  error: (message: string, fields: Fields = {}) => logger.error(message, fields),
};

/**
 * Every line of a request carries its `requestId` (API Gateway's, the one a 5xx body shows);
 * the keys are dropped after the request, so a warm container never mixes two requests.
 */
export const requestLogKeys = (): MiddlewareObj<
  { requestContext?: { requestId?: string } },
  unknown,
  Error,
  Context
> => {
  const reset = () => {
    logger.resetKeys();
  };
  return {
    before: (request) => {
      logger.appendKeys({
        requestId: request.event.requestContext?.requestId ?? request.context.awsRequestId,
      });
    },
    after: reset,
    onError: reset,
  };
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
