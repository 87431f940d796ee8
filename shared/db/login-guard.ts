import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { config } from '../config.ts';
import { tooMany } from '../http/errors.ts';
import { db, epochSeconds, isConditionFailure, table } from './client.ts';
import { normaliseEmail } from './users.ts';

/**
 * Password-guessing lockout, keyed by the normalised email whether or not an account has it,
 * so a locked address answers the same for a real account and an unknown one.
 *
 * An attempt is reserved BEFORE the password is checked, by one conditional increment: with
 * the check after the hash, a burst of parallel guesses would all pass a "not locked yet"
 * read. The reservation that reaches the limit sets the lock; a correct password deletes the
 * item (the count is of consecutive failures). Item: `LOGINGUARD#<email>` / `PASSWORD`.
 */
const key = (email: string) => ({ pk: `LOGINGUARD#${normaliseEmail(email)}`, sk: 'PASSWORD' });

interface GuardItem {
  failures?: number;
  lockedUntil?: string;
  ttl?: number;
}

export async function reservePasswordAttempt(
  email: string,
  now = new Date(),
  retried = false,
): Promise<void> {
  const { passwordMaxFailures: max, passwordLockSeconds } = config();
  const lockEnd = new Date(now.getTime() + passwordLockSeconds * 1000);
  try {
    const out = await db.send(
      new UpdateCommand({
        TableName: table(),
        Key: key(email),
        UpdateExpression: 'SET failures = if_not_exists(failures, :zero) + :one, #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(failures) OR failures < :max',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':max': max, ':ttl': epochSeconds(lockEnd) },
        ReturnValues: 'UPDATED_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    if (out.Attributes?.failures === max) {
      // The last allowed try: the lock starts now and a correct password lifts it below.
      await db.send(
        new UpdateCommand({
          TableName: table(),
          Key: key(email),
          UpdateExpression: 'SET lockedUntil = :until',
          ExpressionAttributeValues: { ':until': lockEnd.toISOString() },
        }),
      );
    }
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const raw = (error as { Item?: Parameters<typeof unmarshall>[0] }).Item;
    const old = (raw ? unmarshall(raw) : {}) as GuardItem;
    // No lockedUntil means the limit-reaching try is still running (or died): its ttl bounds it.
    const until = old.lockedUntil ? new Date(old.lockedUntil) : new Date((old.ttl ?? 0) * 1000);
    if (until > now || retried) throw tooMany('locked', (until.getTime() - now.getTime()) / 1000);
    await clearExpiredLock(email, old);
    await reservePasswordAttempt(email, now, true);
  }
}

async function clearExpiredLock(email: string, old: GuardItem): Promise<void> {
  try {
    // Conditional on what we saw, so a lock set meanwhile by another try is not erased.
    await db.send(
      new DeleteCommand({
        TableName: table(),
        Key: key(email),
        ConditionExpression: 'failures = :failures',
        ExpressionAttributeValues: { ':failures': old.failures ?? 0 },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/** A correct password: the failures were not consecutive after all. */
export async function clearPasswordFailures(email: string): Promise<void> {
  await db.send(new DeleteCommand({ TableName: table(), Key: key(email) }));
}
