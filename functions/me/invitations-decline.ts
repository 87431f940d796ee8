import { consumeInvitation } from '../../shared/db/orgs.ts';
import { transact } from '../../shared/db/transact.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { routes } from '../routes.ts';

export const handler = http(routes.declineInvitation, async ({ params, auth }) => {
  await transact(consumeInvitation(auth.sub, params.orgId, new Date()), () => new ApiError('not_found'));
  return { status: 204 };
});
