import { checkDeviceToken, touchDevice } from '../db/devices.ts';
import { listFactors, publicFactor } from '../db/factors.ts';
import { createPendingLogin } from '../db/logins.ts';
import { authVersionOf, findUserById, type User } from '../db/users.ts';
import { ApiError } from '../http/errors.ts';
import type { RequestContext } from '../mfa/guard.ts';
import { deviceHonoured, loginStep, policyFor } from '../mfa/policy.ts';
import { openEnrollmentSession, openSession } from './open-session.ts';

/**
 * What a user who just proved their password (or their address, or a reset code) gets next:
 * tokens, the MFA step, or the enrollment their organisation requires. One place, so sign-in,
 * sign-up verification and password reset cannot drift apart.
 */
export async function loginAnswer(
  user: User,
  context: RequestContext,
  deviceToken?: string,
  now = new Date(),
) {
  try {
    return await answer(user, context, deviceToken, now);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'invalid_credentials')) throw error;
    // The auth version moved while this login was in flight (a factor changed, the owner said
    // "This wasn't me"): its session was refused. The password is still the account's, so the
    // login is answered once more from the account as it is now (which may now ask for MFA).
    const current = await findUserById(user.userId);
    if (current?.passwordHash !== user.passwordHash) throw error;
    return answer(current, context, deviceToken, now);
  }
}

async function answer(user: User, context: RequestContext, deviceToken: string | undefined, now: Date) {
  const [policy, factors] = await Promise.all([policyFor(user), listFactors(user.userId)]);
  const step = loginStep(
    policy,
    factors.filter((factor) => factor.status === 'active'),
    now,
  );

  if (step.kind === 'password_only') {
    const { tokens } = await openSession(user, { aal: 1, amr: ['pwd'], ...context });
    return {
      status: 'authenticated',
      ...tokens,
      mfa: { enabled: false, suggested: step.suggested },
    } as const;
  }
  if (step.kind === 'enrollment_required') {
    const { enrollmentToken, expiresIn } = await openEnrollmentSession(user, context);
    return {
      status: 'mfa_enrollment_required',
      enrollmentToken,
      expiresIn,
      allowedFactorTypes: step.allowedFactorTypes,
    } as const;
  }

  // "Remember this device": a genuine, unexpired device token of this user stands in for the
  // second factor it was issued after, for as long as the organisation's policy allows and
  // until the password changes.
  const device = deviceToken ? await checkDeviceToken(user.userId, deviceToken) : undefined;
  if (device && (device.authVersion ?? 0) === authVersionOf(user) && deviceHonoured(policy, device, now)) {
    await touchDevice(device);
    const { tokens } = await openSession(user, { aal: 2, amr: ['pwd', 'mfa'], ...context });
    return { status: 'authenticated', ...tokens, mfa: { enabled: true, suggested: false } } as const;
  }

  const { mfaToken, expiresIn } = await createPendingLogin(user);
  return { status: 'mfa_required', mfaToken, expiresIn, factors: step.factors.map(publicFactor) } as const;
}
