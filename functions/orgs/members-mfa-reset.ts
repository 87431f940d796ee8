import { managers, orgAccess, refuse, requireAal2 } from '../../shared/auth/org-access.ts';
import { notifyOwner } from '../../shared/auth/security-notice.ts';
import { stepUp } from '../../shared/auth/step-up.ts';
import { config } from '../../shared/config.ts';
import { table } from '../../shared/db/client.ts';
import { forgetDevice, listDevices } from '../../shared/db/devices.ts';
import { eventPuts } from '../../shared/db/events.ts';
import { factorKey, listFactors } from '../../shared/db/factors.ts';
import { hit } from '../../shared/db/rate.ts';
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

export const handler = http(routes.resetMemberMfa, async ({ params, body, auth, ip, userAgent }) => {
  const context = { ip, userAgent };
  const { org, caller } = await orgAccess(auth, params.orgId, managers);
  requireAal2(auth);
  const member = await findUserById(params.userId);
  // Someone outside this organisation looks exactly like nobody.
  if (!member || member.orgId !== org.orgId) throw new ApiError('not_found');
  // Never one's own: with a stolen password and a remembered device (aal 2 without a factor),
  // creating an organisation and resetting oneself would wipe the account's MFA. A lost phone
  // of one's own is what recovery codes are for.
  if (member.userId === caller.userId) {
    await refuse(
      org,
      caller,
      'mfa.reset',
      'Your own MFA cannot be reset here: sign in with a recovery code.',
      context,
    );
  }
  // Admins reset members; only the owner resets an admin (or is reset by nobody).
  if (member.role !== 'member' && caller.role !== 'owner') {
    await refuse(org, caller, 'mfa.reset', 'Only the owner can reset the MFA of an admin.', context);
  }
  // Wiping someone's sign-in methods is done with the caller's own, proven now: a verification,
  // or a session that proved a factor minutes ago (not a remembered device, not an old session).
  const proof = await stepUp(caller, auth, body?.verification, context);

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
  // The proof is spent with the first chunk.
  const all = [...(proof?.items ?? []), ...items];
  for (let i = 0; i < all.length; i += CHUNK) {
    await transact(
      all.slice(i, i + CHUNK),
      () => proof?.conflict ?? new ApiError('not_found'),
      i === 0 ? proof?.lost : undefined,
    );
  }

  // Told, but not 30 times for 30 resets in a row: the first few a day carry the news.
  const told = await hit(
    {
      scope: 'reset-notice',
      key: member.userId,
      seconds: 86_400,
      limit: config().resetNoticesPerMemberPerDay,
    },
    now,
  ).then(
    () => true,
    () => false,
  );
  if (told) await notifyOwner(member, (reportUrl) => mfaReset({ at: now, reportUrl }), 'mfa.reset');
  return { status: 204 };
});
