/**
 * What each DynamoDB call of a request costs on AWS, counted on the shared document client
 * (`db`, shared/db/client.ts) without touching the code that makes the calls: an SDK middleware
 * asks for `ReturnConsumedCapacity: 'TOTAL'`, records the operation, the kinds of item it touches
 * and what DynamoDB Local reports, then corrects what DynamoDB Local does not model.
 *
 * On-demand billing (DynamoDB Developer Guide, "Read/write capacity mode" and "Managing
 * settings on DynamoDB provisioned capacity tables: item sizes"):
 * - a write: 1 write request unit (WRU) per 1 KB of the item, the larger of its size before and
 *   after (Update, Put over an item), the deleted item's size for a Delete;
 * - a strongly consistent read: 1 read request unit (RRU) per 4 KB; eventually consistent: half;
 *   a Query sums the sizes of the items it returns, then rounds up once;
 * - a transaction: 2 WRU per 1 KB for EVERY item, `ConditionCheck` included, each item rounded
 *   up on its own; `TransactGetItems` 2 RRU per 4 KB per item. DynamoDB Local reports far less
 *   for a transaction (2 units for a 7-item `TransactWriteItems` here): those are computed here
 *   from the items as stored, read back around the call with a `GetItem` that is not counted.
 *
 * Used by `npm run bench` (bench/run.ts) and test/integration/login-cost.test.ts, so the numbers
 * of the note and the numbers the test holds are the same function's.
 */
import { type AttributeValue, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';

const KB = 1024;
const READ_UNIT_BYTES = 4 * KB;
const WRITE_UNIT_BYTES = KB;
const MIDDLEWARE = 'benchConsumedCapacity';

type Key = { pk?: string; sk?: string };
type Item = Record<string, AttributeValue>;

/** One item a call touched, with the bytes and units it is billed for. */
export interface ItemCost {
  op: string;
  kind: string;
  bytes: number;
  units: number;
}

export interface DbCall {
  /** `Update RATE/WINDOW (conditional)`, `TransactWrite [Update USER/FACTOR, Delete MFATOKEN/LOGIN]`. */
  label: string;
  /** The API operation: `UpdateItem`, `TransactWriteItems`, … */
  operation: string;
  /** The error the call ended in (a failed condition is billed too). */
  error?: string;
  /** What DynamoDB Local reported in `ConsumedCapacity`. */
  local: { read: number; write: number };
  /** What AWS bills on demand: RRU and WRU. */
  billed: { read: number; write: number };
  /** Per item, for transactions (the correction). */
  items: ItemCost[];
  /** Where the billed figure came from: `local` (trusted as reported) or `model` (computed here). */
  source: 'local' | 'model';
}

/** `USER#01H…` / `FACTOR#01H…` → `USER/FACTOR`: the kind of item, without ids (as mfa-db-calls.test.ts). */
export function kind(key: Key | undefined): string {
  const [pk, scope] = String(key?.pk).split('#');
  const sk = String(key?.sk);
  // A rate window says which limit it counts: `RATE(ip-codeCheck)/WINDOW`.
  if (pk === 'RATE') return `RATE(${scope})/WINDOW`;
  return `${pk}/${/^\d+$/.test(sk) ? 'WINDOW' : sk.split('#')[0]}`;
}

/** The key a Query asks for, from `pk = :pk AND begins_with(sk, :prefix)`. */
function queried(input: Input): Key {
  const values = input.ExpressionAttributeValues ?? {};
  const condition = input.KeyConditionExpression ?? '';
  const pk = /\bpk\s*=\s*(:\w+)/.exec(condition)?.[1];
  const sk = /\bsk\b[^:]*(:\w+)/.exec(condition)?.[1];
  return { pk: String(pk ? values[pk] : ''), sk: String(sk ? values[sk] : '') };
}

const SHORT: Record<string, string> = {
  GetItem: 'Get',
  PutItem: 'Put',
  UpdateItem: 'Update',
  DeleteItem: 'Delete',
  TransactWriteItems: 'TransactWrite',
  TransactGetItems: 'TransactGet',
  BatchGetItem: 'BatchGet',
  BatchWriteItem: 'BatchWrite',
};

// ---- DynamoDB item size (Developer Guide, "Item sizes and formats") ---------------------------

const utf8 = (text: string) => Buffer.byteLength(text, 'utf8');

/** A number: 1 byte per two significant digits, plus 1 (leading and trailing zeroes do not count). */
function numberBytes(text: string): number {
  const digits = text
    .replace(/^-/, '')
    .replace(/e.*$/i, '')
    .replace('.', '')
    .replace(/^0+/, '')
    .replace(/0+$/, '');
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

function valueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.B !== undefined) return value.B.length;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((sum, s) => sum + utf8(s), 0);
  if (value.NS) return value.NS.reduce((sum, n) => sum + numberBytes(n), 0);
  if (value.BS) return value.BS.reduce((sum, b) => sum + b.length, 0);
  // A list or a map: 3 bytes, plus 1 byte and the element (and, in a map, its name) per element.
  if (value.L) return 3 + value.L.reduce((sum, v) => sum + 1 + valueBytes(v), 0);
  if (value.M)
    return 3 + Object.entries(value.M).reduce((sum, [k, v]) => sum + 1 + utf8(k) + valueBytes(v), 0);
  return 0;
}

