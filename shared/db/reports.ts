import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { randomToken } from '../crypto/random.ts';
import { digest } from '../mfa/codes.ts';
import { db, epochSeconds, table } from './client.ts';

/**
 * "This wasn't me" links: `REPORT#<digest>` / `REPORT`. Each security email carries its own
 * opaque token (only its digest is stored), valid SECURITY_REPORT_TTL_DAYS and usable once:
 * using it deletes it in the same write that secures the account.
 */
export interface Report {
  tokenDigest: string;
  userId: string;
  expiresAt: string;
}

const key = (tokenDigest: string) => ({ pk: `REPORT#${tokenDigest}`, sk: 'REPORT' });

export async function createReportToken(userId: string, now = new Date()): Promise<string> {
  const token = randomToken();
  const expiresAt = new Date(now.getTime() + config().securityReportTtlDays * 86_400_000);
  await db.send(
    new PutCommand({
      TableName: table(),
      Item: {
        ...key(await digest('report', token)),
        userId,
        expiresAt: expiresAt.toISOString(),
        ttl: epochSeconds(expiresAt),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return token;
}

/** The live report a token stands for, if any (a plain read; using it is a conditional delete). */
export async function findReport(token: string, now = new Date()): Promise<Report | undefined> {
  if (!/^[\w-]{43}$/.test(token)) return undefined;
  const tokenDigest = await digest('report', token);
  const out = await db.send(
    new GetCommand({ TableName: table(), Key: key(tokenDigest), ConsistentRead: true }),
  );
  if (!out.Item || out.Item.expiresAt <= now.toISOString()) return undefined;
  return { tokenDigest, userId: out.Item.userId, expiresAt: out.Item.expiresAt };
}

/** Transaction item using the token up: it must still exist and be unexpired. */
export function useReport(report: Report, now: Date) {
  return {
    Delete: {
      TableName: table(),
      Key: key(report.tokenDigest),
      ConditionExpression: 'attribute_exists(pk) AND expiresAt > :now',
      ExpressionAttributeValues: { ':now': now.toISOString() },
    },
  };
}
