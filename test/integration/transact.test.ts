/**
 * A transaction cancelled only by TransactionConflict (another transaction held one of its
 * items) applied nothing, and DynamoDB's guidance is to retry it; one cancelled by a failed
 * condition is a domain answer and is never retried. DynamoDB Local serialises transactions
 * and never reports conflicts, so the cancellation is injected, with the shape the real
 * service returns, by an SDK middleware on the production client (the code under test is
 * unaware of it).
 */
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { db, table } from '../../shared/db/client.ts';
import { transact } from '../../shared/db/transact.ts';

const NAME = 'inject-transaction-conflicts';

/** The next `count` TransactWriteItems calls are cancelled by a conflict on their first item. */
function conflicts(count: number): { seen: () => number } {
  let calls = 0;
  db.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'TransactWriteItemsCommand') return next(args);
      calls++;
      if (calls > count) return next(args);
      const items = (args.input as { TransactItems: unknown[] }).TransactItems;
      throw new TransactionCanceledException({
        message:
          'Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]',
        $metadata: { httpStatusCode: 400 },
        CancellationReasons: items.map((_, i) => ({ Code: i === 0 ? 'TransactionConflict' : 'None' })),
      });
    },
    { step: 'initialize', name: NAME },
  );
  return { seen: () => calls };
}

afterEach(() => {
  db.middlewareStack.remove(NAME);
});

const item = (id: string) => ({ Put: { TableName: table(), Item: { pk: `TEST#${id}`, sk: 'TRANSACT' } } });
const stored = async (id: string) =>
  (await db.send(new GetCommand({ TableName: table(), Key: { pk: `TEST#${id}`, sk: 'TRANSACT' } }))).Item;

describe('transact() and TransactionConflict', () => {
  it('retries a transaction cancelled only by conflicts, and it then commits once', async () => {
    const id = crypto.randomUUID();
    const injected = conflicts(2);
    await transact([item(id), item(`${id}-b`)]);
    expect(injected.seen()).toBe(3);
    expect(await stored(id)).toMatchObject({ pk: `TEST#${id}` });
  });

  it('gives up after a few tries: a busy item is an outage, answered 5xx, nothing written', async () => {
    const id = crypto.randomUUID();
    const injected = conflicts(10);
    await expect(transact([item(id)])).rejects.toMatchObject({ name: 'TransactionCanceledException' });
    expect(injected.seen()).toBe(4);
    expect(await stored(id)).toBeUndefined();
  });

  it('never retries a failed condition: that is the domain answer', async () => {
    const id = crypto.randomUUID();
    await transact([item(id)]);
    const injected = conflicts(0);
    const conditional = { Put: { ...item(id).Put, ConditionExpression: 'attribute_not_exists(pk)' } };
    await expect(transact([conditional], () => new Error('taken'))).rejects.toThrow('taken');
    expect(injected.seen()).toBe(1);
  });
});
