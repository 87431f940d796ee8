import { config } from '../config.ts';
import {
  consumeChallenge,
  type Purpose,
  refundChallengeAttempt,
  reserveChallengeAttempt,
} from '../db/challenges.ts';
import {
  acceptTotpStep,
  burnTotpStep,
  type Factor,
  getFactor,
  openTotpSecret,
  touchFactor,
} from '../db/factors.ts';
import { confirmFailure, type Reservation, refundAttempt } from '../db/guard.ts';
import type { MfaPolicy } from '../db/orgs.ts';
import { readRecoverySet, recoveryDigest, useRecoveryCode } from '../db/recovery.ts';
import { allGuarded, type Guarded } from '../db/transact.ts';
import type { User } from '../db/users.ts';
import { ApiError, tooMany } from '../http/errors.ts';
import { count, metricNames } from '../metrics.ts';
import type * as z from '../zod.ts';
import { codeMatches, normaliseRecoveryCode } from './codes.ts';
import type { FactorType } from './factor-types.ts';

import { clearMfaFailures, type RequestContext, recordMfaFailure, reserveMfaAttempt } from './guard.ts';
import { policyFor } from './policy.ts';
import type { verification } from './schemas.ts';
import { clockSkewSteps, matchTotpStep, totpStep as stepAt, TOTP_PERIOD_SECONDS } from './totp.ts';

/**
 * Proof of possession of a current factor: a TOTP code for a factor, a code from a challenge
 * (SMS/email, or a TOTP challenge), or a recovery code. Used by the login verification and by
 * every sensitive change (`verification` in API.md).
 *
 * Comparing a code spends an attempt of the user's MFA guard first; a right proof returns the
 * transaction items that use it up (challenge marked used, TOTP step recorded, recovery code
 * removed, guard cleared). The caller adds what the proof is for and writes all at once, so
 * a proof can be used once even under parallel requests.
 */
export type Proof = z.infer<typeof verification>;

/** What a proof can have been, as `amr` names it (RFC 8176, plus `email` and `recovery`). */
export const METHODS = ['otp', 'sms', 'email', 'recovery'] as const;
export type Method = (typeof METHODS)[number];

export interface Checked {
  /** The writes that use the proof up, each carrying `conflict` as the error its failure means. */
  items: Guarded[];
  method: Method;
  /** The factor that was proven (absent for recovery codes). */
  factor?: Factor;
  /** Recovery codes left after this one, when one was used. */
  recoveryCodesRemaining?: number;
  /** The TOTP time step accepted, so a write that removes the factor can keep "each step once". */
  totpStep?: number;
  /** The error to answer when the proof's own items lose a race in the transaction. */
  conflict: ApiError;
  /** To call when the write the proof was for did not happen: the right code was no failure. */
  lost?: () => Promise<void>;
}

export interface Scope {
  purpose: Extract<Purpose, 'login' | 'verify'>;
  loginDigest?: string;
  /** The user's policy, when the caller has read it already (else it is read here). */
  policy?: MfaPolicy;
  /** The proof's factor, when the caller has read it already (with the login, in one batch). */
  factor?: Factor;
}

export const methodOf: Record<FactorType, Method> = { totp: 'otp', sms: 'sms', email: 'email' };

/** A wrong TOTP code that is the factor's code of another step near now: the phone's clock is off. */
interface Skew {
  factor: Factor;
  /** Steps from now, positive when the phone is ahead. */
  steps: number;
  step: number;
}

/** `replay`: a right code that was already used (by this request's own twin, often). */
type Outcome =
  | { ok: true; checked: Checked }
  | { ok: false; replay?: boolean; challengeRemaining?: number; skew?: Skew };

async function activeFactor(
  user: User,
  factorId: string,
  allowedTypes: readonly FactorType[],
  read?: Factor,
): Promise<Factor> {
  const factor = read?.factorId === factorId ? read : await getFactor(user.userId, factorId);
  // Someone else's factor id, a pending one and a missing one all look the same.
  if (factor?.status !== 'active') throw new ApiError('not_found');
  // A type the organisation no longer allows proves nothing, for a login or for a change alike
  // (else a disallowed factor could mint recovery codes or a new factor). Recovery codes stay.
  if (!allowedTypes.includes(factor.type)) throw new ApiError('factor_type_not_allowed');
  return factor;
}

type TotpMatch = { step: number } | { replay: true } | { wrong: true; skew?: Skew };

async function totpStep(factor: Factor, code: string, now: Date): Promise<TotpMatch> {
  const secret = await openTotpSecret(factor);
  const step = matchTotpStep(secret, code, now);
  if (step === undefined) {
    const steps = clockSkewSteps(secret, code, now);
    return {
      wrong: true,
      ...(steps === undefined ? {} : { skew: { factor, steps, step: stepAt(now) + steps } }),
    };
  }
  // A step already accepted (or burned) is a replay; the transaction's condition catches a parallel one.
  if (factor.lastTotpStep !== undefined && step <= factor.lastTotpStep) return { replay: true };
  if (factor.burnedSteps?.has(step)) return { replay: true };
  return { step };
}

/**
 * Finds what the proof refers to, then calls `spend` (the user's guard attempt) right before
 * comparing the code: a request refused before any comparison (unknown factor, used or
 * expired challenge, a challenge out of tries) costs the user nothing, so replays of a spent
 * code cannot lock the owner out and a burst of the right code is not taken for guessing.
 */
