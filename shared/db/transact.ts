import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { cancellationReasons, db } from './client.ts';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

// A transaction cancelled only because another one held an item applied nothing: DynamoDB
// advises retrying it. A few short, jittered tries; a busy item after that is an outage.
const CONFLICT_RETRIES = 3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One atomic write of several items. When a condition fails, `onConflict` receives the index
 * of the first item whose condition did not hold and returns the domain error to throw.
 * `onFailure` runs whenever the write did not happen (a proof then gives its attempt back).
 */
export async function transact(
  items: TransactItem[],
  onConflict?: (index: number) => Error,
  onFailure?: () => Promise<void>,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await db.send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (error) {
      const reasons = cancellationReasons(error);
      const index = reasons?.indexOf('ConditionalCheckFailed') ?? -1;
      const onlyConflicts =
        reasons?.includes('TransactionConflict') &&
        reasons.every((r) => r === 'None' || r === 'TransactionConflict');
      if (index < 0 && onlyConflicts && attempt < CONFLICT_RETRIES) {
        await sleep(10 * 2 ** attempt + Math.random() * 20);
        continue;
      }
      await onFailure?.();
      throw index >= 0 && onConflict ? onConflict(index) : error;
    }
  }
}

function keyOf(item: TransactItem): Record<string, unknown> | undefined {
  return (item.Put?.Item ?? item.Update?.Key ?? item.Delete?.Key ?? item.ConditionCheck?.Key) as
    | Record<string, unknown>
    | undefined;
}

/** Drops the items that write `key`: a transaction may touch each item only once. */
export function without(items: TransactItem[], key: { pk: string; sk: string }): TransactItem[] {
  return items.filter((item) => {
    const other = keyOf(item);
    return !(other?.pk === key.pk && other?.sk === key.sk);
  });
}
