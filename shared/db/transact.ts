import { TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { cancellationReasons, db } from './client.ts';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

// A transaction cancelled only because another one held an item applied nothing: DynamoDB
// advises retrying it. A few short, jittered tries; a busy item after that is an outage.
const CONFLICT_RETRIES = 3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A transaction item, with the domain error that a failure of its own condition means. The
 * error travels with the item: `transact` answers the first failed item's own error, so no
 * caller maps a failure back to its cause by position, and adding an item to a transaction
 * cannot shift the others' meanings.
 */
export type Guarded = TransactItem & { conflict?: Error };

/** `item`, answering `conflict` when its condition fails. */
export function guarded<T extends TransactItem>(item: T, conflict: Error): T & { conflict: Error } {
  return { ...item, conflict };
}

/** Every item of `items`, answering `conflict` (unless one already carries its own). */
export function allGuarded(items: readonly Guarded[], conflict: Error): Guarded[] {
  return items.map((item) => (item.conflict ? item : guarded(item, conflict)));
}

/**
 * One atomic write of several items. When a condition fails, the first failed item's own
 * `conflict` is thrown, else `otherwise()` (the meaning every other item's failure shares),
 * else DynamoDB's error. `onFailure` runs whenever the write did not happen (a proof then
 * gives its attempt back).
 */
export async function transact(
  items: readonly Guarded[],
  otherwise?: () => Error,
  onFailure?: () => Promise<void>,
): Promise<void> {
  const TransactItems = items.map(({ conflict: _conflict, ...item }) => item);
  for (let attempt = 0; ; attempt++) {
    try {
      await db.send(new TransactWriteCommand({ TransactItems }));
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
      if (index < 0) throw error;
      throw items[index]?.conflict ?? otherwise?.() ?? error;
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
