import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { config } from '../config.ts';
import { decrypt, encrypt } from '../crypto/aead.ts';
import { secretKey } from '../crypto/keyring.ts';
import { ApiError, tooMany } from '../http/errors.ts';
import type { FactorType } from '../mfa/factor-types.ts';
import { maskEmail, maskPhone } from '../mfa/phone.ts';
import { getChallenge } from './challenges.ts';
import { db, epochSeconds, isConditionFailure, table } from './client.ts';

/**
 * Factors: `USER#<id>` / `FACTOR#<id>`, so listing a user's factors is one Query. A pending
 * factor carries `expiresAt` (checked on every read) and a TTL. TOTP secrets are sealed with
 * AES-256-GCM under the `totp` data key (itself sealed under KMS, opened once per container),
 * with the user and factor ids as additional data so a sealed secret copied onto another
 * factor does not open.
 */
export interface Factor {
  factorId: string;
  userId: string;
  type: FactorType;
  status: 'pending' | 'active';
  label: string;
  /** E.164 number or email address; absent for TOTP. */
  destination?: string;
  sealedSecret?: string;
  lastTotpStep?: number;
  /**
   * Future TOTP steps whose codes were typed too early and answered with `clockSkewSeconds`:
   * never accepted when their time comes (see burnTotpStep).
   */
  burnedSteps?: Set<number>;
  /** Wrong first codes on a pending TOTP factor: bounded like any other guessing. */
  attempts?: number;
  /** The active sms/email factor this pending one replaces on activation. */
  replaces?: string;
  /** Pending sms/email: the challenge that carries the confirmation code. */
  challengeId?: string;
  /** A replacement written before its proof was spent: not activatable until it is. */
  awaitingProof?: boolean;
  /** SMS: the number's country (ISO 3166 alpha-2), for the per-country send budget. */
  country?: string;
  /** SMS/email: when the last code went out, and its challenge (one cooldown per factor). */
  lastCodeAt?: string;
  lastChallengeId?: string;
  createdAt: string;
  activatedAt?: string;
  lastUsedAt?: string;
  expiresAt?: string;
}

export interface PublicFactor {
  id: string;
  type: FactorType;
  label: string;
  destination: string | null;
  status: 'pending' | 'active';
  createdAt: string;
  lastUsedAt: string | null;
}

export const factorKey = (userId: string, factorId: string) => ({
  pk: `USER#${userId}`,
  sk: `FACTOR#${factorId}`,
});

/** The condition that `:step` was never accepted nor burned on the factor (each step once). */
const STEP_UNUSED =
  '(attribute_not_exists(lastTotpStep) OR lastTotpStep < :step) AND NOT contains(burnedSteps, :step)';

export function publicFactor(factor: Factor): PublicFactor {
  const masked = !factor.destination
    ? null
    : factor.type === 'sms'
      ? maskPhone(factor.destination)
      : maskEmail(factor.destination);
  return {
    id: factor.factorId,
    type: factor.type,
    label: factor.label,
    destination: masked,
    status: factor.status,
    createdAt: factor.createdAt,
    lastUsedAt: factor.lastUsedAt ?? null,
  };
}

const live = (factor: Factor, now: Date) =>
  factor.status === 'active' || (factor.expiresAt !== undefined && factor.expiresAt > now.toISOString());

export async function getFactor(
  userId: string,
  factorId: string,
  now = new Date(),
): Promise<Factor | undefined> {
  const out = await db.send(
    new GetCommand({ TableName: table(), Key: factorKey(userId, factorId), ConsistentRead: true }),
  );
  return liveFactor(out.Item, now);
}

/** A factor item as read (here or with other items in one batch): pending ones expire on read. */
export function liveFactor(item: Record<string, unknown> | undefined, now = new Date()): Factor | undefined {
  const factor = item as Factor | undefined;
  return factor && live(factor, now) ? factor : undefined;
}

export async function listFactors(userId: string, now = new Date()): Promise<Factor[]> {
  const out = await db.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :factor)',
      ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':factor': 'FACTOR#' },
      ConsistentRead: true,
    }),
  );
  return ((out.Items ?? []) as Factor[]).filter((factor) => live(factor, now));
}

