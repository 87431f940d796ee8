import { openSession } from '../../shared/auth/open-session.ts';
import { afterPasswordReset, completingReset } from '../../shared/auth/password-reset.ts';
import { newDevice } from '../../shared/db/devices.ts';
import { eventPuts, newEventId } from '../../shared/db/events.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { policyFor } from '../../shared/mfa/policy.ts';
import { checkProof } from '../../shared/mfa/proof.ts';
import * as routes from '../routes/mfa.ts';

export const handler = http(routes.verifyMfa, async ({ body, login, ip, userAgent }) => {
  // The login's password version was checked against the profile when the login was read.
  const { user } = login;

  const proof = body.challengeId
    ? { challengeId: body.challengeId, code: body.code }
    : { factorId: body.factorId as string, code: body.code };
  const policy = await policyFor(user);
  const checked = await checkProof(
    user,
    proof,
    {
      purpose: 'login',
      loginDigest: login.tokenDigest,
      policy,
      ...(login.factor ? { factor: login.factor } : {}),
    },
    { ip, userAgent },
  );

  const now = new Date();
  // The `mfa.verified` event is derived from the session's record; its id is taken now, so
  // it sorts before what the rest of this request records.
  const proofOfLogin = {
    method: checked.method,
    ...(checked.factor ? { factorId: checked.factor.factorId } : {}),
    eventId: newEventId(now),
  };
  const reset = completingReset(login, user, { ip, userAgent }, now);
  const items = [...checked.items, ...reset.items];
  let deviceToken: string | undefined;
  const days = policy.rememberDeviceDays;
  if (body.rememberDevice && days > 0) {
    const device = await newDevice(user.userId, userAgent, days, reset.authVersion);
    deviceToken = device.deviceToken;
    items.push(
      device.put,
      ...eventPuts({
        type: 'device.remembered',
        userId: user.userId,
        ip,
        userAgent,
        details: { deviceId: device.device.deviceId },
      }),
    );
  }

  const { tokens, sessionId } = await openSession(user, {
    aal: 2,
    amr: ['pwd', checked.method, 'mfa'],
    ip,
    userAgent,
    items,
    authVersion: reset.authVersion,
    login,
    proof: proofOfLogin,
    // Lost races: the proof was used by a parallel request, or the login already completed.
    // The proof's items answer its own conflict; any other lost race means the login was used.
    conflict: () => new ApiError('mfa_token_invalid'),
    lost: checked.lost,
  });
  if (login.reset) await afterPasswordReset(user, { ip, userAgent }, sessionId);
  return {
    status: 200,
    body: { status: 'authenticated', ...tokens, ...(deviceToken ? { deviceToken } : {}) },
  };
});
