import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ApiError, tooMany } from '../http/errors.ts';
import { db, epochSeconds, isConditionFailure, table } from './client.ts';

/**
 * Fixed-window counters: `RATE#<scope>#<key>` / `<window start>`, one conditional ADD per hit,
 * so parallel requests cannot overshoot the limit.
 */
export interface Window {
  scope: string;
  key: string;
  seconds: number;
  limit: number;
}

function windowKey(window: Window, now: Date) {
  const start = Math.floor(epochSeconds(now) / window.seconds) * window.seconds;
  return {
    key: { pk: `RATE#${window.scope}#${window.key}`, sk: String(start) },
    end: start + window.seconds,
  };
}

export async function hit(window: Window, now = new Date()): Promise<void> {
  const { key, end } = windowKey(window, now);
  try {
    await db.send(
      new UpdateCommand({
        TableName: table(),
        Key: key,
        UpdateExpression: 'ADD hits :one SET #ttl = :ttl',
        ConditionExpression: 'attribute_not_exists(hits) OR hits < :limit',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':one': 1, ':limit': window.limit, ':ttl': end + 60 },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    throw tooMany('rate_limited', end - epochSeconds(now));
  }
}

/** Gives a hit back, when what it paid for did not happen (a failed SMS/email delivery). */
export async function release(window: Window, now = new Date()): Promise<void> {
  const { key } = windowKey(window, now);
  try {
    await db.send(
      new UpdateCommand({
        TableName: table(),
        Key: key,
        UpdateExpression: 'ADD hits :minus',
        ConditionExpression: 'hits > :zero',
        ExpressionAttributeValues: { ':minus': -1, ':zero': 0 },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/**
 * Runs `work` under several allowances: all are taken first (a refused one gives back those
 * already taken), and all are given back when `work` fails, so a request that did not happen
 * (a failed delivery) costs nothing.
 */
export async function withAllowances<T>(
  windows: Window[],
  now: Date,
  work: () => Promise<T>,
  /** What a full window answers (default: 429 rate_limited with Retry-After). */
  refusal: (window: Window, error: ApiError) => Error = (_window, error) => error,
): Promise<T> {
  const taken: Window[] = [];
  const giveBack = () => Promise.all(taken.map((window) => release(window, now)));
  try {
    for (const window of windows) {
      try {
        await hit(window, now);
      } catch (error) {
        throw error instanceof ApiError ? refusal(window, error) : error;
      }
      taken.push(window);
    }
    return await work();
  } catch (error) {
    await giveBack();
    throw error;
  }
}
