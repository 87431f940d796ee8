import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { notifyOwner } from '../auth/security-notice.ts';
import { config } from '../config.ts';
import { db, table } from '../db/client.ts';
import { recordEvent } from '../db/events.ts';
import { type Reservation, reserveAttempt } from '../db/guard.ts';
import type { User } from '../db/users.ts';
import { count, metricNames } from '../metrics.ts';
import { mfaLocked } from '../notify/templates.ts';

/**
 * One failure counter across every factor and challenge of a user (DESIGN.md Limits):
 * fresh challenges, resends or switching factors buy no extra guesses. Locks grow after the
 * first one (NIST SP 800-63B-4 §3.2.2) and any success resets the count.
 */
const key = (userId: string) => ({ pk: `MFAGUARD#${userId}`, sk: 'MFA' });

export function reserveMfaAttempt(userId: string, now = new Date()): Promise<Reservation> {
  const { mfaMaxFailures, mfaLockSeconds } = config();
  return reserveAttempt(
    key(userId),
    { maxFailures: mfaMaxFailures, lockSeconds: mfaLockSeconds, growth: true },
    now,
  );
}

/** When the user's MFA is locked (by confirmed failures), else undefined: one read. */
export async function mfaLockedUntil(userId: string, now = new Date()): Promise<Date | undefined> {
  const out = await db.send(new GetCommand({ TableName: table(), Key: key(userId), ConsistentRead: true }));
  const until = out.Item?.lockedUntil as string | undefined;
  if (!until || out.Item?.lockPending || until <= now.toISOString()) return undefined;
  return new Date(until);
}

/** Transaction item: the code was right, so the consecutive failures end with this write. */
export function clearMfaFailures(userId: string) {
  return { Delete: { TableName: table(), Key: key(userId) } };
}

export interface RequestContext {
  ip: string;
  userAgent: string;
}

/** A wrong code was counted: record it, and if it was the last allowed one, tell the owner. */
export async function recordMfaFailure(
  user: User,
  reservation: Reservation,
  context: RequestContext,
  details = {},
) {
  count(metricNames.mfaFailed);
  await recordEvent({ type: 'mfa.failed', userId: user.userId, ...context, details });
  if (!reservation.lockedUntil) return;
  count(metricNames.mfaLocked);
  const until = reservation.lockedUntil;
  await recordEvent({
    type: 'mfa.locked',
    userId: user.userId,
    ...context,
    details: { until: until.toISOString() },
  });
  await notifyOwner(
    user,
    (reportUrl) => mfaLocked({ at: new Date(), until, ...context, reportUrl }),
    'mfa.locked',
  );
}
