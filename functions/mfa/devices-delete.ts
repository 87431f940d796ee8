import { deleteDevice } from '../../shared/db/devices.ts';
import { recordEvent } from '../../shared/db/events.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { routes } from '../routes.ts';

export const handler = http(routes.deleteDevice, async ({ params, auth, ip, userAgent }) => {
  if (!(await deleteDevice(auth.sub, params.deviceId))) throw new ApiError('not_found');
  await recordEvent({
    type: 'device.revoked',
    userId: auth.sub,
    ip,
    userAgent,
    details: { deviceId: params.deviceId },
  });
  return { status: 204 };
});
