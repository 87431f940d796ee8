import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { digest, newRecoveryCode } from '../mfa/codes.ts';
import { db, table } from './client.ts';

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
