import { endOtherSessions } from '../../shared/auth/auth-change.ts';
import { openSession } from '../../shared/auth/open-session.ts';
import { config } from '../../shared/config.ts';
import { consumeChallenge, reserveChallengeAttempt } from '../../shared/db/challenges.ts';
import { eventPuts } from '../../shared/db/events.ts';
import {
  activateFactor,
  type Factor,
  getFactor,
  openTotpSecret,
  publicFactor,
  removeFactor,
  reservePendingAttempt,
} from '../../shared/db/factors.ts';
import { newRecoverySet } from '../../shared/db/recovery.ts';
import { endEnrollment, upgradeSession } from '../../shared/db/sessions.ts';
import { allGuarded, type Guarded, guarded, type TransactItem, transact } from '../../shared/db/transact.ts';
import { authVersionOf, findUserById, setActiveFactors, type User } from '../../shared/db/users.ts';
import { ApiError, tooMany } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { codeMatches } from '../../shared/mfa/codes.ts';
import type { RequestContext } from '../../shared/mfa/guard.ts';
import { tellOwner } from '../../shared/mfa/notices.ts';
import { policyFor } from '../../shared/mfa/policy.ts';
import { methodOf } from '../../shared/mfa/proof.ts';
import { clockSkewSteps, matchTotpStep, TOTP_PERIOD_SECONDS } from '../../shared/mfa/totp.ts';
import * as routes from '../routes/mfa.ts';

/** Checks the first code; returns the items that activate the factor (and use up the code). */
async function possession(
  factor: Factor,
  code: string,
  challengeId: string | undefined,
  now: Date,
): Promise<TransactItem[]> {
  if (factor.type === 'totp') {
    const used = await reservePendingAttempt(factor);
    if (used === undefined) throw tooMany('too_many_attempts', 1);
    const secret = await openTotpSecret(factor);
    const step = matchTotpStep(secret, code, now);
    // Activation removes the attempt count with the rest: a right code's try goes with it.
    if (step !== undefined) return [activateFactor(factor, now, step)];
    // A first code is where a phone's wrong clock shows first. Nothing is burned: the secret
    // was just given to this very session, so a hint tells it nothing it could not compute.
    const skew = clockSkewSteps(secret, code, now);
    throw new ApiError('code_invalid', {
      extra: {
        attemptsRemaining: config().codeMaxAttempts - used,
        ...(skew === undefined ? {} : { clockSkewSeconds: skew * TOTP_PERIOD_SECONDS }),
      },
    });
  }
  const id = challengeId ?? factor.challengeId;
  if (!id) throw new ApiError('challenge_expired');
  const challenge = await reserveChallengeAttempt(id, { userId: factor.userId, purpose: 'enroll' }, now);
  if (challenge.factorId !== factor.factorId) throw new ApiError('challenge_expired');
  if (!(await codeMatches(challenge, code))) {
    throw new ApiError('code_invalid', {
      extra: { attemptsRemaining: config().codeMaxAttempts - challenge.attempts },
    });
  }
  return [consumeChallenge(challenge, now), activateFactor(factor, now)];
}

/** The active-factor count, the swap of a replaced factor, and the first recovery codes. */
async function bookkeeping(user: User, factor: Factor) {
  const replaced = factor.replaces ? await getFactor(user.userId, factor.replaces) : undefined;
  const swap = replaced?.status === 'active' ? replaced : undefined;
  const count = user.activeFactors ?? 0;
  if (!swap && count >= config().maxActiveFactors) throw new ApiError('factor_limit_reached');
  // The count is written back conditionally: a concurrent activation moved it, read it again.
  const items: Guarded[] = [guarded(setActiveFactors(user, swap ? count : count + 1), new CountChanged())];
  if (swap) items.push(removeFactor(swap));
  // Recovery codes come with the first factor: the moment losing a phone starts to matter.
  const recovery = count === 0 && !swap ? await newRecoverySet(user.userId) : undefined;
  if (recovery) items.push(recovery.put);
  return { items, swap, recovery };
}

