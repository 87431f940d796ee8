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
  /** Active MFA factors; kept on the profile so the limit and "first factor" are one condition. */
  activeFactors?: number;
  createdAt: string;
}

/** Case-insensitive addresses: one account per mailbox however the user types it. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export const profileKey = (userId: string) => ({ pk: `USER#${userId}`, sk: 'PROFILE' });
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

// Strongly consistent: a login right after sign-up must see the new account.
export async function findUserById(userId: string): Promise<User | undefined> {
  const out = await db.send(
    new GetCommand({ TableName: table(), Key: profileKey(userId), ConsistentRead: true }),
  );
  return out.Item as User | undefined;
}

// Never a user id: a well-formed key that no profile has.
const NOBODY = '00000000000000000000000000';

/**
 * Two reads whether or not the email is known: an unknown email looks up a profile that
 * cannot exist, so the number of round trips does not tell attackers which addresses have
 * accounts (the password hash check is equalised separately).
 */
export async function findUserByEmail(email: string): Promise<User | undefined> {
  const pointer = await db.send(
    new GetCommand({ TableName: table(), Key: emailKey(normaliseEmail(email)), ConsistentRead: true }),
  );
  const user = await findUserById((pointer.Item?.userId as string | undefined) ?? NOBODY);
  return pointer.Item ? user : undefined;
}

/**
 * Transaction item moving the active-factor count from what was read to `next`: conditional
 * on the read value, so two activations cannot both be "the first" or both take the last slot.
 */
export function setActiveFactors(user: User, next: number) {
  const seen = user.activeFactors ?? 0;
  return {
    Update: {
      TableName: table(),
      Key: profileKey(user.userId),
      UpdateExpression: 'SET activeFactors = :next',
      ConditionExpression:
        seen === 0 ? 'attribute_not_exists(activeFactors) OR activeFactors = :seen' : 'activeFactors = :seen',
      ExpressionAttributeValues: { ':next': next, ':seen': seen },
    },
  };
}
