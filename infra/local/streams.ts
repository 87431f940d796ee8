import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { type Worker, workerList } from '../../functions/workers.ts';
import { findBundles } from './bundles.ts';

/**
 * What Lambda's event source mapping does for a table stream, for DynamoDB Local: it reads
 * every shard of the stream (DescribeStream → GetShardIterator → GetRecords every ~200 ms),
 * hands each batch to the worker in the `DynamoDBStreamEvent` shape Lambda uses, and on
 * `batchItemFailures` (or a thrown error) retries from the first failed record with backoff.
 * After `maxRetryAttempts` the records are dead-lettered (logged and kept, as the stack's SQS
 * queue keeps them) and the shard moves on. Children of a split shard wait for their parent,
 * so a key's changes stay in order.
 */
export type StreamHandler = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse | undefined>;

export interface DeadLetter {
  worker: string;
  shardId: string;
  reason: string;
  /** The sequence numbers of the records given up on, in order. */
  sequenceNumbers: string[];
}

export interface StreamPollerOptions {
  /** DynamoDB Local's endpoint (it serves the streams API too). */
  endpoint: string;
  streamArn: string;
  /** The worker's name (functions/workers.ts): logs and the Lambda context use it. */
  name: string;
  handler: StreamHandler;
  /** Where reading starts in the shards there are now; shards born later are read from their start. */
  startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** The stack's mapping: 100 records a batch, 10 retries. */
  batchSize?: number;
  maxRetryAttempts?: number;
  pollIntervalMs?: number;
  /** The first retry's delay; it doubles up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  log?: (line: string) => void;
}

export interface StreamPoller {
  /** Records given up on after every retry, oldest first. */
  deadLetters(): DeadLetter[];
  /**
   * Resolves once a round of reads that began after this call found nothing new in any shard:
   * every change written before the call has been handed to the worker (and what the worker
   * wrote meanwhile, too). What a test waits for before it reads what a worker derives.
   */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

interface ShardState {
  id: string;
  parent: string | undefined;
  iterator: string | undefined;
  /** The last sequence number handed on (or dead-lettered): an expired iterator restarts after it. */
  last: string | undefined;
  started: boolean;
  closed: boolean;
}

const DISCOVER_EVERY_MS = 5_000;

export function startStreamPoller(options: StreamPollerOptions): StreamPoller {
  const client = new DynamoDBStreamsClient({
    endpoint: options.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const log = options.log ?? ((line: string) => console.error(line));
  const batchSize = options.batchSize ?? 100;
  const maxRetries = options.maxRetryAttempts ?? 10;
  const pollMs = options.pollIntervalMs ?? 200;
  const backoffMs = options.backoffMs ?? 200;
  const maxBackoffMs = options.maxBackoffMs ?? 5_000;
  const stopping = new AbortController();
  const shards = new Map<string, ShardState>();
  const deadLetters: DeadLetter[] = [];
  let firstDiscovery = true;
  let discoveredAt = 0;
  let round = 0;
  const waiting: { after: number; resolve: () => void }[] = [];

  async function discover(): Promise<void> {
    let start: string | undefined;
    do {
      const out = await client.send(
        new DescribeStreamCommand({ StreamArn: options.streamArn, ExclusiveStartShardId: start }),
        { abortSignal: stopping.signal },
      );
      const described = out.StreamDescription;
      for (const shard of described?.Shards ?? []) {
        if (!shard.ShardId || shards.has(shard.ShardId)) continue;
        shards.set(shard.ShardId, {
          id: shard.ShardId,
          parent: shard.ParentShardId,
          iterator: undefined,
          last: undefined,
          // Shards there at the start begin at the starting position; later ones (splits) from their start.
          started: !firstDiscovery,
          closed: false,
        });
      }
      start = described?.LastEvaluatedShardId;
    } while (start);
    firstDiscovery = false;
    discoveredAt = Date.now();
  }

  async function iterator(shard: ShardState): Promise<string | undefined> {
    const position = shard.last
      ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as const, SequenceNumber: shard.last }
      : { ShardIteratorType: shard.started ? ('TRIM_HORIZON' as const) : options.startingPosition };
    const out = await client.send(
      new GetShardIteratorCommand({ StreamArn: options.streamArn, ShardId: shard.id, ...position }),
      { abortSignal: stopping.signal },
    );
    shard.started = true;
    return out.ShardIterator;
  }

  /** Reads one batch of a shard and delivers it; false when the shard had nothing new. */
  async function poll(shard: ShardState): Promise<boolean> {
    shard.iterator ??= await iterator(shard);
    if (!shard.iterator) {
      shard.closed = true;
      return false;
    }
    let out: Awaited<ReturnType<typeof readRecords>>;
    try {
      out = await readRecords(shard.iterator);
    } catch (error) {
      const name = (error as Error).name;
      if (name !== 'ExpiredIteratorException' && name !== 'TrimmedDataAccessException') throw error;
      // Restart after the last record handed on (or from the oldest kept, if that one is gone).
      if (name === 'TrimmedDataAccessException') shard.last = undefined;
      shard.iterator = undefined;
      return true;
    }
    const records = (out.Records ?? []).map((record) => toLambdaRecord(record, options.streamArn));
    if (records.length) await deliver(shard, records);
    shard.iterator = out.NextShardIterator;
    if (!shard.iterator) shard.closed = true;
    return records.length > 0;
  }

  function readRecords(shardIterator: string) {
    return client.send(new GetRecordsCommand({ ShardIterator: shardIterator, Limit: batchSize }), {
      abortSignal: stopping.signal,
    });
  }

  async function deliver(shard: ShardState, batch: DynamoDBRecord[]): Promise<void> {
    let records = batch;
    for (let attempt = 0; records.length; attempt++) {
      let failedFrom: number;
      let reason: string;
      try {
        const answer = await options.handler({ Records: records }, context(options.name));
        failedFrom = firstFailure(records, answer ?? undefined);
        reason = 'batchItemFailures';
      } catch (error) {
        // A thrown error fails the whole batch, as in Lambda.
        failedFrom = 0;
        reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      const done = failedFrom < 0 ? records : records.slice(0, failedFrom);
      if (done.length) shard.last = done.at(-1)?.dynamodb?.SequenceNumber ?? shard.last;
      if (failedFrom < 0) return;
      records = records.slice(failedFrom);
      if (attempt >= maxRetries) {
        const letter: DeadLetter = {
          worker: options.name,
          shardId: shard.id,
          reason,
          sequenceNumbers: records.map((r) => r.dynamodb?.SequenceNumber ?? ''),
        };
        deadLetters.push(letter);
        shard.last = records.at(-1)?.dynamodb?.SequenceNumber ?? shard.last;
        log(
          JSON.stringify({
            level: 'error',
            message: 'stream records dead-lettered after every retry',
            ...letter,
            retries: maxRetries,
          }),
        );
        return;
      }
      await sleep(Math.min(maxBackoffMs, backoffMs * 2 ** attempt), undefined, { signal: stopping.signal });
    }
  }

  const readable = (shard: ShardState) =>
    !shard.closed && !(shard.parent && shards.has(shard.parent) && !shards.get(shard.parent)?.closed);

  async function run(): Promise<void> {
    while (!stopping.signal.aborted) {
      try {
        const current = ++round;
        if (Date.now() - discoveredAt > DISCOVER_EVERY_MS || ![...shards.values()].some(readable)) {
          await discover();
        }
        let busy = false;
        for (const shard of shards.values()) {
          if (readable(shard) && (await poll(shard))) busy = true;
        }
        if (!busy) {
          for (const waiter of waiting.filter((w) => w.after < current)) {
            waiting.splice(waiting.indexOf(waiter), 1);
            waiter.resolve();
          }
        }
        // A full batch may have more behind it: read again at once, else wait for the next poll.
        if (!busy) await sleep(pollMs, undefined, { signal: stopping.signal });
      } catch (error) {
        if (stopping.signal.aborted) return;
        log(
          JSON.stringify({
            level: 'error',
            message: 'stream poller failure',
            worker: options.name,
            error: String(error),
          }),
        );
        await sleep(maxBackoffMs, undefined, { signal: stopping.signal }).catch(() => {});
      }
    }
  }

  const running = run().catch(() => {});
  return {
    deadLetters: () => deadLetters.map((letter) => structuredClone(letter)),
    settled: () => new Promise<void>((resolve) => waiting.push({ after: round, resolve })),
    stop: async () => {
      stopping.abort();
      await running;
      client.destroy();
    },
  };
}

/**
 * The index of the record to retry from, or -1 when all succeeded. Lambda restarts from the
 * lowest sequence number reported; an identifier it cannot find in the batch fails the batch.
 */
function firstFailure(records: DynamoDBRecord[], answer: DynamoDBBatchResponse | undefined): number {
  const failures = answer?.batchItemFailures ?? [];
  if (!failures.length) return -1;
  let first = records.length;
  for (const { itemIdentifier } of failures) {
    const index = records.findIndex((r) => r.dynamodb?.SequenceNumber === itemIdentifier);
    if (index < 0) return 0;
    first = Math.min(first, index);
  }
  return first;
}

/**
 * A record of the streams API as Lambda delivers it: the same fields, plus the stream ARN,
 * `ApproximateCreationDateTime` in epoch seconds and binary values in base64.
 */
export function toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const { dynamodb, ...rest } = record;
  const approximate = dynamodb?.ApproximateCreationDateTime;
  const images: Record<string, unknown> = {};
  for (const name of ['Keys', 'NewImage', 'OldImage'] as const) {
    const image = dynamodb?.[name];
    if (image) images[name] = attributeMap(image);
  }
  return {
    ...(rest as DynamoDBRecord),
    eventSourceARN: streamArn,
    dynamodb: {
      ...(dynamodb as DynamoDBRecord['dynamodb']),
      ...images,
      ...(approximate ? { ApproximateCreationDateTime: Math.floor(approximate.getTime() / 1000) } : {}),
    },
  };
}

function attributeMap(map: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(map).map(([name, value]) => [name, attribute(value)]));
}

/**
 * One attribute value in Lambda's JSON: binaries in base64, and an empty map as `{ "M": {} }`
 * (the SDK's streams client reads it back as `{}`, which no unmarshaller accepts).
 */
function attribute(value: Record<string, unknown>): unknown {
  const [tag] = Object.keys(value);
  if (tag === undefined) return { M: {} };
  const inner = value[tag];
  switch (tag) {
    case 'B':
      return { B: Buffer.from(inner as Uint8Array).toString('base64') };
    case 'BS':
      return { BS: (inner as Uint8Array[]).map((b) => Buffer.from(b).toString('base64')) };
    case 'M':
      return { M: attributeMap(inner as object) };
    case 'L':
      return { L: (inner as Record<string, unknown>[]).map(attribute) };
    default:
      return { [tag]: inner };
  }
}

function context(name: string): Context {
  const deadline = Date.now() + 30_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `local-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:local-${name}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/local-${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

const functionsDir = resolve(import.meta.dirname, '../../functions');

/** The table-stream workers of functions/workers.ts. */
export const streamWorkers = workerList.filter(
  (worker): worker is Worker & { name: string } => worker.trigger.kind === 'tableStream',
);

/**
 * A worker's handler: its source module, or with `cdkOut` the bundle `cdk synth` made for it
 * (the function whose construct path ends in `/<worker name>/Resource`, as for routes).
 */
export async function loadWorker(worker: Worker & { name: string }, cdkOut?: string): Promise<StreamHandler> {
  let file = join(functionsDir, `${worker.module}.ts`);
  if (cdkOut) {
    const bundle = findBundles(cdkOut).get(worker.name);
    if (!bundle)
      throw new Error(`${resolve(cdkOut)} has no bundle for ${worker.name}: run \`npx cdk synth -q\` again.`);
    file = bundle;
  }
  const loaded = (await import(pathToFileURL(file).href)) as { handler: StreamHandler };
  return loaded.handler;
}
