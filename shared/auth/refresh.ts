import { config } from '../config.ts';
import { recordEvent } from '../db/events.ts';
import { listFactors } from '../db/factors.ts';
import { revokeSession, rotateRefreshToken } from '../db/sessions.ts';
import { findUserById } from '../db/users.ts';
import { ApiError } from '../http/errors.ts';
import { log } from '../http/logger.ts';
import type { RequestContext } from '../mfa/guard.ts';
import { loginStep, policyFor } from '../mfa/policy.ts';
import { openEnrollmentSession } from './open-session.ts';
import { issueAccessToken } from './tokens.ts';

const signInAgain = () => new ApiError('unauthorized', { message: 'The refresh token is not valid.' });

/**
 * Exchanges a refresh token. The new access token says what is true now, not at login: the
 * organisation and role from the profile, and the step the user's policy asks for, exactly
 * as a login would answer it (a user whose organisation now requires MFA and who has no
 * factor gets the enrollment step; a password-only session of a user who now has MFA must
 * log in again). An aal 2 session re-authenticates after AAL2_MAX_AGE_SECONDS, or after
 * AAL2_IDLE_SECONDS without a refresh (NIST SP 800-63B-4 §2.2.3).
 */
export async function refreshSession(
  presented: string,
  context: RequestContext & { requestId: string },
  now = new Date(),
) {
  const rotated = await rotateRefreshToken(presented, now);
  if (!rotated.ok) {
    // A rotated token presented again is a stolen copy or a stolen original: the SIEM signal,
    // once, by the presentation that ended the session (more replays of it add nothing but noise).
    if (rotated.reuse && rotated.revoked) {
      log.warn('refresh token reuse: session revoked', { requestId: context.requestId });
      await recordEvent({
        type: 'session.revoked',
        userId: rotated.userId,
        ip: context.ip,
        userAgent: context.userAgent,
        details: { sessionId: rotated.sessionId, reason: 'refresh_token_reuse' },
      });
    }
    throw signInAgain();
  }
  const { session, refreshToken, lastUsedAt } = rotated;
  const end = async (reason: string) => {
    await revokeSession(session.sessionId, reason, now);
    return signInAgain();
  };
  if (session.aal === 2) {
    const { aal2MaxAgeSeconds, aal2IdleSeconds } = config();
    const age = (now.getTime() - Date.parse(session.authTime)) / 1000;
    const idle = (now.getTime() - Date.parse(lastUsedAt)) / 1000;
    if (age > aal2MaxAgeSeconds || idle > aal2IdleSeconds) throw await end('reauthentication_required');
  }

  const user = await findUserById(session.userId);
  if (!user) throw await end('user_gone');
  const [policy, factors] = await Promise.all([policyFor(user), listFactors(user.userId)]);
  const step = loginStep(
    policy,
    factors.filter((factor) => factor.status === 'active'),
    now,
  );
  if (step.kind === 'enrollment_required') {
    await revokeSession(session.sessionId, 'enrollment_required', now);
    const { enrollmentToken, expiresIn } = await openEnrollmentSession(user, context, now);
    return {
      status: 'mfa_enrollment_required',
      enrollmentToken,
      expiresIn,
      allowedFactorTypes: step.allowedFactorTypes,
    } as const;
  }
  if (step.kind === 'mfa' && session.aal === 1) throw await end('mfa_required');

  const accessToken = await issueAccessToken(
    {
      userId: user.userId,
      sessionId: session.sessionId,
      orgId: user.orgId,
      role: user.role,
      aal: session.aal,
      amr: session.amr,
      authTime: new Date(session.authTime),
      kind: 'access',
    },
    now,
  );
  return {
    status: 'authenticated',
    accessToken,
    refreshToken,
    expiresIn: config().accessTokenTtlSeconds,
  } as const;
}
