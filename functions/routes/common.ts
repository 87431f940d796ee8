/**
 * Permission sets and error lists several route entries share (the functions/routes/<area>.ts
 * modules). Signing tokens and digesting opaque tokens need the KMS-sealed keyring (decrypt,
 * and generate on the very first use); verifying bearer tokens only reads public keys.
 */

export const keyring = ['kms:decrypt', 'kms:generateDataKey'] as const;
export const readWrite = ['table:read', 'table:write'] as const;
export const sends = ['sns:publish', 'ses:send'] as const;
// Every route that checks a code can end in a lock notice, and every factor change is emailed.
export const checksCodes = [...readWrite, ...keyring, 'ses:send'] as const;
// Every way sending a code can be refused after the route's own checks: the cooldown, a locked
// user, a send limit, the provider (nothing is used up).
export const sendErrors = ['resend_too_soon', 'locked', 'rate_limited', 'delivery_failed'] as const;
// A change that needs a step-up (`verification`): every way the proof can fail.
export const stepUpErrors = [
  'verification_required',
  'code_invalid',
  'challenge_expired',
  'too_many_attempts',
  'locked',
  // Parallel proofs beyond the failures left before a lock are answered, not counted.
  'rate_limited',
  'factor_type_not_allowed',
] as const;
// A change that binds others or hands them power: the caller's session must be aal 2 as well.
export const provenChange = ['caller_mfa_required', ...stepUpErrors] as const;
// What an owner or admin changing the organisation or its members can meet.
export const managedChange = ['not_found', 'forbidden', ...provenChange] as const;
