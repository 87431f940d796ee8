import { openEnrollmentSession, openSession } from '../../shared/auth/open-session.ts';
import { checkPassword } from '../../shared/auth/password-check.ts';
import { checkDeviceToken, touchDevice } from '../../shared/db/devices.ts';
import { listFactors, publicFactor } from '../../shared/db/factors.ts';
import { createPendingLogin } from '../../shared/db/logins.ts';
import { findUserByEmail } from '../../shared/db/users.ts';
import { http } from '../../shared/http/handler.ts';
import { deviceHonoured, loginStep, policyFor } from '../../shared/mfa/policy.ts';
import { routes } from '../routes.ts';

export const handler = http(routes.createSession, async ({ body, ip, userAgent }) => {
  const context = { ip, userAgent };
  const user = await checkPassword(body.email, await findUserByEmail(body.email), body.password, context);
  const now = new Date();

  const [policy, factors] = await Promise.all([policyFor(user), listFactors(user.userId)]);
  const step = loginStep(
    policy,
    factors.filter((factor) => factor.status === 'active'),
    now,
  );

  if (step.kind === 'password_only') {
    const tokens = await openSession(user, { aal: 1, amr: ['pwd'], ...context });
    return {
      status: 200,
      body: { status: 'authenticated', ...tokens, mfa: { enabled: false, suggested: step.suggested } },
    };
  }
  if (step.kind === 'enrollment_required') {
    const { enrollmentToken, expiresIn } = await openEnrollmentSession(user, context);
    return {
      status: 200,
      body: {
        status: 'mfa_enrollment_required',
        enrollmentToken,
        expiresIn,
        allowedFactorTypes: step.allowedFactorTypes,
      },
    };
  }

  // "Remember this device": a genuine, unexpired device token of this user stands in for the
  // second factor it was issued after, for as long as the organisation's policy allows.
  const device = body.deviceToken ? await checkDeviceToken(user.userId, body.deviceToken) : undefined;
  if (device && deviceHonoured(policy, device, now)) {
    await touchDevice(device);
    const tokens = await openSession(user, { aal: 2, amr: ['pwd', 'mfa'], ...context });
    return {
      status: 200,
      body: { status: 'authenticated', ...tokens, mfa: { enabled: true, suggested: false } },
    };
  }

  const { mfaToken, expiresIn } = await createPendingLogin(user.userId);
  return {
    status: 200,
    body: { status: 'mfa_required', mfaToken, expiresIn, factors: step.factors.map(publicFactor) },
  };
});