class CountChanged extends Error {}

function notifyActivation(user: User, factor: Factor, swap: Factor | undefined, context: RequestContext) {
  return swap
    ? tellOwner(user, 'factorReplaced', factor, context, swap)
    : tellOwner(user, 'factorActivated', factor, context);
}

export const handler = http(routes.activateFactor, async ({ params, body, auth, ip, userAgent }) => {
  const now = new Date();
  const context = { ip, userAgent };
  const factor = await getFactor(auth.sub, params.factorId, now);
  if (!factor) throw new ApiError('not_found');
  if (factor.status !== 'pending') throw new ApiError('factor_not_pending');
  let user = await findUserById(auth.sub);
  if (!user) throw new ApiError('unauthorized');
  // The policy may have changed since enrollment began: a now-forbidden type does not activate.
  if (!(await policyFor(user)).allowedFactorTypes.includes(factor.type)) {
    throw new ApiError('factor_type_not_allowed');
  }
  const proven = await possession(factor, body.code, body.challengeId, now);

  // The user's factor count is read and written back conditionally; a concurrent activation
  // makes the write fail, and then the count is read again (the code is not spent meanwhile).
  for (let attempt = 0; ; attempt++) {
    if (attempt > 0) user = await findUserById(auth.sub);
    if (!user) throw new ApiError('unauthorized');
    const { items, swap, recovery } = await bookkeeping(user, factor);
    const events = [
      ...eventPuts({
        type: swap ? 'factor.replaced' : 'factor.activated',
        userId: user.userId,
        orgId: user.orgId,
        ...context,
        details: {
          factorId: factor.factorId,
          type: factor.type,
          ...(swap ? { replacedFactorId: swap.factorId } : {}),
        },
      }),
      ...(recovery
        ? eventPuts({ type: 'recovery_codes.generated', userId: user.userId, orgId: user.orgId, ...context })
        : []),
    ];
    // Forced enrollment ends its enrollment session in the same write, so parallel activations
    // with one enrollment token cannot each mint a full session. A full session that proves the
    // factor it enrolled stands at aal 2 from now on.
    const amr = ['pwd', methodOf[factor.type], 'mfa'];
    const ending = guarded(
      auth.scope === 'mfa:enroll' ? endEnrollment(auth.sid, now) : upgradeSession(auth.sid, amr, now),
      new ApiError('unauthorized'),
    );
    // The code's own writes: a sent code's challenge expired, or an app code's step was taken.
    const possessed = allGuarded(
      proven,
      new ApiError(factor.type !== 'totp' ? 'challenge_expired' : 'factor_not_pending'),
    );
    try {
      await transact([...possessed, ...items, ...events, ending], () => new ApiError('factor_not_pending'));
    } catch (error) {
      if (error instanceof CountChanged && attempt < 3) continue;
      throw error instanceof CountChanged ? new ApiError('factor_not_pending', { cause: error }) : error;
    }

    // MFA turned on, a factor added or one replaced: the means of authentication changed, so
    // every other session ends (setActiveFactors moved the auth version on).
    const authVersion = authVersionOf(user) + 1;
    const active: Factor = { ...factor, status: 'active', activatedAt: now.toISOString() };
    const body = { factor: publicFactor(active), ...(recovery ? { recoveryCodes: recovery.codes } : {}) };
    if (auth.scope !== 'mfa:enroll') {
      await endOtherSessions(user.userId, authVersion, auth.sid, 'factor_activated');
      await notifyActivation(user, factor, swap, context);
      return { status: 200, body };
    }
    // Forced enrollment is done: the enrollment session ended and a full one begins, at aal 2
    // since the user just proved the new factor.
    const { tokens, sessionId } = await openSession(user, { aal: 2, amr, ...context, authVersion });
    await endOtherSessions(user.userId, authVersion, sessionId, 'factor_activated');
    await notifyActivation(user, factor, swap, context);
    return { status: 200, body: { ...body, status: 'authenticated', ...tokens } };
  }
});
