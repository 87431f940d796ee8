import type { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { config } from '../config.ts';
import { ApiError } from '../http/errors.ts';
import { MAX_CODE_POINTS, MIN_CODE_POINTS } from './password-length.ts';

/**
 * Rules for a new password (sign-up, change, reset; never checked at login), NIST SP
 * 800-63B-4 §3.1.1.2:
 * - 15 to 128 characters, counted as Unicode code points after NFKC normalisation (15: the
 *   length for a password used alone; a decomposed "é" or an emoji is one character);
 * - not commonly used, expected or compromised, and not built from words of the context (the
 *   email address, the service name). Both are judged with zxcvbn-ts, the maintained port of
 *   Dropbox's estimator, which finds common passwords (its bundled list), repeats, sequences,
 *   keyboard patterns, dates and the context words inside a password and estimates the
 *   guesses an attacker needs; fewer than MIN_GUESSES is refused. No composition rules.
 * No network call: the list ships with the package.
 */
export { MAX_CODE_POINTS, MIN_CODE_POINTS };

// 10^10 guesses: zxcvbn's "very unguessable" (score 4), what an offline attack on one
// argon2id hash cannot reach in practice; every random 15-character string clears it.
const MIN_GUESSES = 1e10;

export type WeakReason = 'too_short' | 'too_long' | 'common' | 'context';

let estimator: Promise<ZxcvbnFactory> | undefined;
// Loaded on first use: the list is large, and only the routes that set passwords need it. The
// list comes compressed (common-passwords.ts).
function zxcvbn(): Promise<ZxcvbnFactory> {
  estimator ??= Promise.all([import('@zxcvbn-ts/core'), import('./common-passwords.ts')]).then(
    ([core, common]) =>
      new core.ZxcvbnFactory({
        dictionary: { 'passwords-common': common.commonPasswords() },
        graphs: common.adjacencyGraphs,
      }),
  );
  return estimator;
}

/** The words a password must not be built from: the address, its parts, the service's name. */
function contextWords(email: string): string[] {
  const [local = '', domain = ''] = email.toLowerCase().split('@');
  const service = config().serviceName.toLowerCase();
  const words = [
    local,
    local.replace(/[^\p{L}\p{N}]/gu, ''),
    ...local.split(/[^\p{L}\p{N}]+/u),
    ...domain.split('.'),
    service.replace(/\s+/g, ''),
    ...service.split(/\s+/),
  ];
  return [...new Set([email.toLowerCase(), ...words.filter((word) => word.length >= 3)])];
}

type Match = { dictionaryName?: string; baseMatches?: Match[] };
// A repeat ("adaada") holds the matches of what it repeats.
const usesContext = (match: Match): boolean =>
  match.dictionaryName === 'userInputs' || (match.baseMatches ?? []).some(usesContext);

/** Why `password` may not be set for `email`, or undefined when it may. */
export async function weakness(password: string, email: string): Promise<WeakReason | undefined> {
  const length = [...password.normalize('NFKC')].length;
  if (length < MIN_CODE_POINTS) return 'too_short';
  if (length > MAX_CODE_POINTS) return 'too_long';
  const result = (await zxcvbn()).check(password.normalize('NFKC'), contextWords(email));
  if (result.guesses >= MIN_GUESSES) return undefined;
  return (result.sequence as Match[]).some(usesContext) ? 'context' : 'common';
}

const advice: Record<WeakReason, string> = {
  too_short: `Use at least ${MIN_CODE_POINTS} characters; a few unrelated words are easy to remember.`,
  too_long: `Use at most ${MAX_CODE_POINTS} characters.`,
  common: 'This password is too common or too easy to guess; a few unrelated words make a strong one.',
  context: 'This password is built from your email address or the name of this service.',
};

/** Throws 400 `password_too_weak` with the reason, before anything is written or spent. */
export async function assertStrongPassword(password: string, email: string): Promise<void> {
  const reason = await weakness(password, email);
  if (reason) throw new ApiError('password_too_weak', { message: advice[reason], extra: { reason } });
}
