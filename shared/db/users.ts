import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { cancellationReasons, db, table } from './client.ts';

/**
 * Users: `USER#<id>` / `PROFILE`, and `EMAIL#<normalised email>` / `USER` pointing at it.
 * Both are written in one transaction with `attribute_not_exists` on each, so two sign-ups
 * with one address cannot both succeed.
 */
export interface User {
  userId: string;
  email: string;
  passwordHash: string;
  orgId?: string;
  role?: 'owner' | 'admin' | 'member';
  createdAt: string;
}

/** Case-insensitive addresses: one account per mailbox however the user types it. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

const profileKey = (userId: string) => ({ pk: `USER#${userId}`, sk: 'PROFILE' });
const emailKey = (email: string) => ({ pk: `EMAIL#${email}`, sk: 'USER' });

export class EmailTakenError extends Error {
  override readonly name = 'EmailTakenError';
}

export async function createUser(
  input: { email: string; passwordHash: string },
  now = new Date(),
): Promise<User> {
  const user: User = {
    userId: ulid(),
    email: normaliseEmail(input.email),
    passwordHash: input.passwordHash,
    createdAt: now.toISOString(),
  };
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table(),
              Item: { ...profileKey(user.userId), ...user },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Put: {
              TableName: table(),
              Item: { ...emailKey(user.email), userId: user.userId, createdAt: user.createdAt },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
  } catch (error) {
    if (cancellationReasons(error)?.[1] === 'ConditionalCheckFailed') throw new EmailTakenError();
    throw error;
  }
  return user;
}

export async function findUserById(userId: string): Promise<User | undefined> {
  const out = await db.send(new GetCommand({ TableName: table(), Key: profileKey(userId) }));
  return out.Item as User | undefined;
}

export async function findUserByEmail(email: string): Promise<User | undefined> {
  const pointer = await db.send(new GetCommand({ TableName: table(), Key: emailKey(normaliseEmail(email)) }));
  const userId = pointer.Item?.userId as string | undefined;
  return userId ? findUserById(userId) : undefined;
}
