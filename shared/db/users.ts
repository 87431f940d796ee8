import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { db, epochSeconds, getItems, table } from './client.ts';

/**
 * Users: `USER#<id>` / `PROFILE`, and `EMAIL#<normalised email>` / `USER` pointing at it.
 * Both are written in one transaction, each conditional, so two sign-ups with one address
 * cannot make two accounts.
 *
 * A sign-up is `unverified` until its emailed code comes back: such an account owns nothing
 * (no sessions, factors or invitations), a later sign-up for the address replaces it in place,
 * and it is dead after `expiresAt` (checked on read; its TTL only cleans up). Accounts without
 * the flag are verified, which covers every account made before sign-up was verified.
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
  unverified?: true;
  /** Unverified accounts: the one sign-up code that can verify it (a replaced one dies). */
  verificationId?: string;
  expiresAt?: string;
  /**
   * Bumped by every change to the means of authentication: password, factors, recovery codes,
   * resets (ASVS 5.0 7.4.3). Whatever was obtained before (an mfaToken, a login in flight, a
   * remembered device) carries the version it was issued under and stops counting once it
   * differs; live sessions are revoked by the change itself. Absent means 0.
   */
  authVersion?: number;
  /**
   * A sign-up for this (verified) address: its password's argon2id output under this account's
   * salt, and the verification that sign-up got (which matches no code). A login with that
   * password answers as an unverified account would; see checkLoginPassword. Dead after
   * `expiresAt`, replaced by the next sign-up, gone with a password change.
   */
  signupAttempt?: { tag: string; verificationId: string; expiresAt: string };
}

/** Case-insensitive addresses: one account per mailbox however the user types it. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

// Providers known to ignore dots in the local part, and their aliases of one domain.
const DOTLESS: Record<string, string> = { 'gmail.com': 'gmail.com', 'googlemail.com': 'gmail.com' };

/**
 * Whether two addresses reach the same mailbox: a `+tag` is delivered to the address without
 * it by nearly every provider, and Gmail ignores dots. For comparisons only (an address is
 * stored as typed, normalised by case): two accounts may use such variants.
 */
export function sameMailbox(a: string, b: string): boolean {
  const key = (address: string) => {
    const at = normaliseEmail(address).lastIndexOf('@');
    const local = normaliseEmail(address).slice(0, at).split('+')[0] ?? '';
    const domain = normaliseEmail(address).slice(at + 1);
    const canonical = DOTLESS[domain];
    return canonical ? `${local.replaceAll('.', '')}@${canonical}` : `${local}@${domain}`;
  };
  return key(a) === key(b);
}

export const profileKey = (userId: string) => ({ pk: `USER#${userId}`, sk: 'PROFILE' });
const emailKey = (email: string) => ({ pk: `EMAIL#${email}`, sk: 'USER' });

export const authVersionOf = (user: User): number => user.authVersion ?? 0;

export function isVerified(user: User): boolean {
  return !user.unverified;
}

/**
 * The writes of a sign-up that (re)creates an unverified account for `email`: a new one, or in
 * place of an unverified one (`replacing`, as read) or of a pointer left without its profile.
 * Both conditions fail if a verified account took the address meanwhile, or another sign-up
 * replaced the one that was read: the caller reads again.
 */
export function unverifiedAccountPuts(
  input: { userId: string; email: string; passwordHash: string; verificationId: string },
  replacing: User | undefined,
  now: Date,
) {
  const expiresAt = new Date(now.getTime() + config().unverifiedAccountTtlSeconds * 1000);
  const user: User = {
    userId: input.userId,
    email: normaliseEmail(input.email),
    passwordHash: input.passwordHash,
    createdAt: now.toISOString(),
    unverified: true,
    verificationId: input.verificationId,
    expiresAt: expiresAt.toISOString(),
  };
  const ttl = epochSeconds(expiresAt);
  return {
    user,
    items: [
      {
        Put: {
          TableName: table(),
          Item: { ...profileKey(user.userId), ...user, ttl },
          ...(replacing?.verificationId
            ? {
                ConditionExpression: 'unverified = :yes AND verificationId = :seen',
                ExpressionAttributeValues: { ':yes': true, ':seen': replacing.verificationId },
              }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        },
      },
      {
        Put: {
          TableName: table(),
          Item: { ...emailKey(user.email), userId: user.userId, createdAt: user.createdAt, ttl },
          ConditionExpression: 'attribute_not_exists(pk) OR userId = :user',
          ExpressionAttributeValues: { ':user': user.userId },
        },
      },
    ],
  };
}

/** Transaction items making an unverified account verified with its current code. */
export function verifyAccountItems(user: User, verificationId: string, now: Date) {
  return [
    {
      Update: {
        TableName: table(),
        Key: profileKey(user.userId),
        UpdateExpression: 'REMOVE unverified, verificationId, expiresAt, #ttl',
        ConditionExpression: 'unverified = :yes AND verificationId = :code AND expiresAt > :now',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':yes': true, ':code': verificationId, ':now': now.toISOString() },
      },
    },
    {
      Update: {
        TableName: table(),
        Key: emailKey(user.email),
        UpdateExpression: 'REMOVE #ttl',
        ConditionExpression: 'userId = :user',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':user': user.userId },
      },
    },
  ];
}