/** The size DynamoDB bills an item by: attribute names plus values. */
export function itemBytes(item: Item | undefined): number {
  if (!item) return 0;
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + valueBytes(value), 0);
}

const units = (bytes: number, per: number) => Math.max(1, Math.ceil(bytes / per));

// ---- the recorder -----------------------------------------------------------------------------

type TransactItem = Record<
  string,
  { Key?: Record<string, unknown>; Item?: Record<string, unknown>; ConditionExpression?: string }
>;
interface Input {
  TableName?: string;
  Key?: Key;
  Item?: Key & Record<string, unknown>;
  ConditionExpression?: string;
  ConsistentRead?: boolean;
  ReturnConsumedCapacity?: string;
  TransactItems?: TransactItem[];
  KeyConditionExpression?: string;
  ExpressionAttributeValues?: Record<string, unknown>;
}
interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

/**
 * What DynamoDB Local reported: AWS splits a total into read and write units; DynamoDB Local
 * fills `CapacityUnits` only, which is then read or write by the operation.
 */
function reported(
  capacity: Capacity | Capacity[] | undefined,
  isRead: boolean,
): { read: number; write: number } {
  const list = [capacity ?? []].flat();
  const read = list.reduce((sum, one) => sum + (one.ReadCapacityUnits ?? 0), 0);
  const write = list.reduce((sum, one) => sum + (one.WriteCapacityUnits ?? 0), 0);
  if (read || write) return { read, write };
  const total = list.reduce((sum, one) => sum + (one.CapacityUnits ?? 0), 0);
  return isRead ? { read: total, write: 0 } : { read: 0, write: total };
}

export interface Recorder {
  /** Every call since the last `take()`, oldest first. */
  take(): DbCall[];
  /** Stops recording and takes the middleware out of the client. */
  remove(): void;
}

/**
 * Counts the calls of `client` (the shared document client): add once, `take()` after each
 * request. Measure one request at a time: calls are attributed to whatever runs meanwhile.
 * The read-backs that size transaction items use a client of their own (not counted).
 */
