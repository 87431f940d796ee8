import { forgetDevice, listDevices } from '../../shared/db/devices.ts';
import { eventPuts } from '../../shared/db/events.ts';
import { transact } from '../../shared/db/transact.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import * as routes from '../routes/mfa.ts';

export const handler = http(routes.deleteDevice, async ({ params, auth, ip, userAgent }) => {
  // Another user's device id looks exactly like a missing one.
  const device = (await listDevices(auth.sub)).find((item) => item.deviceId === params.deviceId);
  if (!device) throw new ApiError('not_found');
  const forget = forgetDevice(auth.sub, device.deviceId);
  await transact(
    [
      { Delete: { ...forget.Delete, ConditionExpression: 'attribute_exists(pk)' } },
      ...eventPuts({
        type: 'device.revoked',
        userId: auth.sub,
        ip,
        userAgent,
        details: { deviceId: device.deviceId },
      }),
    ],
    () => new ApiError('not_found'),
  );
  return { status: 204 };
});