/**
 * Transaction item recording a sign-up for a verified address (see `signupAttempt`), as long
 * as the account is still verified and its password (whose salt the tag uses) unchanged.
 */
export function recordSignupAttempt(user: User, tag: string, verificationId: string, now: Date) {
  const expiresAt = new Date(now.getTime() + config().unverifiedAccountTtlSeconds * 1000).toISOString();
  return {
    Update: {
      TableName: table(),
      Key: profileKey(user.userId),
      UpdateExpression: 'SET signupAttempt = :attempt',
      ConditionExpression:
        'attribute_exists(pk) AND attribute_not_exists(unverified) AND passwordHash = :hash',
      ExpressionAttributeValues: {
        ':attempt': { tag, verificationId, expiresAt },
        ':hash': user.passwordHash,
      },
    },
  };
}

/** Transaction item: the sign-up attempt's verification is now `verificationId` (a login re-offered it). */
export function setAttemptVerification(user: User, verificationId: string) {
  return {
    Update: {
      TableName: table(),
      Key: profileKey(user.userId),
      UpdateExpression: 'SET signupAttempt.verificationId = :next',
      ConditionExpression: 'signupAttempt.verificationId = :seen AND signupAttempt.tag = :tag',
      ExpressionAttributeValues: {
        ':next': verificationId,
        ':seen': user.signupAttempt?.verificationId,
        ':tag': user.signupAttempt?.tag,
      },
    },
  };
}

/** Transaction item: an unverified account's current sign-up code is now `verificationId`. */
export function setVerification(user: User, verificationId: string) {
  return {
    Update: {
      TableName: table(),
      Key: profileKey(user.userId),
      UpdateExpression: 'SET verificationId = :next',
      ConditionExpression: 'unverified = :yes AND verificationId = :seen',
      ExpressionAttributeValues: { ':yes': true, ':next': verificationId, ':seen': user.verificationId },
    },
  };
}

/** `authVersion` still as `user` was read, for a condition (absent counts as 0). */
function versionSeen(user: User) {
  const seen = authVersionOf(user);
  return {
    condition:
      seen === 0
        ? '(attribute_not_exists(authVersion) OR authVersion = :seenVersion)'
        : 'authVersion = :seenVersion',
    values: { ':seenVersion': seen, ':nextVersion': seen + 1 },
  };
}

/**
 * Transaction item moving the auth version on, for a change that writes nothing else to the
 * profile and opens no session (so the exact new version matters to nobody in the request).
 */
export function bumpAuthVersion(user: Pick<User, 'userId'>) {
  return {
    Update: {
      TableName: table(),
      Key: profileKey(user.userId),
      UpdateExpression: 'ADD authVersion :one',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':one': 1 },
    },
  };
}

/**
 * Transaction item setting a new password hash, conditional on the password version (and,
 * when given, the active-factor count) that the decision to change it was based on.
 */
