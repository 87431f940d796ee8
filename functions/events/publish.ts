import { setTimeout as sleep } from 'node:timers/promises';
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
  type PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { config } from '../../shared/config.ts';
import { db, isConditionFailure } from '../../shared/db/client.ts';
import { sessionEventPuts } from '../../shared/db/events.ts';
import { buildDetail } from '../../shared/events/detail.ts';
import { EVENT_SOURCE } from '../../shared/events/schema.ts';
import { errorFields, log, sdkErrorFields } from '../../shared/http/logger.ts';
import { countNow, metricNames } from '../../shared/metrics.ts';

/**
 * The table's stream (new images) → the audit log and the EventBridge bus.
 *
 * First, a new session's record becomes its audit events (`session.created`, and
 * `mfa.verified` after an MFA step: shared/db/events.ts sessionEventPuts). A login's
 * transaction thus holds only what must be atomic (the proof spent, the login used up, the
 * session), and the events cost plain writes instead of transactional ones. Their ids were
 * fixed when the session was opened and each Put is conditional, so a record delivered twice
 * writes each event once; a Put that fails is reported like a refused entry (below).
 *
 * Then the bus. The request that records an event
 * never talks to EventBridge: the event commits with its change, and this worker puts it on
 * the bus afterwards, so a slow or failing bus can neither fail nor slow a login.
 *
 * Only inserted `USER#…`/`EVENT#…` items are published; the `ORG#…` copy of an org's event is
 * the same event (same id) and is skipped. Entries EventBridge refuses are retried here a few
 * times with backoff; those still refused are answered as `batchItemFailures` (the event source
 * mapping has ReportBatchItemFailures), so Lambda retries from the first of them and, after its
 * own retries, hands the records to the dead-letter queue: an event is never dropped silently.
 * Delivery is therefore at least once; consumers de-duplicate by `detail.id`.
 */

/** Created once per container; the endpoint comes from AWS_ENDPOINT_URL_EVENTBRIDGE when set. */
const eventBridge = new EventBridgeClient({});

/** PutEvents takes at most 10 entries and 256 KB per call (EventBridge quotas). */
const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;
/** Attempts per entry in one invocation (the SDK retries throttling and 5xx inside each). */
const ATTEMPTS = 4;
const BACKOFF_BASE_MS = 100;

interface Pending {
  record: DynamoDBRecord;
  id: string;
  type: string;
  entry: PutEventsRequestEntry;
}

/**
 * A session just opened (never an update of one: a refresh or a revocation), written with the
 * id of its `session.created` event: one written before sessions carried it recorded its events
 * in its own transaction already.
 */
function isNewSession(record: DynamoDBRecord): boolean {
  const keys = record.dynamodb?.Keys;
  return (
    record.eventName === 'INSERT' &&
    (keys?.pk?.S ?? '').startsWith('SESSION#') &&
    keys?.sk?.S === 'SESSION' &&
    record.dynamodb?.NewImage?.createdEventId?.S !== undefined
  );
}

/** Writes the audit events of each new session; returns the records whose events did not all land. */
async function recordSessionEvents(records: DynamoDBRecord[]): Promise<DynamoDBRecord[]> {
  const failed: DynamoDBRecord[] = [];
  await Promise.all(
    records.map(async (record) => {
      try {
        const session = unmarshall((record.dynamodb?.NewImage ?? {}) as Parameters<typeof unmarshall>[0]);
        await Promise.all(
          sessionEventPuts(session).map((put) =>
            db.send(new PutCommand(put)).catch((error: unknown) => {
              // Written by an earlier delivery of this record: done.
              if (!isConditionFailure(error)) throw error;
            }),
          ),
        );
      } catch (error) {
        log.error('session events not recorded', {
          sequenceNumber: record.dynamodb?.SequenceNumber,
          ...sdkErrorFields(error),
        });
        failed.push(record);
      }
    }),
  );
  return failed;
}

/** Published events are inserted event items of a user; everything else on the stream is not one. */
function isUserEvent(record: DynamoDBRecord): boolean {
  const keys = record.dynamodb?.Keys;
  return (
    record.eventName === 'INSERT' &&
    (keys?.pk?.S ?? '').startsWith('USER#') &&
    (keys?.sk?.S ?? '').startsWith('EVENT#')
  );
}

