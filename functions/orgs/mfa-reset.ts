import { everyone, orgAccess, refuse, requireAal2 } from '../../shared/auth/org-access.ts';
import { stepUp } from '../../shared/auth/step-up.ts';
import { listMembers } from '../../shared/db/orgs.ts';
import { transact } from '../../shared/db/transact.ts';
import { findUserById } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { resetMemberMfa } from '../../shared/mfa/reset.ts';
import * as routes from '../routes/orgs.ts';

// Members reset at once: enough to finish a large organisation within the function's timeout,
// few enough not to crowd the table's throughput.
const PARALLEL = 10;

export const handler = http(routes.resetOrgMfa, async ({ params, body, auth, ip, userAgent }) => {
  const context = { ip, userAgent };
  const { org, caller } = await orgAccess(auth, params.orgId, everyone);
  // Everyone's MFA at once is the one decision an admin never makes: a stolen admin account
  // would otherwise strip the whole organisation, the owner included, in one request.
  if (caller.role !== 'owner') {
    await refuse(
      org,
      caller,
      'mfa.reset',
      'Only the owner can reset the MFA of the whole organisation.',
      context,
    );
  }
  requireAal2(auth);
  // Typed, not clicked: a mistaken request (or a confused-deputy client) changes nothing. Checked
  // before the step-up, so a typo does not spend the caller's code.
  // Compared in NFC: an é typed on a keyboard matches the é of a name stored decomposed.
  if (body.confirm.normalize('NFC') !== org.name.normalize('NFC')) {
    throw new ApiError('invalid_request', {
      extra: { details: [{ path: 'body.confirm', message: "Must be the organisation's name, exactly." }] },
    });
  }
  const proof = await stepUp(caller, auth, body.verification, context);
  // Spent on its own, before any member: one proof, one bulk reset, however many members follow.
  if (proof) await transact(proof.items, () => proof.conflict, proof.lost);

  const now = new Date();
  // The caller's own MFA stays: a lost phone of one's own is what recovery codes are for.
  const others = (await listMembers(org.orgId)).filter((m) => m.userId !== caller.userId);
  let reset = 0;
  for (let i = 0; i < others.length; i += PARALLEL) {
    const done = await Promise.all(
      others.slice(i, i + PARALLEL).map(async ({ userId }) => {
        const member = await findUserById(userId);
        if (member?.orgId !== org.orgId) return false;
        return resetMemberMfa(member, { org, caller, context }, { now, bulk: true });
      }),
    );
    reset += done.filter(Boolean).length;
  }
  return { status: 200, body: { reset } };
});