async function evaluate(
  user: User,
  proof: Proof,
  scope: Scope,
  now: Date,
  spend: () => Promise<void>,
): Promise<Outcome> {
  const { allowedFactorTypes: allowedTypes } = scope.policy ?? (await policyFor(user));
  if ('recoveryCode' in proof) {
    const normalised = normaliseRecoveryCode(proof.recoveryCode);
    await spend();
    const { codes, spent } = await readRecoverySet(user.userId);
    const codeDigestValue = normalised ? await recoveryDigest(user.userId, normalised) : undefined;
    if (!codeDigestValue || !codes.has(codeDigestValue)) {
      return { ok: false, replay: codeDigestValue !== undefined && spent.has(codeDigestValue) };
    }
    return {
      ok: true,
      checked: {
        items: [useRecoveryCode(user.userId, codeDigestValue)],
        method: 'recovery',
        recoveryCodesRemaining: codes.size - 1,
        // Lost to its twin sent at the same moment: the same answer as a replay after it.
        conflict: replayed(),
      },
    };
  }
  if ('factorId' in proof) {
    const factor = await activeFactor(user, proof.factorId, allowedTypes, scope.factor);
    if (factor.type !== 'totp') {
      throw new ApiError('invalid_request', {
        message: 'SMS and email codes are checked with the challengeId they were sent with.',
        extra: { details: [{ path: 'challengeId', message: 'Required for SMS and email factors.' }] },
      });
    }
    await spend();
    const match = await totpStep(factor, proof.code, now);
    if ('replay' in match) return { ok: false, replay: true };
    if ('wrong' in match) return { ok: false, ...(match.skew ? { skew: match.skew } : {}) };
    return {
      ok: true,
      checked: {
        items: [acceptTotpStep(factor, match.step, now)],
        method: 'otp',
        factor,
        totpStep: match.step,
        conflict: replayed(),
      },
    };
  }
  const owner = {
    userId: user.userId,
    purpose: scope.purpose,
    ...(scope.loginDigest ? { loginDigest: scope.loginDigest } : {}),
  };
  const challenge = await reserveChallengeAttempt(proof.challengeId, owner, now);
  const challengeRemaining = config().codeMaxAttempts - challenge.attempts;
  const factor = await activeFactor(user, challenge.factorId ?? '', allowedTypes).catch((error: unknown) => {
    // The factor was removed since the challenge was sent: the challenge died with it.
    throw error instanceof ApiError && error.code === 'not_found' ? new ApiError('challenge_expired') : error;
  });
  await spend();
  if (challenge.factorType === 'totp') {
    const match = await totpStep(factor, proof.code, now);
    if ('replay' in match) {
      await refundChallengeAttempt(challenge.challengeId);
      return { ok: false, replay: true, challengeRemaining };
    }
    if ('wrong' in match)
      return { ok: false, challengeRemaining, ...(match.skew ? { skew: match.skew } : {}) };
    const items = [acceptTotpStep(factor, match.step, now), consumeChallenge(challenge, now)];
    return {
      ok: true,
      checked: {
        items,
        method: 'otp',
        factor,
        totpStep: match.step,
        conflict: new ApiError('challenge_expired'),
      },
    };
  }
  if (!(await codeMatches(challenge, proof.code))) return { ok: false, challengeRemaining };
  return {
    ok: true,
    checked: {
      items: [consumeChallenge(challenge, now), touchFactor(factor, now)],
      method: methodOf[factor.type],
      factor,
      conflict: new ApiError('challenge_expired'),
    },
  };
}

const replayed = () =>
  new ApiError('code_invalid', { message: 'This code was already used.', extra: { attemptsRemaining: 0 } });

export async function checkProof(
  user: User,
  proof: Proof,
  scope: Scope,
  context: RequestContext,
  now = new Date(),
): Promise<Checked> {
  let reservation: Reservation | undefined;
  const outcome = await evaluate(user, proof, scope, now, async () => {
    reservation = await reserveMfaAttempt(user.userId, now);
  });
  if (outcome.ok) {
    // Each item that uses the proof up answers the proof's own conflict when it loses a race.
    outcome.checked.items = allGuarded(outcome.checked.items, outcome.checked.conflict);
    // A right code is no failure: the write that uses it clears the count. If that write loses
    // a race (the same code sent twice at once), `lost` gives this attempt's reservation back.
    outcome.checked.items.push(clearMfaFailures(user.userId));
    count(metricNames.mfaVerified);
    const spent = reservation;
    return { ...outcome.checked, lost: async () => (spent ? refundAttempt(spent) : undefined) };
  }
  // evaluate() only reports a wrong code after spending the attempt.
  const spent = reservation as Reservation;
  if (outcome.replay) {
    // A right code used already, most often by its own twin sent at the same moment: a lost
    // race, not a guess. It counts for nothing.
    await refundAttempt(spent);
    throw replayed();
  }
  await confirmFailure(spent);
  await recordMfaFailure(user, spent, context, { method: 'recoveryCode' in proof ? 'recovery' : 'code' });
  if (spent.lockedUntil) throw tooMany('locked', (spent.lockedUntil.getTime() - now.getTime()) / 1000);
  const attemptsRemaining = Math.min(spent.remaining, outcome.challengeRemaining ?? spent.remaining);
  const { skew } = outcome;
  if (skew && skew.steps > 0) await burnTotpStep(skew.factor, skew.step);
  throw new ApiError('code_invalid', {
    extra: {
      attemptsRemaining,
      // A wrong code all the same (counted above), with what the user can fix: the phone's clock.
      ...(skew ? { clockSkewSeconds: skew.steps * TOTP_PERIOD_SECONDS } : {}),
    },
  });
}
