import { randomUUID } from 'node:crypto';
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { tooMany } from '../http/errors.ts';
import { db, epochSeconds, isConditionFailure, table } from './client.ts';

/**
 * Consecutive-failure guards (password login per email, MFA per user).
 *
 * Every attempt is reserved BEFORE the secret is checked, by one conditional write: checking
 * first and counting afterwards would let a burst of parallel guesses all pass a "not locked
 * yet" read. The reservation that reaches the limit also sets the lock in the same write, as
 * pending: until that attempt turns out wrong (`confirmFailure`), the others of its burst are
 * answered `rate_limited` (retry in a second), not `locked`. An attempt that turns out right
 * gives its reservation back (`refundAttempt`), its lock too, so a burst of right answers (a
 * double click, a retry storm, one code sent twice) never counts as failures. A success
 * deletes the item: the count is of consecutive failures. With `growth`, each lock lasts twice
 * as long as the previous one (NIST SP 800-63B-4 §3.2.2), until a success.
 */
export interface GuardPolicy {
  maxFailures: number;
  lockSeconds: number;
  growth: boolean;
}

export interface GuardKey {
  pk: string;
  sk: string;
}

export interface Reservation {
  key: GuardKey;
  /** Attempts left after this one before the lock. */
  remaining: number;
  /** This attempt was the last allowed: if it fails, the subject is now locked until `lockedUntil`. */
  lockedUntil?: Date;
  /** The lock this attempt set, pending until it turns out wrong (confirmFailure) or right (refund). */
  pending?: string;
}

interface GuardItem {
  failures?: number;
  lockedUntil?: string;
  lockCount?: number;
  lockPending?: string;
}

// A lock count older than this is forgotten: growth punishes persistence, not last month.
const MEMORY_SECONDS = 24 * 60 * 60;
const MAX_LOCK_SECONDS = 24 * 60 * 60;

function oldItem(error: unknown): GuardItem {
  const raw = (error as { Item?: Parameters<typeof unmarshall>[0] }).Item;
  return (raw ? unmarshall(raw) : {}) as GuardItem;
}

export async function reserveAttempt(
  key: GuardKey,
  policy: GuardPolicy,
  now = new Date(),
): Promise<Reservation> {
  const lastBeforeLock = policy.maxFailures - 1;
  try {
    // The common case: below the limit, count this attempt.
    const out = await db.send(
      new UpdateCommand({
        TableName: table(),
        Key: key,
        UpdateExpression: 'SET failures = if_not_exists(failures, :zero) + :one, #ttl = :ttl',
        ConditionExpression: '(attribute_not_exists(failures) AND :one < :max) OR failures < :last',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':zero': 0,
          ':one': 1,
          ':max': policy.maxFailures,
          ':last': lastBeforeLock,
          ':ttl': epochSeconds(now) + MEMORY_SECONDS,
        },
        ReturnValues: 'UPDATED_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { key, remaining: policy.maxFailures - (out.Attributes?.failures as number) };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    return reserveAtLimit(key, policy, oldItem(error), now);
  }
}

async function reserveAtLimit(
  key: GuardKey,
  policy: GuardPolicy,
  old: GuardItem,
  now: Date,
): Promise<Reservation> {
  const failures = old.failures ?? 0;
  if (old.lockedUntil && new Date(old.lockedUntil) > now) {
    // A lock that an attempt of this very burst holds, undecided: come back in a second.
    if (old.lockPending) throw tooMany('rate_limited', 1);
    throw tooMany('locked', (new Date(old.lockedUntil).getTime() - now.getTime()) / 1000);
  }
  const pending = randomUUID();
  const locks = old.lockCount ?? 0;
  const seconds = Math.min(MAX_LOCK_SECONDS, policy.lockSeconds * (policy.growth ? 2 ** locks : 1));
  const lockedUntil = new Date(now.getTime() + seconds * 1000);
  // Either the last attempt before the lock, or the first one after an expired lock: both
  // conditional on exactly what was seen, so concurrent attempts cannot both take it.
  const afterExpiredLock = failures >= policy.maxFailures;
  try {
    await db.send(
      new UpdateCommand({
        TableName: table(),
        Key: key,
        UpdateExpression: afterExpiredLock
          ? 'SET failures = :one, #ttl = :ttl REMOVE lockedUntil'
          : 'SET failures = :max, lockedUntil = :until, lockCount = :locks, lockPending = :pending, #ttl = :ttl',
        ConditionExpression: 'failures = :seen',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':seen': failures,
          ':ttl': epochSeconds(afterExpiredLock ? now : lockedUntil) + MEMORY_SECONDS,
          ...(afterExpiredLock
            ? { ':one': 1 }
            : {
                ':max': policy.maxFailures,
                ':until': lockedUntil.toISOString(),
                ':locks': locks + 1,
                ':pending': pending,
              }),
        },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // Another attempt of the same burst changed the item in between: it holds the last slot.
    throw tooMany('rate_limited', 1);
  }
  return afterExpiredLock
    ? { key, remaining: policy.maxFailures - 1 }
    : { key, remaining: 0, lockedUntil, pending };
}

/** The attempt was wrong: its failure stands, and a lock it set is no longer pending. */
export async function confirmFailure(reservation: Reservation): Promise<void> {
  if (!reservation.pending) return;
  try {
    await db.send(
      new UpdateCommand({
        TableName: table(),
        Key: reservation.key,
        UpdateExpression: 'REMOVE lockPending',
        ConditionExpression: 'lockPending = :pending',
        ExpressionAttributeValues: { ':pending': reservation.pending },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/**
 * The attempt was right (whether or not what it was for then won its race): it was no
 * failure. Its count goes back, and the lock it set with it. A success clears the item anyway;
 * this covers the right answers of a burst that the success did not see.
 */
export async function refundAttempt(reservation: Reservation): Promise<void> {
  const pending = reservation.pending;
  try {
    await db.send(
      new UpdateCommand({
        TableName: table(),
        Key: reservation.key,
        UpdateExpression: pending
          ? 'SET failures = failures - :one, lockCount = lockCount - :one REMOVE lockedUntil, lockPending'
          : 'SET failures = failures - :one',
        // Only this attempt's own count: never one another attempt's lock rests on.
        ConditionExpression: pending
          ? 'lockPending = :pending'
          : 'failures > :zero AND attribute_not_exists(lockedUntil)',
        ExpressionAttributeValues: { ':one': 1, ...(pending ? { ':pending': pending } : { ':zero': 0 }) },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/** A success: the failures were not consecutive after all, and any growth is forgiven. */
export async function clearFailures(key: GuardKey): Promise<void> {
  await db.send(new DeleteCommand({ TableName: table(), Key: key }));
}
