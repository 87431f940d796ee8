import { endOtherSessions } from '../../shared/auth/auth-change.ts';
import { notifyOwner } from '../../shared/auth/security-notice.ts';
import { stepUp } from '../../shared/auth/step-up.ts';
import { eventPuts } from '../../shared/db/events.ts';
import { newRecoverySet, readRecoverySet, withSetWrite } from '../../shared/db/recovery.ts';
import { transact } from '../../shared/db/transact.ts';
import { authVersionOf, bumpAuthVersion, findUserById } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { recoveryCodesRegenerated } from '../../shared/notify/templates.ts';
import * as routes from '../routes/mfa.ts';

export const handler = http(routes.regenerateRecoveryCodes, async ({ body, auth, ip, userAgent }) => {
  const context = { ip, userAgent };
  const user = await findUserById(auth.sub);
  if (!user) throw new ApiError('unauthorized');
  // Recovery codes back up factors; with none active there is nothing to recover.
  if (!user.activeFactors) throw new ApiError('not_found', { message: 'Add a factor first.' });
  const proof = await stepUp(user, auth, body?.verification, context);

  const { codes, put } = await newRecoverySet(user.userId, new Date(), await readRecoverySet(user.userId));
  await transact(
    [
      // A recovery code as the proof is used up by the Put that replaces its set.
      ...withSetWrite(user.userId, proof?.items ?? [], put),
      bumpAuthVersion(user),
      ...eventPuts({ type: 'recovery_codes.generated', userId: user.userId, orgId: user.orgId, ...context }),
    ],
    // Only the proof's items can lose a race that the caller should hear about as such.
    () => proof?.conflict ?? new ApiError('verification_required'),
    proof?.lost,
  );
  await endOtherSessions(user.userId, authVersionOf(user) + 1, auth.sid, 'recovery_codes_regenerated');
  await notifyOwner(
    user,
    (reportUrl) => recoveryCodesRegenerated({ at: new Date(), ...context, reportUrl }),
    'recovery_codes.generated',
  );
  return { status: 201, body: { recoveryCodes: codes } };
});
