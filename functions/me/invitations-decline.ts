import { removeInvitation } from '../../shared/db/orgs.ts';
import { transact } from '../../shared/db/transact.ts';
import { findUserById } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import * as routes from '../routes/me.ts';

export const handler = http(routes.declineInvitation, async ({ params, auth }) => {
  const user = await findUserById(auth.sub);
  if (!user) throw new ApiError('unauthorized');
  await transact(removeInvitation(user.email, params.orgId, new Date()), () => new ApiError('not_found'));
  return { status: 204 };
});
