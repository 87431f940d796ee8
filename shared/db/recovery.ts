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
export async function newRecoverySet(userId: string, now = new Date()) {
  const codes = Array.from({ length: config().recoveryCodeCount }, newRecoveryCode);
  const digests = await Promise.all(codes.map((code) => recoveryDigest(userId, code.replaceAll('-', ''))));
  return {
    codes,
    put: {
      Put: {
        TableName: table(),
        Item: { ...key(userId), codes: new Set(digests), createdAt: now.toISOString() },
      },
    },
  };
}

export async function readRecoveryCodes(userId: string): Promise<Set<string>> {
  const out = await db.send(new GetCommand({ TableName: table(), Key: key(userId), ConsistentRead: true }));
  return (out.Item?.codes as Set<string> | undefined) ?? new Set();
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
      UpdateExpression: 'DELETE codes :code',
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
