import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { randomToken } from '../crypto/random.ts';
import { ApiError } from '../http/errors.ts';
import { digest } from '../mfa/codes.ts';
import { db, epochSeconds, table } from './client.ts';
import { type TransactItem, transact } from './transact.ts';
import { authVersionOf, type User } from './users.ts';

/**
 * A password-verified login waiting for its second factor: `MFATOKEN#<digest>` / `LOGIN`.
 * The mfaToken is opaque and only its digest is stored; it is consumed in the same
 * transaction that creates the session, so one login yields at most one session.
 */
export interface PendingLogin {
  tokenDigest: string;
  userId: string;
  expiresAt: string;
  /** The password version the password step saw: a password changed since ends this login. */
  authVersion: number;
  /** A password reset waiting for its second factor: the new password takes effect with it. */
  reset?: { passwordHash: string };
}

const key = (tokenDigest: string) => ({ pk: `MFATOKEN#${tokenDigest}`, sk: 'LOGIN' });

export interface NewPendingLogin {
  reset?: PendingLogin['reset'];
  /** What the password step used up (a reset code): written with the login, or neither is. */
  items?: TransactItem[];
  conflict?: (index: number) => Error;
}

export async function createPendingLogin(user: User, options: NewPendingLogin = {}, now = new Date()) {
  const mfaToken = randomToken();
  const tokenDigest = await digest('mfa-token', mfaToken);
  const expiresAt = new Date(now.getTime() + config().mfaTokenTtlSeconds * 1000);
  const put = {
    Put: {
      TableName: table(),
      Item: {
        ...key(tokenDigest),
        userId: user.userId,
        authVersion: authVersionOf(user),
        ...(options.reset ? { reset: options.reset } : {}),
        expiresAt: expiresAt.toISOString(),
        ttl: epochSeconds(expiresAt),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
  if (options.items?.length) await transact([...options.items, put], options.conflict);
  else await db.send(new PutCommand(put.Put));
  return { mfaToken, expiresIn: config().mfaTokenTtlSeconds };
}

export async function findPendingLogin(mfaToken: string, now = new Date()): Promise<PendingLogin> {
  if (!/^[\w-]{43}$/.test(mfaToken)) throw new ApiError('mfa_token_invalid');
  const tokenDigest = await digest('mfa-token', mfaToken);
  const out = await db.send(
    new GetCommand({ TableName: table(), Key: key(tokenDigest), ConsistentRead: true }),
  );
  const item = out.Item;
  // TTL deletion lags by up to two days: the expiry is checked here, not left to DynamoDB.
  if (!item || item.expiresAt <= now.toISOString()) throw new ApiError('mfa_token_invalid');
  return {
    tokenDigest,
    userId: item.userId,
    expiresAt: item.expiresAt,
    authVersion: item.authVersion ?? 0,
    ...(item.reset ? { reset: item.reset } : {}),
  };
}

/** Transaction item: the login is used up by the write that creates its session. */
export function consumePendingLogin(login: PendingLogin, now = new Date()) {
  return {
    Delete: {
      TableName: table(),
      Key: key(login.tokenDigest),
      ConditionExpression: 'attribute_exists(pk) AND expiresAt > :now',
      ExpressionAttributeValues: { ':now': now.toISOString() },
    },
  };
}
