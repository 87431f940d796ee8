import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { config } from '../config.ts';
import { ApiError } from '../http/errors.ts';
import { errorFields, log } from '../http/logger.ts';
import { db, epochSeconds, table } from './client.ts';
import type { SessionProof } from './sessions.ts';

/**
 * Security events: `USER#<id>` / `EVENT#<ulid>` (and `ORG#<id>` / `EVENT#<ulid>` for an org's
 * audit log). ULIDs sort by time, so "newest first" is one Query with ScanIndexForward false.
 * Kept ~400 days (TTL) for investigations; events never contain codes or tokens.
 */
export { EVENT_TYPES, type EventType } from './event-types.ts';

import type { EventType } from './event-types.ts';

export interface EventInput {
  type: EventType;
  userId: string;
  actorId?: string;
  orgId?: string;
  ip?: string;
  userAgent?: string;
  details?: Record<string, unknown>;
}

export interface SecurityEvent {
  id: string;
  type: EventType;
  at: string;
  actorId: string;
  userId: string;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}

// Monotonic: events written in one request (one millisecond) still sort in the order they happened.
const nextId = monotonicFactory();

/**
 * An event id (a ULID) from the same monotonic source as every event of this container: for a
 * record that an event is later derived from (a session, by the stream worker), so the event
 * sorts where it happened among the request's other events.
 */
export const newEventId = (now = new Date()) => nextId(now.getTime());

/** The Put(s) of one event, for a transaction: the event commits with the change it records. */
export function eventPuts(input: EventInput, now = new Date()) {
  return eventPutsWithId(nextId(now.getTime()), input, now);
}

function eventPutsWithId(id: string, input: EventInput, now: Date) {
  const event: SecurityEvent = {
    id,
    type: input.type,
    at: now.toISOString(),
    actorId: input.actorId ?? input.userId,
    userId: input.userId,
    ip: input.ip || null,
    userAgent: input.userAgent?.slice(0, 256) || null,
    details: input.details ?? {},
  };
  const ttl = epochSeconds(now) + config().eventTtlDays * 24 * 60 * 60;
  const owners = [`USER#${input.userId}`, ...(input.orgId ? [`ORG#${input.orgId}`] : [])];
  // The org travels with the event (the ORG# copy's key names it; the USER# copy needs it for the bus).
  const org = input.orgId ? { orgId: input.orgId } : {};
  return owners.map((pk) => ({
    Put: { TableName: table(), Item: { pk, sk: `EVENT#${id}`, ...event, ...org, ttl } },
  }));
}

/**
 * What a new session's stream record implies: `session.created`, and `mfa.verified` for a login
 * that passed an MFA step. Their ids were chosen when the session was opened (so they sort with
 * the request's other events), and each Put is conditional on the event not being there yet:
 * the stream delivers a record at least once, the audit log holds each event once.
 */
export function sessionEventPuts(session: Record<string, unknown>) {
  const at = new Date(session.createdAt as string);
  const context = {
    userId: session.userId as string,
    ip: session.ip as string | undefined,
    userAgent: session.userAgent as string | undefined,
  };
  const proof = session.proof as SessionProof | undefined;
  const puts = [
    ...(proof
      ? eventPutsWithId(
          proof.eventId,
          {
            type: 'mfa.verified',
            ...context,
            details: { method: proof.method, ...(proof.factorId ? { factorId: proof.factorId } : {}) },
          },
          at,
        )
      : []),
    ...eventPutsWithId(
      session.createdEventId as string,
      { type: 'session.created', ...context, details: { aal: session.aal, amr: session.amr } },
      at,
    ),
  ];
  return puts.map(({ Put }) => ({ ...Put, ConditionExpression: 'attribute_not_exists(pk)' }));
}

/**
 * An event about something already committed (a code sent, a failure counted). Best effort: an
 * answer must not turn into a 500 after the change it reports has happened; changes that must
 * not exist without their event write it in their own transaction (`eventPuts`).
 */
export async function recordEvent(input: EventInput, now = new Date()): Promise<void> {
  try {
    await Promise.all(eventPuts(input, now).map(({ Put }) => db.send(new PutCommand(Put))));
  } catch (error) {
    log.error('event not recorded', { type: input.type, userId: input.userId, ...errorFields(error) });
  }
}

function decodeCursor(cursor: string | undefined, owner: string): Record<string, string> | undefined {
  if (!cursor) return undefined;
  const sk = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^EVENT#[0-9A-Z]{26}$/.test(sk)) {
    throw new ApiError('invalid_request', {
      extra: { details: [{ path: 'query.cursor', message: 'Invalid cursor.' }] },
    });
  }
  return { pk: owner, sk };
}

/** Newest first; `nextCursor` is opaque to clients (the last key, base64url). */
export async function listEvents(owner: string, limit: number, cursor?: string) {
  const out = await db.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :event)',
      ExpressionAttributeValues: { ':pk': owner, ':event': 'EVENT#' },
      ScanIndexForward: false,
      Limit: limit,
      ExclusiveStartKey: decodeCursor(cursor, owner),
    }),
  );
  const events = (out.Items ?? []).map(
    ({ id, type, at, actorId, userId, ip, userAgent, details }) =>
      ({ id, type, at, actorId, userId, ip, userAgent, details }) as SecurityEvent,
  );
  const last = out.LastEvaluatedKey?.sk as string | undefined;
  return { events, nextCursor: last ? Buffer.from(last, 'utf8').toString('base64url') : null };
}
