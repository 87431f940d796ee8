import { stepUp } from '../../shared/auth/step-up.ts';
import { eventPuts } from '../../shared/db/events.ts';
import { factorKey, getFactor, publicFactor, renameFactor } from '../../shared/db/factors.ts';
import { guarded, transact, without } from '../../shared/db/transact.ts';
import { findUserById } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { reportRecoveryUse, tellOwner } from '../../shared/mfa/notices.ts';
import * as routes from '../routes/mfa.ts';

// A label is what the user picks a factor by at login: renaming an active one is a change to
// their means of authentication like any other, and needs the same step-up.
export const handler = http(routes.updateFactor, async ({ params, body, auth, ip, userAgent }) => {
  const context = { ip, userAgent };
  const user = await findUserById(auth.sub);
  const factor = await getFactor(auth.sub, params.factorId);
  if (!user || !factor) throw new ApiError('not_found');
  const proof = factor.status === 'active' ? await stepUp(user, auth, body.verification, context) : undefined;
  const ownCode = proof?.factor?.factorId === factor.factorId ? proof.totpStep : undefined;
  const proven = without(proof?.items ?? [], factorKey(user.userId, factor.factorId));
  const renamedActive = factor.status === 'active' && factor.label !== body.label;
  const recorded = renamedActive
    ? eventPuts({
        type: 'factor.renamed',
        userId: user.userId,
        orgId: user.orgId,
        ...context,
        details: { factorId: factor.factorId, type: factor.type, from: factor.label, to: body.label },
      })
    : [];
  await transact(
    [
      ...proven,
      // Its own code's step is recorded on the factor: then its failure is the proof's replay.
      guarded(
        renameFactor(factor, body.label, ownCode),
        ownCode !== undefined && proof ? proof.conflict : new ApiError('not_found'),
      ),
      ...recorded,
    ],
    () => new ApiError('not_found'),
    proof?.lost,
  );
  if (proof) await reportRecoveryUse(user, proof, context);
  const renamed = { ...factor, label: body.label };
  // A pending factor's name is still part of setting it up; an active one's is what logins show.
  if (renamedActive) {
    await tellOwner(user, 'factorRenamed', renamed, context, factor);
  }
  return { status: 200, body: { factor: publicFactor(renamed) } };
});