export function changePassword(
  user: User,
  passwordHash: string,
  now: Date,
  options: { factorsSeen?: number } = {},
) {
  const version = versionSeen(user);
  const factors =
    options.factorsSeen === undefined
      ? ''
      : options.factorsSeen === 0
        ? ' AND (attribute_not_exists(activeFactors) OR activeFactors = :factors)'
        : ' AND activeFactors = :factors';
  return {
    Update: {
      TableName: table(),
      Key: profileKey(user.userId),
      // A sign-up attempt's tag used the old salt: it could never match again, and goes.
      UpdateExpression:
        'SET passwordHash = :hash, authVersion = :nextVersion, passwordChangedAt = :now REMOVE signupAttempt',
      ConditionExpression: `${version.condition}${factors}`,
      ExpressionAttributeValues: {
        ':hash': passwordHash,
        ':now': now.toISOString(),
        ...version.values,
        ...(options.factorsSeen === undefined ? {} : { ':factors': options.factorsSeen }),
      },
    },
  };
}

// Strongly consistent: a login right after sign-up must see the new account.
export async function findUserById(userId: string): Promise<User | undefined> {
  const out = await db.send(
    new GetCommand({ TableName: table(), Key: profileKey(userId), ConsistentRead: true }),
  );
  return out.Item as User | undefined;
}

/**
 * The current address of each of these users that still has a profile: only the address read
 * (never the password hash). Eventually consistent: for display.
 */
export async function emailsOf(userIds: readonly string[]): Promise<Map<string, string>> {
  const profiles = await getItems([...new Set(userIds)].map(profileKey), {
    consistent: false,
    attributes: ['userId', 'email'],
  });
  return new Map([...profiles.values()].map((item) => [item.userId as string, item.email as string]));
}

// Never a user id: a well-formed key that no profile has.
const NOBODY = '00000000000000000000000000';

/**
 * What the table holds for an address: the user id its pointer names (also when the profile is
 * gone) and the profile, expired unverified ones included. Two reads whether or not the email
 * is known: an unknown email looks up a profile that cannot exist, so the number of round
 * trips does not tell attackers which addresses have accounts.
 */
export async function readAccount(email: string): Promise<{ userId?: string; user?: User }> {
  const pointer = await db.send(
    new GetCommand({ TableName: table(), Key: emailKey(normaliseEmail(email)), ConsistentRead: true }),
  );
  const userId = pointer.Item?.userId as string | undefined;
  const user = await findUserById(userId ?? NOBODY);
  return userId ? { userId, ...(user ? { user } : {}) } : {};
}

/** The account of an address: verified, or unverified and not yet expired. */
export async function findUserByEmail(email: string, now = new Date()): Promise<User | undefined> {
  const { user } = await readAccount(email);
  if (!user || (user.unverified && (user.expiresAt ?? '') <= now.toISOString())) return undefined;
  return user;
}

/**
 * Transaction item moving the active-factor count from what was read to `next`: conditional
 * on the read value, so two activations cannot both be "the first" or both take the last slot.
 * A factor activated or removed is a change to the means of authentication: the auth version
 * moves on in the same write.
 */
export function setActiveFactors(user: User, next: number) {
  const seen = user.activeFactors ?? 0;
  const version = versionSeen(user);
  return {
    Update: {
      TableName: table(),
      Key: profileKey(user.userId),
      UpdateExpression: 'SET activeFactors = :next, authVersion = :nextVersion',
      ConditionExpression: `${seen === 0 ? '(attribute_not_exists(activeFactors) OR activeFactors = :seen)' : 'activeFactors = :seen'} AND ${version.condition}`,
      ExpressionAttributeValues: { ':next': next, ':seen': seen, ...version.values },
    },
  };
}

/**
 * Transaction item of an MFA reset on the profile: no active factor any more, and the auth
 * version moves on, so logins in flight and remembered devices die with the reset.
 * `ifUnchanged`: only while the auth version is still as `user` was read, so a reset decided
 * from a read of the member's factors cannot be applied twice, nor miss a factor activated
 * since (the caller reads again).
 */
export function resetProfileMfa(user: User, options: { ifUnchanged: boolean }) {
  const version = versionSeen(user);
  return {
    Update: {
      TableName: table(),
      Key: profileKey(user.userId),
      ...(options.ifUnchanged
        ? {
            UpdateExpression: 'SET activeFactors = :zero, authVersion = :nextVersion',
            ConditionExpression: `attribute_exists(pk) AND ${version.condition}`,
            ExpressionAttributeValues: { ':zero': 0, ...version.values },
          }
        : {
            UpdateExpression: 'SET activeFactors = :zero ADD authVersion :one',
            ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
          }),
    },
  };
}
