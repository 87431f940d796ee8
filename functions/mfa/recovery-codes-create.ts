import { eventPuts } from '../../shared/db/events.ts';
import { newRecoverySet, withSetWrite } from '../../shared/db/recovery.ts';
import { transact } from '../../shared/db/transact.ts';
import { findUserById } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { checkProof } from '../../shared/mfa/proof.ts';
import { notifyAccount } from '../../shared/notify/email.ts';
import { recoveryCodesRegenerated } from '../../shared/notify/templates.ts';
import { routes } from '../routes.ts';

export const handler = http(routes.regenerateRecoveryCodes, async ({ body, auth, ip, userAgent }) => {
  const context = { ip, userAgent };
  const user = await findUserById(auth.sub);
  if (!user) throw new ApiError('unauthorized');
  const verification = body?.verification;
  if (!verification) throw new ApiError('verification_required');
  // Recovery codes back up factors; with none active there is nothing to recover.
  if (!user.activeFactors) throw new ApiError('not_found', { message: 'Add a factor first.' });
  const proof = await checkProof(user, verification, { purpose: 'verify' }, context);

  const { codes, put } = await newRecoverySet(user.userId);
  await transact(
    [
      // A recovery code as the proof is used up by the Put that replaces its set.
      ...withSetWrite(user.userId, proof.items, put),
      ...eventPuts({ type: 'recovery_codes.generated', userId: user.userId, orgId: user.orgId, ...context }),
    ],
    () => proof.conflict,
  );
  await notifyAccount(user.email, recoveryCodesRegenerated({ at: new Date(), ...context }), {
    userId: user.userId,
    event: 'recovery_codes.generated',
  });
  return { status: 201, body: { recoveryCodes: codes } };
});