export function recordCapacity(client: DynamoDBDocumentClient): Recorder {
  const reader = new DynamoDBClient({});
  const stored = async (table: string, key: Record<string, unknown>) =>
    (
      await reader.send(
        new GetItemCommand({ TableName: table, Key: marshall(key) as Item, ConsistentRead: true }),
      )
    ).Item;
  let calls: DbCall[] = [];

  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      const input = args.input as Input;
      if (!('ReturnConsumedCapacity' in input) || input.ReturnConsumedCapacity === undefined)
        input.ReturnConsumedCapacity = 'TOTAL';
      const short = SHORT[operation] ?? operation;
      const transactItems = (input.TransactItems ?? []).map((entry) => {
        const [op, body] = Object.entries(entry)[0] as [string, NonNullable<TransactItem[string]>];
        const table = (body as { TableName?: string }).TableName ?? '';
        return { op, body, table, key: (body.Key ?? body.Item) as Record<string, unknown> };
      });
      // Sized before the write (a Delete or ConditionCheck is billed by the item as it was).
      const before =
        operation === 'TransactWriteItems'
          ? await Promise.all(
              transactItems.map((t) =>
                stored(t.table, { pk: t.key.pk, sk: t.key.sk }).then((item) => itemBytes(item)),
              ),
            )
          : [];
      const call: DbCall = {
        label: '',
        operation,
        local: { read: 0, write: 0 },
        billed: { read: 0, write: 0 },
        items: [],
        source: 'local',
      };
      calls.push(call);
      let output: { ConsumedCapacity?: Capacity | Capacity[] } | undefined;
      try {
        const result = await next(args);
        output = result.output as typeof output;
        return result;
      } catch (error) {
        call.error = (error as Error).name;
        throw error;
      } finally {
        const capacity = output?.ConsumedCapacity;
        const isRead = ['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems'].includes(operation);
        call.local = reported(capacity, isRead);
        call.billed = { ...call.local };
        if (operation === 'TransactWriteItems') {
          const after = await Promise.all(
            transactItems.map((t) =>
              stored(t.table, { pk: t.key.pk, sk: t.key.sk }).then((item) => itemBytes(item)),
            ),
          );
          call.items = transactItems.map((t, i) => {
            // A Put is billed by the item it writes even where it read back nothing (a failed write).
            const written = t.op === 'Put' ? itemBytes(marshall(t.body.Item ?? {}) as Item) : 0;
            const bytes = Math.max(before[i] ?? 0, after[i] ?? 0, written);
            return { op: t.op, kind: kind(t.key as Key), bytes, units: 2 * units(bytes, WRITE_UNIT_BYTES) };
          });
          call.billed = { read: 0, write: call.items.reduce((sum, item) => sum + item.units, 0) };
          call.source = 'model';
          call.label = `TransactWrite [${call.items.map((item) => `${item.op} ${item.kind}`).join(', ')}]`;
        } else if (operation === 'TransactGetItems') {
          const reads = (input.TransactItems ?? []).map((entry) => entry.Get as { Key?: Key } | undefined);
          call.items = await Promise.all(
            reads.map(async (get) => {
              const table = (get as { TableName?: string } | undefined)?.TableName ?? '';
              const bytes = itemBytes(await stored(table, { pk: get?.Key?.pk, sk: get?.Key?.sk }));
              return { op: 'Get', kind: kind(get?.Key), bytes, units: 2 * units(bytes, READ_UNIT_BYTES) };
            }),
          );
          call.billed = { read: call.items.reduce((sum, item) => sum + item.units, 0), write: 0 };
          call.source = 'model';
          call.label = `TransactGet [${call.items.map((item) => item.kind).join(', ')}]`;
        } else if (operation === 'BatchGetItem') {
          // Billed as one GetItem per key (each rounded up to 4 KB, a missing item at the
          // minimum), half for eventually consistent reads (Developer Guide, "Read request units").
          const [table, request] = Object.entries(
            (input as { RequestItems?: Record<string, { Keys: Key[]; ConsistentRead?: boolean }> })
              .RequestItems ?? {},
          )[0] ?? ['', { Keys: [] }];
          const share = request.ConsistentRead ? 1 : 0.5;
          call.items = await Promise.all(
            request.Keys.map(async (key) => {
              const bytes = itemBytes(await stored(table, { pk: key.pk, sk: key.sk }));
              return { op: 'Get', kind: kind(key), bytes, units: share * units(bytes, READ_UNIT_BYTES) };
            }),
          );
          call.billed = { read: call.items.reduce((sum, item) => sum + item.units, 0), write: 0 };
          call.source = 'model';
          call.label = `BatchGet [${call.items.map((item) => item.kind).join(', ')}]`;
        } else {
          const key = operation === 'Query' ? queried(input) : (input.Key ?? input.Item);
          call.label = `${short} ${kind(key)}${input.ConditionExpression ? ' (conditional)' : ''}`;
          if (call.error && !isRead) {
            // A write whose condition failed is billed by the item's size all the same; Local reports nothing.
            const table = input.TableName ?? '';
            const key = input.Key ?? { pk: input.Item?.pk, sk: input.Item?.sk };
            const bytes = itemBytes(await stored(table, key));
            call.billed = { read: 0, write: units(bytes, WRITE_UNIT_BYTES) };
            call.source = 'model';
          }
        }
      }
    },
    { step: 'initialize', name: MIDDLEWARE, priority: 'high', override: true },
  );
  return {
    take() {
      const taken = calls;
      calls = [];
      return taken;
    },
    remove() {
      client.middlewareStack.remove(MIDDLEWARE);
      reader.destroy();
    },
  };
}

/** The calls of one request, added up. */
export function totals(calls: DbCall[]): { calls: number; read: number; write: number } {
  return {
    calls: calls.length,
    read: calls.reduce((sum, call) => sum + call.billed.read, 0),
    write: calls.reduce((sum, call) => sum + call.billed.write, 0),
  };
}
