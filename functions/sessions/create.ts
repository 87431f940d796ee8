import { openSession } from '../../shared/auth/open-session.ts';
import { checkPassword } from '../../shared/auth/password-check.ts';
import { checkDeviceToken, touchDevice } from '../../shared/db/devices.ts';
import { listFactors, publicFactor } from '../../shared/db/factors.ts';
import { createPendingLogin } from '../../shared/db/logins.ts';
import { findUserByEmail } from '../../shared/db/users.ts';
import { http } from '../../shared/http/handler.ts';
import { routes } from '../routes.ts';

export const handler = http(routes.createSession, async ({ body, ip, userAgent }) => {
  const user = await checkPassword(body.email, await findUserByEmail(body.email), body.password, {
    ip,
    userAgent,
  });

  const factors = (await listFactors(user.userId)).filter((factor) => factor.status === 'active');
  if (factors.length === 0) {
    const tokens = await openSession(user, { aal: 1, amr: ['pwd'], ip, userAgent });
    return {
      status: 200,
      body: { status: 'authenticated', ...tokens, mfa: { enabled: false, suggested: false } },
    };
  }

  // "Remember this device": a genuine, unexpired device token of this user stands in for the
  // second factor it was issued after.
  const device = body.deviceToken ? await checkDeviceToken(user.userId, body.deviceToken) : undefined;
  if (device) {
    await touchDevice(device);
    const tokens = await openSession(user, { aal: 2, amr: ['pwd', 'mfa'], ip, userAgent });
    return {
      status: 200,
      body: { status: 'authenticated', ...tokens, mfa: { enabled: true, suggested: false } },
    };
  }

  const { mfaToken, expiresIn } = await createPendingLogin(user.userId);
  return {
    status: 200,
    body: { status: 'mfa_required', mfaToken, expiresIn, factors: factors.map(publicFactor) },
  };
});
