import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { config } from '../config.ts';
import { randomToken } from '../crypto/random.ts';
import { ApiError } from '../http/errors.ts';
import { digest } from '../mfa/codes.ts';
import { db, epochSeconds, getItems, itemId, table } from './client.ts';
import { type Factor, factorKey, liveFactor } from './factors.ts';
import { sessionKey } from './sessions.ts';
import { type TransactItem, transact } from './transact.ts';
import { authVersionOf, profileKey, type User } from './users.ts';

/**
 * A password-verified login waiting for its second factor: `MFATOKEN#<digest>` / `LOGIN`.
 * Only the mfaToken's digest is stored. The login names the session it may become: creating
 * that session (a Put conditional on its absence) is what uses the login up, so one login
 * yields at most one session without a Delete in the session's transaction, and a login whose
 * session exists is refused when it is read.
 */
export interface PendingLogin {
  tokenDigest: string;
  userId: string;
  expiresAt: string;
  /** The password version the password step saw: a password changed since ends this login. */
  authVersion: number;
  /** The id of the session this login becomes (absent on logins from before it had one). */
  sessionId?: string;
  /** A password reset waiting for its second factor: the new password takes effect with it. */
  reset?: { passwordHash: string };
  /** The user's profile, read with the login in one round trip. */
  user: User;
  /** The factor the request names, read with them (absent: no such live factor of this user). */
  factor?: Factor;
}

const key = (tokenDigest: string) => ({ pk: `MFATOKEN#${tokenDigest}`, sk: 'LOGIN' });

export interface NewPendingLogin {
  reset?: PendingLogin['reset'];
  /** What the password step used up (a reset code): written with the login, or neither is. */
  items?: TransactItem[];
  conflict?: () => Error;
}

/**
 * `<userId>.<sessionId>.<secret>`: the ids let the login, the profile, the factor and the
 * session it becomes be read in one BatchGetItem. They are no secret (the access token's `sub`
 * and `sid` after the MFA step) and prove nothing: the login item is found by the digest of
 * the whole token and must name both.
 */
const TOKEN = /^([0-9A-HJKMNP-TV-Z]{26})\.([0-9A-HJKMNP-TV-Z]{26})\.[\w-]{43}$/;
// Tokens issued before the ids were part of them (in flight across an upgrade, 10 minutes).
const UNSCOPED_TOKEN = /^[\w-]{43}$/;

export async function createPendingLogin(user: User, options: NewPendingLogin = {}, now = new Date()) {
  const sessionId = ulid();
  const mfaToken = `${user.userId}.${sessionId}.${randomToken()}`;
  const tokenDigest = await digest('mfa-token', mfaToken);
  const expiresAt = new Date(now.getTime() + config().mfaTokenTtlSeconds * 1000);
  const put = {
    Put: {
      TableName: table(),
      Item: {
        ...key(tokenDigest),
        userId: user.userId,
        sessionId,
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

/**
 * The login behind an mfaToken, with the user's profile, the factor the request names, and
 * the session the login becomes: one consistent BatchGetItem, where reading them one after
 * the other took three round trips.
 */
export async function findPendingLogin(
  mfaToken: string,
  options: { factorId?: string } = {},
  now = new Date(),
): Promise<PendingLogin> {
  const ids = TOKEN.exec(mfaToken);
  if (!ids && !UNSCOPED_TOKEN.test(mfaToken)) throw new ApiError('mfa_token_invalid');
  const tokenDigest = await digest('mfa-token', mfaToken);
  const userKeys = (userId: string) => [
    profileKey(userId),
    ...(options.factorId ? [factorKey(userId, options.factorId)] : []),
  ];
  const loginKey = key(tokenDigest);
  const claimed = ids ? { userId: ids[1] as string, sessionId: ids[2] as string } : undefined;
  let items = await getItems(
    claimed ? [loginKey, ...userKeys(claimed.userId), sessionKey(claimed.sessionId)] : [loginKey],
  );
  const item = items.get(itemId(loginKey));
  // TTL deletion lags by up to two days: the expiry is checked here, not left to DynamoDB.
  if (!item || (item.expiresAt as string) <= now.toISOString()) throw new ApiError('mfa_token_invalid');
  const userId = item.userId as string;
  if (claimed) {
    // The ids are covered by the digest (a changed id finds no login); the session is the use.
    if (items.has(itemId(sessionKey(claimed.sessionId)))) throw new ApiError('mfa_token_invalid');
  } else items = await getItems(userKeys(userId));
  const user = items.get(itemId(profileKey(userId))) as User | undefined;
  // The password changed (or was reset) since this login's password step: the login ended with
  // the old password, on every MFA route (a challenge from it would still text the owner).
  if (!user || authVersionOf(user) !== ((item.authVersion as number | undefined) ?? 0))
    throw new ApiError('mfa_token_invalid');
  const factor = options.factorId
    ? liveFactor(items.get(itemId(factorKey(userId, options.factorId))), now)
    : undefined;
  return {
    tokenDigest,
    userId,
    expiresAt: item.expiresAt as string,
    authVersion: (item.authVersion as number | undefined) ?? 0,
    ...(claimed ? { sessionId: claimed.sessionId } : {}),
    ...(item.reset ? { reset: item.reset as PendingLogin['reset'] } : {}),
    user,
    ...(factor ? { factor } : {}),
  };
}

/**
 * Transaction items that use the login up besides its session: none when the session's
 * conditional Put does it. A login from before logins named their session, and a password
 * reset's (it holds the new password's hash, which should not outlive its use), are deleted.
 */
export function consumePendingLogin(login: PendingLogin, now = new Date()): TransactItem[] {
  if (login.sessionId && !login.reset) return [];
  return [
    {
      Delete: {
        TableName: table(),
        Key: key(login.tokenDigest),
        ConditionExpression: 'attribute_exists(pk) AND expiresAt > :now',
        ExpressionAttributeValues: { ':now': now.toISOString() },
      },
    },
  ];
}
