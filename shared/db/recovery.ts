import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { digest, newRecoveryCode } from '../mfa/codes.ts';
import { db, table } from './client.ts';
import { type TransactItem, without } from './transact.ts';

/**
 * Recovery codes: `USER#<id>` / `RECOVERY`, a string set of keyed digests. Using a code is
 * one `DELETE` from the set conditioned on `contains`, so a code works once even when it is
 * presented twenty times in parallel (unlike a read, compare and rewrite of the list).
 */
const key = (userId: string) => ({ pk: `USER#${userId}`, sk: 'RECOVERY' });

export const recoveryDigest = (userId: string, normalised: string) => digest('recovery', userId, normalised);

/** A fresh set: the codes to show once, and the Put that replaces any previous set. */
// The codes of replaced sets remembered as spent: enough for a few regenerations (item size).
const RETIRED_KEPT = 50;

/**
 * A fresh set: the codes to show once, and the Put that replaces any previous set. The codes of
 * the set it replaces (`retiring`, as read) are remembered as spent, so one presented later (an
 * old sheet of paper, a request that lost its race) is told apart from a guess.
 */
export async function newRecoverySet(userId: string, now = new Date(), retiring?: RecoverySet) {
  const codes = Array.from({ length: config().recoveryCodeCount }, newRecoveryCode);
  const digests = await Promise.all(codes.map((code) => recoveryDigest(userId, code.replaceAll('-', ''))));
  const retired = retiring ? [...retiring.codes, ...retiring.spent].slice(-RETIRED_KEPT) : [];
  return {
    codes,
    put: {
      Put: {
        TableName: table(),
        Item: {
          ...key(userId),
          codes: new Set(digests),
          ...(retired.length ? { spent: new Set(retired) } : {}),
          createdAt: now.toISOString(),
        },
      },
    },
  };
}

export interface RecoverySet {
  codes: Set<string>;
  spent: Set<string>;
}

/** The unused codes' digests, and those of the codes of this set already used. */
export async function readRecoverySet(userId: string): Promise<RecoverySet> {
  const out = await db.send(new GetCommand({ TableName: table(), Key: key(userId), ConsistentRead: true }));
  return {
    codes: (out.Item?.codes as Set<string> | undefined) ?? new Set(),
    spent: (out.Item?.spent as Set<string> | undefined) ?? new Set(),
  };
}

export async function readRecoveryCodes(userId: string): Promise<Set<string>> {
  return (await readRecoverySet(userId)).codes;
}

export async function countRecoveryCodes(userId: string): Promise<number> {
  return (await readRecoveryCodes(userId)).size;
}

/** Transaction item using one code. */
export function useRecoveryCode(userId: string, codeDigest: string) {
  return {
    Update: {
      TableName: table(),
      Key: key(userId),
      // Remembered as spent (a digest, like the rest): a code presented again after its use is a
      // replay of a real code, told apart from a wrong guess, which alone counts as a failure.
      UpdateExpression: 'DELETE codes :code ADD spent :code',
      ConditionExpression: 'contains(codes, :digest)',
      ExpressionAttributeValues: { ':code': new Set([codeDigest]), ':digest': codeDigest },
    },
  };
}

export function deleteRecoveryCodes(userId: string) {
  return { Delete: { TableName: table(), Key: key(userId) } };
}

/**
 * The proof items plus `write`, a Put or Delete of the whole set. When the proof is a code of
 * that same set, DynamoDB refuses two operations on one item in a transaction, so the use is
 * folded into `write`: it happens only while the code is still in the set (`contains`), and the
 * code is gone with the set, so it still works once. `write` takes the use's place, among the
 * proof's items, so a lost race maps to the proof's conflict.
 */
export function withSetWrite(
  userId: string,
  proofItems: TransactItem[],
  write: { Put: NonNullable<TransactItem['Put']> } | { Delete: NonNullable<TransactItem['Delete']> },
): TransactItem[] {
  const k = key(userId);
  const use = proofItems.find((item) => item.Update?.Key?.pk === k.pk && item.Update?.Key?.sk === k.sk);
  if (!use?.Update) return [...proofItems, write];
  const condition = {
    ConditionExpression: 'contains(codes, :digest)',
    ExpressionAttributeValues: { ':digest': use.Update.ExpressionAttributeValues?.[':digest'] },
  };
  const conditioned =
    'Put' in write ? { Put: { ...write.Put, ...condition } } : { Delete: { ...write.Delete, ...condition } };
  return [conditioned, ...without(proofItems, k)];
}
