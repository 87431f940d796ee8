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

/**
 * Several items of the table in one round trip (BatchGetItem, strongly consistent: what a
 * request decides on must include every write that completed before it). The answer maps
 * `pk|sk` to the item; a missing item is absent from the map. Keys DynamoDB leaves unprocessed
 * (throttling) are asked again.
 */
export async function getItems(keys: readonly ItemKey[]): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  let pending: Record<string, unknown>[] | undefined = keys.map((key) => ({ ...key }));
  while (pending?.length) {
    const out: BatchGetCommandOutput = await db.send(
      new BatchGetCommand({ RequestItems: { [table()]: { Keys: pending, ConsistentRead: true } } }),
    );
    for (const item of out.Responses?.[table()] ?? []) found.set(itemId(item as ItemKey), item);
    pending = out.UnprocessedKeys?.[table()]?.Keys;
  }
  return found;
}

export const itemId = (key: ItemKey) => `${key.pk}|${key.sk}`;