// What EventBridge counts towards the 256 KB (its "calculating PutEvents entry size" rules).
function entrySize(entry: PutEventsRequestEntry): number {
  return (
    14 +
    Buffer.byteLength(entry.Source ?? '') +
    Buffer.byteLength(entry.DetailType ?? '') +
    Buffer.byteLength(entry.Detail ?? '') +
    (entry.Resources ?? []).reduce((sum, r) => sum + Buffer.byteLength(r), 0)
  );
}

/** Consecutive groups of at most 10 entries and 256 KB each. */
function batches(pending: Pending[]): Pending[][] {
  const out: Pending[][] = [];
  let current: Pending[] = [];
  let bytes = 0;
  for (const item of pending) {
    const size = entrySize(item.entry);
    if (current.length && (current.length === MAX_ENTRIES || bytes + size > MAX_REQUEST_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length) out.push(current);
  return out;
}

/** Puts each entry once; returns the ones EventBridge did not take, with why. */
async function putOnce(bus: string, pending: Pending[]): Promise<(Pending & { error: string })[]> {
  const failed: (Pending & { error: string })[] = [];
  for (const batch of batches(pending)) {
    if (entrySize(batch[0]?.entry ?? {}) > MAX_REQUEST_BYTES) {
      // Cannot succeed on any retry; the dead-letter queue keeps the record for a person to look at.
      failed.push({ ...(batch[0] as Pending), error: 'EntryTooLarge' });
      continue;
    }
    let results: PutEventsResultEntry[];
    try {
      const out = await eventBridge.send(
        new PutEventsCommand({ Entries: batch.map((p) => ({ ...p.entry, EventBusName: bus })) }),
      );
      results = out.Entries ?? [];
    } catch (error) {
      log.warn('PutEvents failed', { entries: batch.length, ...sdkErrorFields(error) });
      const name = (error as Error)?.name ?? 'Error';
      for (const p of batch) failed.push({ ...p, error: name });
      continue;
    }
    // Results are in request order; an entry without an EventId failed (ErrorCode says why).
    batch.forEach((p, i) => {
      const result = results[i];
      if (!result?.EventId) failed.push({ ...p, error: result?.ErrorCode ?? 'NoEventId' });
    });
  }
  return failed;
}

async function publishEvents(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const failures: DynamoDBRecord[] = await recordSessionEvents(event.Records.filter(isNewSession));
  let pending: Pending[] = [];
  for (const record of event.Records.filter(isUserEvent)) {
    let item: Record<string, unknown>;
    try {
      item = unmarshall((record.dynamodb?.NewImage ?? {}) as Parameters<typeof unmarshall>[0]);
    } catch (error) {
      log.error('event record not readable', {
        sequenceNumber: record.dynamodb?.SequenceNumber,
        ...errorFields(error),
      });
      failures.push(record);
      continue;
    }
    const built = buildDetail(item);
    if (!built.ok) {
      // Never published half-described: the record goes the failure way (DLQ), visibly.
      log.error('event does not match its schema', {
        id: built.id,
        type: built.type,
        problems: built.problems,
      });
      failures.push(record);
      continue;
    }
    pending.push({
      record,
      id: built.detail.id,
      type: built.type,
      entry: {
        Source: EVENT_SOURCE,
        DetailType: built.detailType,
        Detail: JSON.stringify(built.detail),
        Time: new Date(built.detail.at),
        Resources: [],
      },
    });
  }

  const bus = config().eventBusName;
  if (!bus) {
    if (pending.length)
      log.warn('EVENT_BUS_NAME is not set: events not published', { count: pending.length });
    pending = [];
  }
  let published = pending.length;
  for (let attempt = 1; pending.length && bus; attempt++) {
    const failed = await putOnce(bus, pending);
    if (!failed.length) break;
    if (attempt === ATTEMPTS) {
      log.error('events not published', {
        count: failed.length,
        events: failed.map(({ id, type, error }) => ({ id, type, error })),
      });
      failures.push(...failed.map((f) => f.record));
      published -= failed.length;
      break;
    }
    // Exponential backoff with full jitter between rounds, within the invocation.
    await sleep(Math.random() * BACKOFF_BASE_MS * 2 ** (attempt - 1));
    pending = failed;
  }

  if (published > 0) countNow(metricNames.eventsPublished, published);
  if (failures.length) countNow(metricNames.eventsNotPublished, failures.length);
  // Lambda restarts from the lowest sequence number reported: later records of the batch come
  // again too (at least once), earlier ones are done.
  return {
    batchItemFailures: failures.map((record) => ({ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' })),
  };
}

export const handler = publishEvents;
