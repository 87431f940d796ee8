import { managers, orgAccess, requireAal2 } from '../../shared/auth/org-access.ts';
import { notifyOwner } from '../../shared/auth/security-notice.ts';
import { table } from '../../shared/db/client.ts';
import { forgetDevice, listDevices } from '../../shared/db/devices.ts';
import { eventPuts } from '../../shared/db/events.ts';
import { factorKey, listFactors } from '../../shared/db/factors.ts';
import { deleteRecoveryCodes } from '../../shared/db/recovery.ts';
import { listUserSessionIds, revokeSessionItem } from '../../shared/db/sessions.ts';
import { type TransactItem, transact } from '../../shared/db/transact.ts';
import { findUserById, profileKey } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { clearMfaFailures } from '../../shared/mfa/guard.ts';
import { mfaReset } from '../../shared/notify/templates.ts';
import { routes } from '../routes.ts';

// DynamoDB transactions hold at most 100 items.
const CHUNK = 100;

export const handler = http(routes.resetMemberMfa, async ({ params, auth, ip, userAgent }) => {
  const { org, caller } = await orgAccess(auth, params.orgId, managers);
  requireAal2(auth);
  const member = await findUserById(params.userId);
  // Someone outside this organisation looks exactly like nobody.
  if (!member || member.orgId !== org.orgId) throw new ApiError('not_found');
  if (member.role === 'owner' && caller.role !== 'owner') throw new ApiError('forbidden');

  const now = new Date();
  const [factors, devices, sessionIds] = await Promise.all([
    listFactors(member.userId),
    listDevices(member.userId),
    listUserSessionIds(member.userId),
  ]);
  const items: TransactItem[] = [
    // Sessions first: if a later chunk failed, the member would be logged out, not left in.
    ...sessionIds.map((sessionId) => revokeSessionItem(sessionId, 'mfa_reset', now)),
    ...factors.map((factor) => ({
      Delete: { TableName: table(), Key: factorKey(member.userId, factor.factorId) },
    })),
    ...devices.map((device) => forgetDevice(member.userId, device.deviceId)),
    deleteRecoveryCodes(member.userId),
    clearMfaFailures(member.userId),
    {
      Update: {
        TableName: table(),
        Key: profileKey(member.userId),
        // The member's means of authentication changed: logins in flight and devices die with it.
        UpdateExpression: 'SET activeFactors = :zero ADD authVersion :one',
        ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
      },
    },
    ...eventPuts(
      {
        type: 'mfa.reset',
        userId: member.userId,
        actorId: caller.userId,
        orgId: org.orgId,
        ip,
        userAgent,
        details: {
          factorsRemoved: factors.length,
          devicesRemoved: devices.length,
          sessionsRevoked: sessionIds.length,
        },
      },
      now,
    ),
  ];
  for (let i = 0; i < items.length; i += CHUNK) await transact(items.slice(i, i + CHUNK));

  await notifyOwner(member, (reportUrl) => mfaReset({ at: now, reportUrl }), 'mfa.reset');
  return { status: 204 };
});
