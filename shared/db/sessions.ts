import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ulid } from 'ulid';
import { config } from '../config.ts';
import { secretKey } from '../crypto/keyring.ts';
import { hmacSha256, randomToken } from '../crypto/random.ts';
import { db, epochSeconds, getItems, isConditionFailure, table } from './client.ts';
import { newEventId } from './events.ts';

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
  scope?: 'full' | 'mfa:enroll';
  rotation: number;
  createdAt: string;
  expiresAt: string;
  revokedAt?: string;
}

type SessionItem = Session & { pk: string; sk: string; refreshDigest: string; used: Record<string, string> };

const key = (sessionId: string) => ({ pk: `SESSION#${sessionId}`, sk: 'SESSION' });
export const sessionKey = key;

async function digest(token: string): Promise<string> {
  return hmacSha256(await secretKey('hmac'), `refresh:${token}`);
}

function parseRefreshToken(token: string): { sessionId: string; rotation: number } | undefined {
  const match = /^([0-9A-HJKMNP-TV-Z]{26})\.(\d{1,9})\.[A-Za-z0-9_-]{43}$/.exec(token);
  if (!match?.[1] || !match[2]) return undefined;
  return { sessionId: match[1], rotation: Number(match[2]) };
}

export interface NewSession {
  /** Chosen beforehand by the login this session completes (shared/db/logins.ts), else new. */
  sessionId?: string;
  userId: string;
  /** `mfa:enroll` sessions only back an enrollment token: short, and never refreshed. */
  scope?: 'full' | 'mfa:enroll';
  ttlSeconds?: number;
  orgId?: string;
  role?: 'owner' | 'admin' | 'member';
  aal: 1 | 2;
  amr: string[];
  authTime: Date;
  ip: string;
  userAgent: string;
  /**
   * The MFA step this login passed, with the id its `mfa.verified` event gets. The stream
   * worker writes that event and `session.created` from the session's record (sessionEventPuts).
   */
  proof?: SessionProof;
}

export interface SessionProof {
  method: string;
  factorId?: string;
  eventId: string;
}

/** A session and its first refresh token, with the Put that creates it (for a transaction). */
export async function newSession(input: NewSession, now = new Date()) {
  const sessionId = input.sessionId ?? ulid();
  const refreshToken = `${sessionId}.0.${randomToken()}`;
  const expiresAt = new Date(now.getTime() + (input.ttlSeconds ?? config().refreshTokenTtlSeconds) * 1000);
  const item: SessionItem = {
    ...key(sessionId),
    sessionId,
    userId: input.userId,
    ...(input.orgId ? { orgId: input.orgId } : {}),
    ...(input.role ? { role: input.role } : {}),
    aal: input.aal,
    amr: input.amr,
    authTime: input.authTime.toISOString(),
    scope: input.scope ?? 'full',
    rotation: 0,
    refreshDigest: await digest(refreshToken),
    used: {},
    createdAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
  };
  const ttl = epochSeconds(expiresAt);
  // The session and its entry in the user's index, written together: revoking all of a user's
  // sessions (an admin reset, a password change) needs no scan and misses none.
  const [put, index] = [
    {
      Put: {
        TableName: table(),
        Item: {
          ...item,
          ip: input.ip,
          userAgent: input.userAgent.slice(0, 256),
          ...(input.proof ? { proof: input.proof } : {}),
          // The id of its `session.created` event (derived by the stream worker): taken now, so
          // the event sorts after the ones the login recorded before (its MFA step's).
          createdEventId: newEventId(now),
          ttl,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    {
      Put: {
        TableName: table(),
        Item: { ...userSessionKey(input.userId, sessionId), sessionId, expiresAt: item.expiresAt, ttl },
      },
    },
  ];
  return { session: item as Session, refreshToken, puts: [put, index] };
}

export const userSessionKey = (userId: string, sessionId: string) => ({
  pk: `USER#${userId}`,
  sk: `SESSION#${sessionId}`,
});

/** The user's sessions that have not expired (revoked ones included: revoking twice is harmless). */
export async function listUserSessionIds(userId: string, now = new Date()): Promise<string[]> {
  const ids: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :session)',
        ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':session': 'SESSION#' },
        ExclusiveStartKey: start,
        // An admin reset revokes what this returns: a session opened a moment ago must be on it.
        ConsistentRead: true,
      }),
    );
    for (const item of out.Items ?? [])
      if (item.expiresAt > now.toISOString()) ids.push(item.sessionId as string);
    start = out.LastEvaluatedKey;
  } while (start);
  return ids;
}

/** A live session as its owner sees it in their list. */
export interface SessionView {
  sessionId: string;
  createdAt: string;
  lastUsedAt: string | null;
  ip: string | null;
  userAgent: string | null;
  aal: 1 | 2;
}

/** The user's live full sessions (not revoked, not expired, not enrollment-only), newest first. */
export async function listLiveSessions(userId: string, now = new Date()): Promise<SessionView[]> {
  const ids = await listUserSessionIds(userId, now);
  const items = [...(await getItems(ids.map(key))).values()] as unknown as (SessionItem & {
    ip?: string;
    userAgent?: string;
    lastUsedAt?: string;
  })[];
  return items
    .filter(
      (item) => !item.revokedAt && item.expiresAt > now.toISOString() && (item.scope ?? 'full') === 'full',
    )
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .map((item) => ({
      sessionId: item.sessionId,
      createdAt: item.createdAt,
      lastUsedAt: item.lastUsedAt ?? null,
      ip: item.ip || null,
      userAgent: item.userAgent || null,
      aal: item.aal,
    }));
}

