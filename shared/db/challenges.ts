import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { ulid } from 'ulid';
import { config } from '../config.ts';
import { ApiError, tooMany } from '../http/errors.ts';
import type { FactorType } from '../mfa/factor-types.ts';
import { db, epochSeconds, isConditionFailure, table } from './client.ts';

/**
 * Challenges: `CHALLENGE#<id>` / `CHALLENGE`. A code is stored as its digest, bound to the
 * challenge id; the challenge is bound to a user, a factor, a purpose and (for logins) the
 * login's token digest, so a code cannot be carried from one to another.
 *
 * Account codes (`signup`, `reset`) are challenges too, sent to an address rather than a
 * factor. Their id is the caller's only handle, so they are bound to their purpose alone. A
 * request for an address that must not get a code (a sign-up for a verified account, a reset
 * for an address without one) gets a challenge without a code: it counts attempts and resends
 * exactly like a live one and matches nothing, so its answers tell nobody which case it was.
 *
 * Verification is two conditional writes: reserve an attempt (which also proves the
 * challenge is live and belongs to the caller), then, if the code matched, mark it used
 * inside the transaction that does what the code was for. Reserving first bounds guesses
 * even when they arrive in parallel.
 */
export type Purpose = 'login' | 'enroll' | 'verify' | 'signup' | 'reset';

export interface Challenge {
  challengeId: string;
  /** Absent only on an account code that was never meant to work (see above). */
  userId?: string;
  /** The factor sent to; account codes have `email` instead. */
  factorId?: string;
  factorType?: FactorType;
  email?: string;
  purpose: Purpose;
  loginDigest?: string;
  codeDigest?: string;
  attempts: number;
  sends: number;
  expiresAt: string;
  resendAvailableAt: string;
  usedAt?: string;
}

const key = (challengeId: string) => ({ pk: `CHALLENGE#${challengeId}`, sk: 'CHALLENGE' });

export function newChallengeId(): string {
  return ulid();
}

const isAccountCode = (purpose: Purpose) => purpose === 'signup' || purpose === 'reset';

export function windows(now: Date, purpose: Purpose) {
  const { codeTtlSeconds, accountCodeTtlSeconds, resendCooldownSeconds } = config();
  const ttl = isAccountCode(purpose) ? accountCodeTtlSeconds : codeTtlSeconds;
  return {
    expiresAt: new Date(now.getTime() + ttl * 1000).toISOString(),
    resendAvailableAt: new Date(now.getTime() + resendCooldownSeconds * 1000).toISOString(),
  };
}