/** The Put creating a pending factor that expires unless activated (for a transaction). */
export function pendingFactorPut(factor: Omit<Factor, 'status' | 'expiresAt'>, now = new Date()) {
  const expiresAt = new Date(now.getTime() + config().pendingFactorTtlSeconds * 1000);
  const item: Factor = { ...factor, status: 'pending', expiresAt: expiresAt.toISOString() };
  return {
    factor: item,
    put: {
      Put: {
        TableName: table(),
        Item: { ...factorKey(factor.userId, factor.factorId), ...item, ttl: epochSeconds(expiresAt) },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  };
}

/** Undoes a pending factor whose creation failed; never touches one that became active. */
export async function deletePendingFactor(userId: string, factorId: string): Promise<void> {
  try {
    await db.send(
      new DeleteCommand({
        TableName: table(),
        Key: factorKey(userId, factorId),
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':pending': 'pending' },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/** Transaction item: the proof behind a replacement is spent, so the factor may now activate. */
export function proofSpent(factor: Factor) {
  return {
    Update: {
      TableName: table(),
      Key: factorKey(factor.userId, factor.factorId),
      UpdateExpression: 'REMOVE awaitingProof',
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':pending': 'pending' },
    },
  };
}

/** Transaction item turning a pending factor active; it must still be pending and unexpired. */
export function activateFactor(factor: Factor, now: Date, totpStep?: number) {
  return {
    Update: {
      TableName: table(),
      Key: factorKey(factor.userId, factor.factorId),
      UpdateExpression: `SET #status = :active, activatedAt = :now${totpStep === undefined ? '' : ', lastTotpStep = :step'} REMOVE expiresAt, #ttl, attempts, challengeId`,
      // A replacement whose proof is not spent yet cannot activate: one proof, one replacement.
      ConditionExpression: '#status = :pending AND expiresAt > :now AND attribute_not_exists(awaitingProof)',
      ExpressionAttributeNames: { '#status': 'status', '#ttl': 'ttl' },
      ExpressionAttributeValues: {
        ':active': 'active',
        ':pending': 'pending',
        ':now': now.toISOString(),
        ...(totpStep === undefined ? {} : { ':step': totpStep }),
      },
    },
  };
}

/**
 * Transaction item removing a factor that must still be in the state it was read in. When the
 * factor's own TOTP code authorised the removal, the step check moves into this write (one
 * item per transaction), so that code still works only once.
 */
export function removeFactor(factor: Factor, acceptingTotpStep?: number) {
  const step = acceptingTotpStep === undefined ? '' : ` AND ${STEP_UNUSED}`;
  return {
    Delete: {
      TableName: table(),
      Key: factorKey(factor.userId, factor.factorId),
      ConditionExpression: `#status = :status${step}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': factor.status,
        ...(acceptingTotpStep === undefined ? {} : { ':step': acceptingTotpStep }),
      },
    },
  };
}

/**
 * Transaction item renaming a factor still in the state it was read in; when the factor's own
 * TOTP code authorised it, the step check moves into this write (one item per transaction).
 */
export function renameFactor(factor: Factor, label: string, acceptingTotpStep?: number) {
  const step = acceptingTotpStep !== undefined;
  return {
    Update: {
      TableName: table(),
      Key: factorKey(factor.userId, factor.factorId),
      UpdateExpression: `SET label = :label${step ? ', lastTotpStep = :step' : ''}`,
      ConditionExpression: `#status = :status${step ? ` AND ${STEP_UNUSED}` : ''}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':label': label,
        ':status': factor.status,
        ...(step ? { ':step': acceptingTotpStep } : {}),
      },
    },
  };
}

export interface SendSlot {
  /** What the factor said before the claim, to put back if the code is not delivered. */
  lastCodeAt?: string;
  lastChallengeId?: string;
}

/**
 * Claims the factor's next code send: one cooldown per factor, whatever the login, purpose or
 * challenge (a new challenge is no way around a resend's wait). `challengeId` becomes the
 * factor's current challenge. One conditional write; a refusal says how long to wait.
 *
 * The cooldown is that of an unused code: once the factor's last code was entered, the next
 * one may go out at once (sign in with a text, then change the number: the old number's proof
 * must not wait 30 s). Pumping gains nothing from that, as each code then needs the right code
 * before it and still counts in every send allowance. The extra read is only on that path.
 */
export async function claimSendSlot(
  factor: Factor,
  challengeId: string,
  now: Date,
  after?: { lastChallengeId: string },
): Promise<SendSlot> {
  const cooldown = config().resendCooldownSeconds * 1000;
  const cutoff = new Date(now.getTime() - cooldown).toISOString();
  try {
    const out = await db.send(
      new UpdateCommand({
        TableName: table(),
        Key: factorKey(factor.userId, factor.factorId),
        UpdateExpression: 'SET lastCodeAt = :now, lastChallengeId = :challenge',
        // `after`: the last code was used; only the first of parallel claims takes its place.
        ConditionExpression: after
          ? 'attribute_exists(pk) AND lastChallengeId = :used'
          : 'attribute_exists(pk) AND (attribute_not_exists(lastCodeAt) OR lastCodeAt <= :cutoff)',
        ExpressionAttributeValues: {
          ':now': now.toISOString(),
          ':challenge': challengeId,
          ...(after ? { ':used': after.lastChallengeId } : { ':cutoff': cutoff }),
        },
        ReturnValues: 'ALL_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    const old = (out.Attributes ?? {}) as Factor;
    return {
      ...(old.lastCodeAt ? { lastCodeAt: old.lastCodeAt } : {}),
      ...(old.lastChallengeId ? { lastChallengeId: old.lastChallengeId } : {}),
    };
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    const raw = (error as { Item?: Parameters<typeof unmarshall>[0] }).Item;
    const last = raw ? (unmarshall(raw) as Factor) : undefined;
    if (!last?.lastCodeAt) throw new ApiError('not_found');
    if (!after && last.lastChallengeId && (await getChallenge(last.lastChallengeId))?.usedAt) {
      return claimSendSlot(factor, challengeId, now, { lastChallengeId: last.lastChallengeId });
    }
    throw tooMany('resend_too_soon', (Date.parse(last.lastCodeAt) + cooldown - now.getTime()) / 1000);
  }
}

/** Puts the slot back when the code could not be delivered: nothing was spent. */
export async function releaseSendSlot(factor: Factor, previous: SendSlot, challengeId: string, now: Date) {
  const keep = previous.lastCodeAt !== undefined;
  try {
    await db.send(
      new UpdateCommand({
        TableName: table(),
        Key: factorKey(factor.userId, factor.factorId),
        UpdateExpression: keep
          ? `SET lastCodeAt = :previous${previous.lastChallengeId ? ', lastChallengeId = :previousChallenge' : ''}`
          : 'REMOVE lastCodeAt, lastChallengeId',
        ConditionExpression: 'lastCodeAt = :now AND lastChallengeId = :challenge',
        ExpressionAttributeValues: {
          ':now': now.toISOString(),
          ':challenge': challengeId,
          ...(keep ? { ':previous': previous.lastCodeAt } : {}),
          ...(keep && previous.lastChallengeId ? { ':previousChallenge': previous.lastChallengeId } : {}),
        },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

export async function setChallengeOfFactor(factor: Factor, challengeId: string): Promise<void> {
  await db.send(
    new UpdateCommand({
      TableName: table(),
      Key: factorKey(factor.userId, factor.factorId),
      UpdateExpression: 'SET challengeId = :challenge',
      // Never recreate a factor deleted meanwhile as a stub.
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':challenge': challengeId, ':pending': 'pending' },
    }),
  );
}

/**
 * Spends one of a pending TOTP factor's first-code attempts BEFORE the code is compared, so
 * parallel guesses stay within the limit; the attempts used so far, or undefined when spent.
 */
export async function reservePendingAttempt(factor: Factor): Promise<number | undefined> {
  try {
    const out = await db.send(
      new UpdateCommand({
        TableName: table(),
        Key: factorKey(factor.userId, factor.factorId),
        UpdateExpression: 'ADD attempts :one',
        ConditionExpression: '#status = :pending AND (attribute_not_exists(attempts) OR attempts < :max)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':one': 1, ':pending': 'pending', ':max': config().codeMaxAttempts },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return out.Attributes?.attempts as number;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

const aad = (userId: string, factorId: string) => `totp:${userId}:${factorId}`;

export async function sealTotpSecret(userId: string, factorId: string, secret: Buffer): Promise<string> {
  return encrypt(await secretKey('totp'), secret, aad(userId, factorId));
}

export async function openTotpSecret(factor: Factor): Promise<Buffer> {
  if (!factor.sealedSecret) throw new Error('TOTP factor without a secret');
  return decrypt(await secretKey('totp'), factor.sealedSecret, aad(factor.userId, factor.factorId));
}

/**
 * Transaction item accepting a TOTP code for `step`: each step at most once per factor
 * (RFC 6238 §5.2), enforced by the condition rather than by a read. Burned steps the accepted
 * one has overtaken can never match again: they go.
 */
export function acceptTotpStep(factor: Factor, step: number, now = new Date()) {
  const overtaken = [...(factor.burnedSteps ?? [])].filter((burned) => burned <= step);
  return {
    Update: {
      TableName: table(),
      Key: factorKey(factor.userId, factor.factorId),
      UpdateExpression: `SET lastTotpStep = :step, lastUsedAt = :now${overtaken.length ? ' DELETE burnedSteps :overtaken' : ''}`,
      ConditionExpression: `attribute_exists(pk) AND ${STEP_UNUSED}`,
      ExpressionAttributeValues: {
        ':step': step,
        ':now': now.toISOString(),
        ...(overtaken.length ? { ':overtaken': new Set(overtaken) } : {}),
      },
    },
  };
}

/**
 * A wrong code that is the factor's code of a FUTURE step was answered with `clockSkewSeconds`,
 * which tells whoever typed it that it will be right in that many seconds. For a guesser that
 * would make every one of the 20 future steps a target instead of the current two; so that
 * step's code is burned here, before the answer leaves: it is never accepted. Past steps tell
 * nothing usable and are not recorded.
 */
export async function burnTotpStep(factor: Factor, step: number): Promise<void> {
  await db
    .send(
      new UpdateCommand({
        TableName: table(),
        Key: factorKey(factor.userId, factor.factorId),
        UpdateExpression: 'ADD burnedSteps :step',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':step': new Set([step]) },
      }),
    )
    .catch((error: unknown) => {
      // A factor removed meanwhile accepts nothing any more: nothing left to burn.
      if (!isConditionFailure(error)) throw error;
    });
}

/** Transaction item: a factor was used to log in or verify. */
export function touchFactor(factor: Factor, now = new Date()) {
  return {
    Update: {
      TableName: table(),
      Key: factorKey(factor.userId, factor.factorId),
      UpdateExpression: 'SET lastUsedAt = :now',
      ConditionExpression: '#status = :active',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':now': now.toISOString(), ':active': 'active' },
    },
  };
}