/** Revokes one of the user's own live sessions; false when it is not theirs or not live. */
export async function revokeOwnSession(userId: string, sessionId: string, reason: string, now = new Date()) {
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(sessionId)) return false;
  try {
    await db.send(
      new UpdateCommand({
        TableName: table(),
        Key: key(sessionId),
        UpdateExpression: 'SET revokedAt = :now, revokedReason = :reason',
        // The owner is checked by the write itself: someone else's session id looks like none.
        ConditionExpression: 'userId = :user AND attribute_not_exists(revokedAt) AND expiresAt > :now',
        ExpressionAttributeValues: { ':now': now.toISOString(), ':reason': reason, ':user': userId },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export type RotateResult =
  /** `lastUsedAt`: the previous refresh (or the creation), for idle limits. */
  | { ok: true; session: Session; refreshToken: string; lastUsedAt: string }
  | { ok: false; reuse: false }
  /** `revoked`: this presentation ended the session (false: it had ended already). */
  | { ok: false; reuse: true; userId: string; sessionId: string; revoked: boolean };

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
        // Enrollment sessions never had a refresh token handed out; the scope check is defence in depth.
        ConditionExpression:
          'refreshDigest = :presented AND rotation = :rotation AND attribute_not_exists(revokedAt) AND expiresAt > :now AND (attribute_not_exists(#scope) OR #scope = :full)',
        ExpressionAttributeNames: {
          '#used': 'used',
          '#slot': `s${parsed.rotation % config().refreshReuseMemory}`,
          '#scope': 'scope',
        },
        ExpressionAttributeValues: {
          ':next': await digest(next),
          ':nextRotation': parsed.rotation + 1,
          ':rotation': parsed.rotation,
          ':presented': presentedDigest,
          ':now': now.toISOString(),
          ':full': 'full',
        },
        ReturnValues: 'ALL_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    const old = out.Attributes as SessionItem & { lastUsedAt?: string };
    const session = { ...old, rotation: parsed.rotation + 1, lastUsedAt: now.toISOString() };
    return { ok: true, session, refreshToken: next, lastUsedAt: old.lastUsedAt ?? old.createdAt };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const raw = (error as { Item?: Parameters<typeof unmarshall>[0] }).Item;
    const old = raw ? (unmarshall(raw) as SessionItem) : undefined;
    const reuse = !!old && Object.values(old.used ?? {}).includes(presentedDigest);
    if (!reuse || !old) return { ok: false, reuse: false };
    const revoked = await revokeSession(parsed.sessionId, 'refresh_token_reuse', now);
    return { ok: false, reuse: true, userId: old.userId, sessionId: parsed.sessionId, revoked };
  }
}

/**
 * Revokes every live session of the user but `keep`. Run AFTER the change that demands it has
 * committed: a login racing the change either committed before this listing (and is revoked
 * here) or confirms the password version after its own commit (openSession) and fails.
 */
/** How many sessions this ended (not those that had ended already). */
export async function revokeOtherSessions(userId: string, reason: string, keep?: string): Promise<number> {
  const ids = (await listUserSessionIds(userId)).filter((id) => id !== keep);
  const ended = await Promise.all(ids.map((id) => revokeSession(id, reason)));
  return ended.filter(Boolean).length;
}

/** Ends a session; false when it had ended already (or never existed). */
export async function revokeSession(sessionId: string, reason: string, now = new Date()): Promise<boolean> {
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
    return true;
  } catch (error) {
    // Already revoked (or gone): the goal holds either way.
    if (!isConditionFailure(error)) throw error;
    return false;
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

/** Transaction item revoking a session whatever its state (idempotent, for resets). */
export function revokeSessionItem(sessionId: string, reason: string, now: Date) {
  return {
    Update: {
      TableName: table(),
      Key: key(sessionId),
      UpdateExpression:
        'SET revokedAt = if_not_exists(revokedAt, :now), revokedReason = if_not_exists(revokedReason, :reason)',
      ExpressionAttributeValues: { ':now': now.toISOString(), ':reason': reason },
    },
  };
}

/**
 * Transaction item: the session just proved a factor it enrolled, so it now stands at aal 2
 * (its next access token says so). Only a live full session.
 */
export function upgradeSession(sessionId: string, amr: string[], now: Date) {
  return {
    Update: {
      TableName: table(),
      Key: key(sessionId),
      UpdateExpression: 'SET aal = :two, amr = :amr, authTime = :now',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt) AND #scope = :full',
      ExpressionAttributeNames: { '#scope': 'scope' },
      ExpressionAttributeValues: { ':two': 2, ':amr': amr, ':now': now.toISOString(), ':full': 'full' },
    },
  };
}

/** Transaction item ending a live enrollment session; fails if it already ended. */
export function endEnrollment(sessionId: string, now: Date) {
  return {
    Update: {
      TableName: table(),
      Key: key(sessionId),
      UpdateExpression: 'SET revokedAt = :now, revokedReason = :reason',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(revokedAt) AND #scope = :enroll',
      ExpressionAttributeNames: { '#scope': 'scope' },
      ExpressionAttributeValues: {
        ':now': now.toISOString(),
        ':reason': 'enrollment_completed',
        ':enroll': 'mfa:enroll',
      },
    },
  };
}
