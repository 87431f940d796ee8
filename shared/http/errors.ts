/**
 * The error catalogue of API.md, in one place. Handlers and middleware throw `ApiError`s;
 * only the error middleware turns them into responses. `cause` is kept for logs and is never
 * serialised.
 */
export const errorCatalogue = {
  invalid_json: { status: 400, message: 'The request body is not valid JSON.' },
  invalid_request: { status: 400, message: 'The request is not valid.' },
  invalid_phone_number: { status: 400, message: 'The phone number is not valid.' },
  country_not_allowed: { status: 400, message: 'SMS to this country is not available.' },
  phone_number_not_mobile: {
    status: 400,
    message: 'This number cannot receive text messages: use a mobile number.',
  },
  password_too_weak: { status: 400, message: 'Choose a longer or less common password.' },
  unauthorized: { status: 401, message: 'Missing, expired or invalid token.' },
  invalid_credentials: { status: 401, message: 'The email or password is incorrect.' },
  code_invalid: { status: 401, message: 'The code is not valid.' },
  mfa_token_invalid: { status: 401, message: 'The MFA token is missing, expired or already used.' },
  forbidden: { status: 403, message: 'You are not allowed to do this.' },
  verification_required: { status: 403, message: 'This change needs a verification with a current factor.' },
  mfa_required_by_policy: { status: 403, message: 'Your organisation requires multi-factor authentication.' },
  caller_mfa_required: { status: 403, message: 'Sign in with multi-factor authentication to do this.' },
  factor_type_not_allowed: { status: 403, message: 'This factor type is not allowed.' },
  not_found: { status: 404, message: 'Not found.' },
  already_exists: { status: 409, message: 'It already exists.' },
  factor_not_pending: { status: 409, message: 'The factor is not pending.' },
  factor_limit_reached: { status: 409, message: 'The maximum number of factors is reached.' },
  already_in_org: { status: 409, message: 'The user already belongs to an organisation.' },
  challenge_expired: { status: 410, message: 'The challenge has expired, was replaced or was already used.' },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  rate_limited: { status: 429, message: 'Too many requests.' },
  too_many_attempts: { status: 429, message: 'Too many wrong codes; request a new one.' },
  resend_too_soon: { status: 429, message: 'Wait before requesting another code.' },
  locked: { status: 429, message: 'Too many failed attempts; try again later.' },
  delivery_failed: {
    status: 502,
    message: 'The code could not be delivered; nothing was used up, try again.',
  },
  internal_error: { status: 500, message: 'Internal error.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export class ApiError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  /** Extra public fields of the error body, e.g. `details`, `attemptsRemaining`, `retryAfter`. */
  readonly extra: Record<string, unknown>;

  constructor(
    code: ErrorCode,
    options: {
      message?: string;
      extra?: Record<string, unknown>;
      cause?: unknown;
      /** API.md: `delivery_failed` is 502 (the provider failed) or 503 (sends are paused). */
      status?: 503;
    } = {},
  ) {
    super(options.message ?? errorCatalogue[code].message, { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.status = options.status ?? errorCatalogue[code].status;
    this.extra = options.extra ?? {};
  }
}

/** 429s must tell the client when to come back, in the header and the body alike. */
export function tooMany(
  code: 'rate_limited' | 'too_many_attempts' | 'resend_too_soon' | 'locked',
  retryAfterSeconds: number,
): ApiError {
  return new ApiError(code, { extra: { retryAfter: Math.max(1, Math.ceil(retryAfterSeconds)) } });
}
