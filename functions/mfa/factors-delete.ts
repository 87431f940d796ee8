import { endOtherSessions } from '../../shared/auth/auth-change.ts';
import { stepUp } from '../../shared/auth/step-up.ts';
import { forgetDevice, listDevices } from '../../shared/db/devices.ts';
import { eventPuts } from '../../shared/db/events.ts';
import { factorKey, getFactor, listFactors, removeFactor } from '../../shared/db/factors.ts';
import { deleteRecoveryCodes, withSetWrite } from '../../shared/db/recovery.ts';
import { guarded, transact, without } from '../../shared/db/transact.ts';
import { authVersionOf, findUserById, setActiveFactors } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { reportRecoveryUse, tellOwner } from '../../shared/mfa/notices.ts';
import { policyFor } from '../../shared/mfa/policy.ts';
import * as routes from '../routes/mfa.ts';

const notFound = () => new ApiError('not_found');

export const handler = http(routes.deleteFactor, async ({ params, body, auth, ip, userAgent }) => {
  const context = { ip, userAgent };
  const user = await findUserById(auth.sub);
  const factor = await getFactor(auth.sub, params.factorId);
  if (!user || !factor) throw new ApiError('not_found');

  // A pending factor was never a way to sign in: abandoning it needs no proof.
  if (factor.status === 'pending') {
    await transact([removeFactor(factor)], () => new ApiError('not_found'));
    return { status: 204 };
  }
  const remaining = (user.activeFactors ?? 1) - 1;
  const policy = await policyFor(user);
  if (policy.mode === 'required') {
    // What counts is what login would still accept: another active factor of an allowed type.
    const others = (await listFactors(user.userId)).filter(
      (other) =>
        other.factorId !== factor.factorId &&
        other.status === 'active' &&
        policy.allowedFactorTypes.includes(other.type),
    );
    if (others.length === 0) throw new ApiError('mfa_required_by_policy');
  }
  const proof = await stepUp(user, auth, body?.verification, context);

  const ownCode = proof?.factor?.factorId === factor.factorId ? proof.totpStep : undefined;
  const proven = without(proof?.items ?? [], factorKey(user.userId, factor.factorId));
  // Without any factor MFA is off: recovery codes and remembered devices would only be ways
  // around a factor enrolled later (a recovery code given as the proof goes with its set).
  const proofItems =
    remaining === 0 ? withSetWrite(user.userId, proven, deleteRecoveryCodes(user.userId)) : proven;
  const devices = remaining === 0 ? await listDevices(user.userId) : [];
  await transact(
    [
      ...proofItems,
      // Its own code's step is recorded on the factor: then its failure is the proof's replay.
      guarded(removeFactor(factor, ownCode), ownCode !== undefined && proof ? proof.conflict : notFound()),
      setActiveFactors(user, remaining),
      ...devices.map((device) => forgetDevice(user.userId, device.deviceId)),
      ...eventPuts({
        type: 'factor.removed',
        userId: user.userId,
        orgId: user.orgId,
        ...context,
        details: { factorId: factor.factorId, type: factor.type },
      }),
    ],
    // Else a concurrent removal.
    notFound,
    proof?.lost,
  );
  await endOtherSessions(user.userId, authVersionOf(user) + 1, auth.sid, 'factor_removed');
  // With the last factor the whole set went, so there is no code left to report on.
  if (remaining > 0 && proof) await reportRecoveryUse(user, proof, context);
  await tellOwner(user, 'factorRemoved', factor, context);
  return { status: 204 };
});
