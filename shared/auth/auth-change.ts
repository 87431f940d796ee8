import { forgetDevicesBefore } from '../db/devices.ts';
import { revokeOtherSessions } from '../db/sessions.ts';
import { errorFields, log } from '../http/logger.ts';

/**
 * After a committed change to a user's means of authentication (ASVS 5.0 7.4.3: turning MFA
 * on, a factor added, replaced or removed, new recovery codes, a password change or reset):
 * every other session is revoked, so their refresh answers 401, and remembered devices of an
 * older auth version are forgotten (the version bump already stopped them counting: this
 * keeps the device list true). `keep`, the session that made the change, continues. A login
 * in flight across the change fails its own version check (openSession).
 */
export async function endOtherSessions(
  userId: string,
  authVersion: number,
  keep: string | undefined,
  reason: string,
): Promise<void> {
  await revokeOtherSessions(userId, reason, keep);
  try {
    await forgetDevicesBefore(userId, authVersion);
  } catch (error) {
    log.warn('remembered devices not deleted after an auth change', { userId, ...errorFields(error) });
  }
}
