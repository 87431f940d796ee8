import { listDevices } from '../../shared/db/devices.ts';
import { http } from '../../shared/http/handler.ts';
import * as routes from '../routes/mfa.ts';

export const handler = http(routes.listDevices, async ({ auth }) => {
  const devices = await listDevices(auth.sub);
  return {
    status: 200,
    body: {
      devices: devices.map(({ deviceId, label, createdAt, lastUsedAt, expiresAt }) => ({
        id: deviceId,
        label,
        createdAt,
        lastUsedAt,
        expiresAt,
      })),
    },
  };
});
