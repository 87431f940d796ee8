import { notifyOwner } from '../auth/security-notice.ts';
import { config } from '../config.ts';
import { table } from '../db/client.ts';
import { forgetDevice, listDevices } from '../db/devices.ts';
import { eventPuts } from '../db/events.ts';
import { factorKey, listFactors } from '../db/factors.ts';
import type { MfaPolicy, Org } from '../db/orgs.ts';
import { hit } from '../db/rate.ts';
import { countRecoveryCodes, deleteRecoveryCodes } from '../db/recovery.ts';
import { listUserSessionIds, revokeSessionItem } from '../db/sessions.ts';
import { guarded, type TransactItem, transact } from '../db/transact.ts';
import { findUserById, resetProfileMfa, type User } from '../db/users.ts';
import { ApiError } from '../http/errors.ts';
import { type AfterReset, mfaReset } from '../notify/templates.ts';
import { clearMfaFailures, type RequestContext } from './guard.ts';
import { inGracePeriod } from './policy.ts';
import type { Checked } from './proof.ts';

// DynamoDB transactions hold at most 100 items.
const CHUNK = 100;
// A member whose means of authentication keep changing under a bulk reset is read again this often.
const BULK_READS = 3;

export interface ResetBy {
  org: Org;
  caller: User;
  context: RequestContext;
}

export interface ResetOptions {
  now: Date;
  /** The caller's step-up, spent with the first write (single resets). */
  proof?: Checked;
  /**
   * One of many (the whole organisation): a member with nothing to reset is left alone and not
   * counted, and a member whose MFA changed since it was read is read again, so parallel bulk
   * resets reset (and count, log and email) each member once.
   */
  bulk?: boolean;
}

class ChangedMeanwhile extends Error {}

/** What the member meets at the next sign-in, under the policy in force now. */
function afterReset(policy: MfaPolicy, now: Date): AfterReset {
  if (policy.mode !== 'required') return { mode: policy.mode };
  if (!inGracePeriod(policy, now)) return { mode: 'required' };
  const since = Date.parse(policy.requiredSince as string);
  return { mode: 'required', skipUntil: new Date(since + policy.graceDays * 86_400_000) };
}

/**
 * Resets a member's MFA (a lost phone): removes their factors, recovery codes and remembered
 * devices, revokes every session at once, records `mfa.reset` and emails them. The caller has
 * checked who may reset whom. Returns whether the member was reset (a bulk reset leaves those
 * with nothing to reset alone).
 */
export async function resetMemberMfa(member: User, by: ResetBy, options: ResetOptions): Promise<boolean> {
  const { now, proof, bulk = false } = options;
  let current: User | undefined = member;
  for (let read = 1; current; read++) {
    try {
      const reset = await writeReset(current, by, { now, bulk, ...(proof ? { proof } : {}) });
      if (reset) await tellMember(current, by.org, now);
      return reset;
    } catch (error) {
      if (!(error instanceof ChangedMeanwhile) || read >= BULK_READS) throw error;
      const again = await findUserById(member.userId);
      current = again?.orgId === by.org.orgId ? again : undefined;
    }
  }
  return false;
}

async function writeReset(
  member: User,
  by: ResetBy,
  options: { now: Date; bulk: boolean; proof?: Checked },
): Promise<boolean> {
  const { now, bulk, proof } = options;
  const [factors, devices, sessionIds, recoveryCodes] = await Promise.all([
    listFactors(member.userId),
    listDevices(member.userId),
    listUserSessionIds(member.userId),
    countRecoveryCodes(member.userId),
  ]);
  if (bulk && factors.length === 0 && devices.length === 0 && recoveryCodes === 0) return false;
  // A bulk reset writes the profile only as it was read: changed meanwhile, it is read again.
  const profile = guarded(resetProfileMfa(member, { ifUnchanged: bulk }), new ChangedMeanwhile());
  const items: TransactItem[] = [
    // Sessions first: if a later chunk failed, the member would be logged out, not left in.
    ...sessionIds.map((sessionId) => revokeSessionItem(sessionId, 'mfa_reset', now)),
    ...factors.map((factor) => ({
      Delete: { TableName: table(), Key: factorKey(member.userId, factor.factorId) },
    })),
    ...devices.map((device) => forgetDevice(member.userId, device.deviceId)),
    deleteRecoveryCodes(member.userId),
    clearMfaFailures(member.userId),
    profile,
    ...eventPuts(
      {
        type: 'mfa.reset',
        userId: member.userId,
        actorId: by.caller.userId,
        orgId: by.org.orgId,
        ...by.context,
        details: {
          factorsRemoved: factors.length,
          devicesRemoved: devices.length,
          sessionsRevoked: sessionIds.length,
          ...(bulk ? { bulk: true } : {}),
        },
      },
      now,
    ),
  ];
  // The proof is spent with the first chunk.
  const all = [...(proof?.items ?? []), ...items];
  for (let i = 0; i < all.length; i += CHUNK) {
    const chunk = all.slice(i, i + CHUNK);
    await transact(
      chunk,
      () => proof?.conflict ?? new ApiError('not_found'),
      i === 0 ? proof?.lost : undefined,
    );
  }
  return true;
}

/** Told, but not 30 times for 30 resets in a row: the first few a day carry the news. */
async function tellMember(member: User, org: Org, now: Date): Promise<void> {
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
  if (!told) return;
  const after = afterReset(org.policy, now);
  await notifyOwner(member, (reportUrl) => mfaReset({ at: now, reportUrl, after }), 'mfa.reset');
}
