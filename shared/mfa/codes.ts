import { randomBytes, randomInt } from 'node:crypto';
import { secretKey } from '../crypto/keyring.ts';
import { constantTimeEqual, hmacSha256 } from '../crypto/random.ts';
import type { Challenge } from '../db/challenges.ts';

/** A uniformly random six-digit code from the CSPRNG (NIST SP 800-63B-4 §3.1.3.1). */
export function newOtpCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/**
 * Codes and tokens are stored as HMAC-SHA-256 under the service's secret, bound to what they
 * are for: a table dump gives nothing to replay, and a digest copied onto another challenge
 * or user does not match there.
 */
export async function digest(purpose: string, ...parts: string[]): Promise<string> {
  return hmacSha256(await secretKey('hmac'), [purpose, ...parts].join('\u0000'));
}

/** A one-time code's digest, bound to its challenge. */
export const codeDigest = (challengeId: string, code: string) => digest('code', challengeId, code);

/**
 * Whether `code` is the challenge's current code, compared in constant time. A challenge
 * without a code costs the same digest and matches nothing.
 */
export async function codeMatches(challenge: Challenge, code: string): Promise<boolean> {
  const presented = await codeDigest(challenge.challengeId, code);
  return challenge.codeDigest !== undefined && constantTimeEqual(presented, challenge.codeDigest);
}

// Crockford base32: no I, L, O, U, so codes survive being read aloud or handwritten.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const RECOVERY_CODE_CHARS = 16; // 16 × 5 = 80 bits, above DESIGN.md's 64-bit floor

export function newRecoveryCode(): string {
  const bytes = randomBytes(RECOVERY_CODE_CHARS);
  const chars = [...bytes].map((byte) => CROCKFORD[byte & 31]).join('');
  return chars.match(/.{4}/g)?.join('-') ?? chars;
}

/**
 * Recovery codes are typed from paper: case, hyphens and spaces do not matter, and the
 * letters Crockford maps to digits (I, L → 1; O → 0) are read as those digits.
 */
export function normaliseRecoveryCode(input: string): string | undefined {
  const cleaned = input.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  return cleaned.length === RECOVERY_CODE_CHARS && [...cleaned].every((c) => CROCKFORD.includes(c))
    ? cleaned
    : undefined;
}