/** The Put of a new challenge, for a transaction. */
export function challengePut(challenge: Challenge) {
  return {
    Put: {
      TableName: table(),
      Item: {
        ...key(challenge.challengeId),
        ...challenge,
        ttl: epochSeconds(new Date(challenge.expiresAt)) + 3600,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

export async function putChallenge(challenge: Challenge): Promise<void> {
  await db.send(new PutCommand(challengePut(challenge).Put));
}

/**
 * The one live password reset of an address: `RESET#<address>` / `RESET` names it. Each new
 * reset replaces it and deletes the one it named, for every address alike (with or without an
 * account), so an older reset's code stops working and the answers still tell nobody which
 * addresses have accounts.
 */
export interface CurrentReset {
  resetId: string;
  expiresAt: string;
}

const resetKey = (email: string) => ({ pk: `RESET#${email}`, sk: 'RESET' });

export async function currentReset(email: string): Promise<CurrentReset | undefined> {
  const out = await db.send(
    new GetCommand({ TableName: table(), Key: resetKey(email), ConsistentRead: true }),
  );
  return out.Item ? { resetId: out.Item.resetId, expiresAt: out.Item.expiresAt } : undefined;
}

/**
 * Items that make `next` the address's reset: conditional on the one read before (a parallel
 * request that replaced it first wins), and the end of that one's code.
 */
export function replaceReset(email: string, next: Challenge, seen: CurrentReset | undefined) {
  return [
    {
      Put: {
        TableName: table(),
        Item: {
          ...resetKey(email),
          resetId: next.challengeId,
          expiresAt: next.expiresAt,
          ttl: epochSeconds(new Date(next.expiresAt)) + 3600,
        },
        ConditionExpression: seen ? 'resetId = :seen' : 'attribute_not_exists(pk)',
        ...(seen ? { ExpressionAttributeValues: { ':seen': seen.resetId } } : {}),
      },
    },
    ...(seen ? [voidChallenge(seen.resetId)] : []),
  ];
}

/** Transaction item ending a challenge whatever its state (a replaced sign-up's code dies with it). */
export function voidChallenge(challengeId: string) {
  return { Delete: { TableName: table(), Key: key(challengeId) } };
}

/** A plain read, to find the factor of a challenge; the conditional writes decide everything else. */
export async function getChallenge(challengeId: string): Promise<Challenge | undefined> {
  if (!/^[0-9A-Z]{26}$/.test(challengeId)) return undefined;
  const out = await db.send(
    new GetCommand({ TableName: table(), Key: key(challengeId), ConsistentRead: true }),
  );
  return out.Item as Challenge | undefined;
}

/** Undoes `putChallenge` when the code could not be delivered: nothing was spent. */
export async function deleteChallenge(challengeId: string): Promise<void> {
  await db.send(new DeleteCommand({ TableName: table(), Key: key(challengeId) }));
}

function old(error: unknown): Challenge | undefined {
  const raw = (error as { Item?: Parameters<typeof unmarshall>[0] }).Item;
  return raw ? (unmarshall(raw) as Challenge) : undefined;
}

export interface Owner {
  /** Absent for account codes, whose id is the caller's only handle on them. */
  userId?: string;
  purpose: Purpose;
  loginDigest?: string;
}

/** Why a challenge cannot take a code or a resend, as the error API.md names. */
function refusal(found: Challenge | undefined, owner: Owner, now: Date, resend = false): ApiError {
  const foreign =
    !found ||
    (owner.userId !== undefined && found.userId !== owner.userId) ||
    found.purpose !== owner.purpose ||
    (owner.loginDigest !== undefined && found.loginDigest !== owner.loginDigest);
  // Someone else's challenge looks exactly like a missing one.
  if (foreign || found.usedAt || found.expiresAt <= now.toISOString())
    return new ApiError('challenge_expired');
  if (found.attempts >= config().codeMaxAttempts) return tooMany('too_many_attempts', 1);
  if (resend && found.resendAvailableAt > now.toISOString()) {
    return tooMany('resend_too_soon', (Date.parse(found.resendAvailableAt) - now.getTime()) / 1000);
  }
  return new ApiError('challenge_expired');
}

const ownerCondition = (owner: Owner) =>
  `attribute_exists(pk)${owner.userId !== undefined ? ' AND userId = :user' : ''} AND purpose = :purpose AND attribute_not_exists(usedAt) AND expiresAt > :now`;

function ownerValues(owner: Owner, now: Date) {
  return {
    ...(owner.userId !== undefined ? { ':user': owner.userId } : {}),
    ':purpose': owner.purpose,
    ':now': now.toISOString(),
    ...(owner.loginDigest !== undefined ? { ':login': owner.loginDigest } : {}),
  };
}

const loginCondition = (owner: Owner) => (owner.loginDigest !== undefined ? ' AND loginDigest = :login' : '');

/** Spends one of the challenge's attempts and returns the challenge as it now stands. */
export async function reserveChallengeAttempt(
  challengeId: string,
  owner: Owner,
  now = new Date(),
): Promise<Challenge> {
  try {
    const out = await db.send(
      new UpdateCommand({
        TableName: table(),
        Key: key(challengeId),
        UpdateExpression: 'ADD attempts :one',
        ConditionExpression: `${ownerCondition(owner)}${loginCondition(owner)} AND attempts < :max`,
        ExpressionAttributeValues: {
          ...ownerValues(owner, now),
          ':one': 1,
          ':max': config().codeMaxAttempts,
        },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return out.Attributes as Challenge;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    throw refusal(old(error), owner, now);
  }
}

/**
 * A right code presented again after its use (a replay, often its own twin's) gives its attempt
 * back: it was no guess. Wrong codes keep theirs; a right code's goes back with its use.
 */
export async function refundChallengeAttempt(challengeId: string): Promise<void> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: table(),
        Key: key(challengeId),
        UpdateExpression: 'ADD attempts :minus',
        ConditionExpression: 'attempts > :zero',
        ExpressionAttributeValues: { ':minus': -1, ':zero': 0 },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/**
 * Replaces the code (the previous one stops working) once the cooldown has passed. Attempts
 * are NOT reset (NIST SP 800-63B-4 §3.1.3.2): a resend must not buy more guesses. A challenge
 * without a code stays without one (`codeDigest` undefined): only its times move.
 */
export async function replaceCode(
  challengeId: string,
  owner: Owner,
  codeDigest: string | undefined,
  now = new Date(),
) {
  const next = windows(now, owner.purpose);
  try {
    const out = await db.send(
      new UpdateCommand({
        TableName: table(),
        Key: key(challengeId),
        UpdateExpression: `SET ${codeDigest ? 'codeDigest = :code, ' : ''}expiresAt = :expires, resendAvailableAt = :resend, #ttl = :ttl ADD sends :one`,
        ConditionExpression: `${ownerCondition(owner)}${loginCondition(owner)} AND attempts < :max AND resendAvailableAt <= :now AND ${codeDigest ? 'attribute_exists' : 'attribute_not_exists'}(codeDigest)`,
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ...ownerValues(owner, now),
          ...(codeDigest ? { ':code': codeDigest } : {}),
          ':expires': next.expiresAt,
          ':resend': next.resendAvailableAt,
          ':ttl': epochSeconds(new Date(next.expiresAt)) + 3600,
          ':one': 1,
          ':max': config().codeMaxAttempts,
        },
        ReturnValues: 'ALL_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    const previous = out.Attributes as Challenge;
    return { previous, next: { ...previous, ...next, ...(codeDigest ? { codeDigest } : {}) } };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    throw refusal(old(error), owner, now, true);
  }
}

/** Puts the previous code back when the new one could not be delivered: nothing was spent. */
export async function restoreCode(previous: Challenge, replaced: Challenge): Promise<void> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: table(),
        Key: key(previous.challengeId),
        UpdateExpression: `SET ${previous.codeDigest ? 'codeDigest = :code, ' : ''}expiresAt = :expires, resendAvailableAt = :resend ADD sends :minus`,
        // Only if nothing replaced it again meanwhile.
        ConditionExpression: replaced.codeDigest ? 'codeDigest = :replaced' : 'resendAvailableAt = :replaced',
        ExpressionAttributeValues: {
          ...(previous.codeDigest ? { ':code': previous.codeDigest } : {}),
          ':expires': previous.expiresAt,
          ':resend': previous.resendAvailableAt,
          ':replaced': replaced.codeDigest ?? replaced.resendAvailableAt,
          ':minus': -1,
        },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/**
 * Transaction item: the code matched; the challenge is used by the write that acts on it, and
 * the attempt the right code reserved goes back in the same write (it was no failed try).
 */
export function consumeChallenge(challenge: Challenge, now = new Date()) {
  // The code checked must still be the current one: a resend in between voids it.
  const code = challenge.codeDigest ? 'codeDigest = :code' : 'attribute_not_exists(codeDigest)';
  return {
    Update: {
      TableName: table(),
      Key: key(challenge.challengeId),
      UpdateExpression: 'SET usedAt = :now ADD attempts :minus',
      ConditionExpression: `attribute_not_exists(usedAt) AND ${code} AND expiresAt > :now`,
      ExpressionAttributeValues: {
        ':now': now.toISOString(),
        ':minus': -1,
        ...(challenge.codeDigest ? { ':code': challenge.codeDigest } : {}),
      },
    },
  };
}
