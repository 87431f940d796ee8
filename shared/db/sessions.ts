import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ulid } from 'ulid';
import { config } from '../config.ts';
import { secretKey } from '../crypto/keyring.ts';
import { hmacSha256, randomToken } from '../crypto/random.ts';
import { db, epochSeconds, isConditionFailure, table } from './client.ts';

/**
 * Sessions: `SESSION#<id>` / `SESSION`. A refresh token is `<sessionId>.<rotation>.<secret>`
 * and only its HMAC digest is stored. Rotation is one conditional update on the current
 * digest, so two uses of one token cannot both win. The digests of the last
 * REFRESH_REUSE_MEMORY rotated tokens sit in fixed slots (`rotation % N`): presenting one of
 * them again is a stolen-token signal (OAuth 2.0 Security BCP §4.14.2) and revokes the
 * session, while a forged token (a guessed session id with random bytes) is merely refused
 * and cannot be used to log someone out.
 */
export interface Session {
  sessionId: string;
  userId: string;
  orgId?: string;
  role?: 'owner' | 'admin' | 'member';
  aal: 1 | 2;
  amr: string[];
  authTime: string;
  rotation: number;
  createdAt: string;
  expiresAt: string;
  revokedAt?: string;
}

type SessionItem = Session & { pk: string; sk: string; refreshDigest: string; used: Record<string, string> };

const key = (sessionId: string) => ({ pk: `SESSION#${sessionId}`, sk: 'SESSION' });

async function digest(token: string): Promise<string> {
  return hmacSha256(await secretKey('hmac'), `refresh:${token}`);
}

function parseRefreshToken(token: string): { sessionId: string; rotation: number } | undefined {
  const match = /^([0-9A-HJKMNP-TV-Z]{26})\.(\d{1,9})\.[A-Za-z0-9_-]{43}$/.exec(token);
  if (!match?.[1] || !match[2]) return undefined;
  return { sessionId: match[1], rotation: Number(match[2]) };
}

export interface NewSession {
  userId: string;
  orgId?: string;
  role?: 'owner' | 'admin' | 'member';
  aal: 1 | 2;
  amr: string[];
  authTime: Date;
  ip: string;
  userAgent: string;
}

/** A session and its first refresh token, with the Put that creates it (for a transaction). */
export async function newSession(input: NewSession, now = new Date()) {
  const sessionId = ulid();
  const refreshToken = `${sessionId}.0.${randomToken()}`;
  const expiresAt = new Date(now.getTime() + config().refreshTokenTtlSeconds * 1000);
  const item: SessionItem = {
    ...key(sessionId),
    sessionId,
    userId: input.userId,
    ...(input.orgId ? { orgId: input.orgId } : {}),
    ...(input.role ? { role: input.role } : {}),
    aal: input.aal,
    amr: input.amr,
    authTime: input.authTime.toISOString(),
    rotation: 0,
    refreshDigest: await digest(refreshToken),
    used: {},
    createdAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
  };
  const put = {
    Put: {
      TableName: table(),
      Item: { ...item, ip: input.ip, userAgent: input.userAgent.slice(0, 256), ttl: epochSeconds(expiresAt) },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
  return { session: item as Session, refreshToken, put };
}

export async function createSession(input: NewSession, now = new Date()) {
  const { session, refreshToken, put } = await newSession(input, now);
  await db.send(new PutCommand(put.Put));
  return { session, refreshToken };
}

export type RotateResult =
  | { ok: true; session: Session; refreshToken: string }
  | { ok: false; reuse: boolean };

export async function rotateRefreshToken(presented: string, now = new Date()): Promise<RotateResult> {
  const parsed = parseRefreshToken(presented);
  if (!parsed) return { ok: false, reuse: false };
  const presentedDigest = await digest(presented);
  const next = `${parsed.sessionId}.${parsed.rotation + 1}.${randomToken()}`;
  try {
    const out = await db.send(
      new UpdateCommand({
        TableName: table(),
        Key: key(parsed.sessionId),
        UpdateExpression:
          'SET refreshDigest = :next, rotation = :nextRotation, #used.#slot = :presented, lastUsedAt = :now',
        ConditionExpression:
          'refreshDigest = :presented AND rotation = :rotation AND attribute_not_exists(revokedAt) AND expiresAt > :now',
        ExpressionAttributeNames: {
          '#used': 'used',
          '#slot': `s${parsed.rotation % config().refreshReuseMemory}`,
        },
        ExpressionAttributeValues: {
          ':next': await digest(next),
          ':nextRotation': parsed.rotation + 1,
          ':rotation': parsed.rotation,
          ':presented': presentedDigest,
          ':now': now.toISOString(),
        },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { ok: true, session: out.Attributes as Session, refreshToken: next };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const raw = (error as { Item?: Parameters<typeof unmarshall>[0] }).Item;
    const old = raw ? (unmarshall(raw) as SessionItem) : undefined;
    const reuse = !!old && Object.values(old.used ?? {}).includes(presentedDigest);
    if (reuse) await revokeSession(parsed.sessionId, 'refresh_token_reuse', now);
    return { ok: false, reuse };
  }
}

export async function revokeSession(sessionId: string, reason: string, now = new Date()): Promise<void> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: table(),
        Key: key(sessionId),
        UpdateExpression: 'SET revokedAt = :now, revokedReason = :reason',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt)',
        ExpressionAttributeValues: { ':now': now.toISOString(), ':reason': reason },
      }),
    );
  } catch (error) {
    // Already revoked (or gone): the goal holds either way.
    if (!isConditionFailure(error)) throw error;
  }
}

export async function findActiveSession(sessionId: string, now = new Date()): Promise<Session | undefined> {
  const out = await db.send(
    new GetCommand({ TableName: table(), Key: key(sessionId), ConsistentRead: true }),
  );
  const item = out.Item as SessionItem | undefined;
  if (!item || item.revokedAt || item.expiresAt <= now.toISOString()) return undefined;
  return item;
}
