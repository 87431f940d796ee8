import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, type BatchGetCommandOutput, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';

/** Created once per container; the endpoint comes from AWS_ENDPOINT_URL_DYNAMODB when set. */
export const db = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

export function table(): string {
  return config().tableName;
}

export function epochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** A write whose condition did not hold: the domain decides what that means. */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** The reasons of a cancelled transaction, one per item, in order (`None` where it held). */
export function cancellationReasons(error: unknown): string[] | undefined {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons = (error as Error & { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return reasons?.map((reason) => reason.Code ?? 'None');
}

export interface ItemKey {
  pk: string;
  sk: string;
}

// BatchGetItem takes at most 100 keys.
const BATCH_KEYS = 100;

/**
 * Several items of the table, by key: one BatchGetItem per 100 keys, keys DynamoDB leaves
 * unprocessed (throttling) asked again. Strongly consistent unless told otherwise: what a
 * request decides on must include every write that completed before it. `attributes` reads
 * only those (plus the keys). The answer maps `pk|sk` to the item; a missing one is absent.
 */
export async function getItems(
  keys: readonly ItemKey[],
  options: { consistent?: boolean; attributes?: readonly string[] } = {},
): Promise<Map<string, Record<string, unknown>>> {
  const names = ['pk', 'sk', ...(options.attributes ?? [])];
  const projection = options.attributes
    ? {
        ProjectionExpression: names.map((_, i) => `#a${i}`).join(', '),
        ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#a${i}`, name])),
      }
    : {};
  const found = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < keys.length; i += BATCH_KEYS) {
    let pending: Record<string, unknown>[] | undefined = keys
      .slice(i, i + BATCH_KEYS)
      .map((key) => ({ ...key }));
    while (pending?.length) {
      const out: BatchGetCommandOutput = await db.send(
        new BatchGetCommand({
          RequestItems: {
            [table()]: { Keys: pending, ConsistentRead: options.consistent ?? true, ...projection },
          },
        }),
      );
      for (const item of out.Responses?.[table()] ?? []) found.set(itemId(item as ItemKey), item);
      pending = out.UnprocessedKeys?.[table()]?.Keys;
    }
  }
  return found;
}

export const itemId = (key: ItemKey) => `${key.pk}|${key.sk}`;
