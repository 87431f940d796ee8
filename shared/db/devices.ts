import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { constantTimeEqual, randomToken } from '../crypto/random.ts';
import { digest } from '../mfa/codes.ts';
import { db, epochSeconds, isConditionFailure, table } from './client.ts';

/**
 * Remembered devices: `USER#<id>` / `DEVICE#<id>`. The device token is `<deviceId>.<secret>`
 * and only the secret's digest is stored. A remembered device skips the second factor until
 * `expiresAt` (checked on every use) or until the user revokes it.
 */
export interface Device {
  deviceId: string;
  userId: string;
  label: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string;
  /** The password version it was remembered under: a password change forgets it (absent: 0). */
  authVersion?: number;
}

const key = (userId: string, deviceId: string) => ({ pk: `USER#${userId}`, sk: `DEVICE#${deviceId}` });

export async function newDevice(
  userId: string,
  label: string,
  days: number,
  authVersion: number,
  now = new Date(),
) {
  const deviceId = ulid();
  const secret = randomToken();
  const expiresAt = new Date(now.getTime() + days * 24 * 60 * 60 * 1000);
  const device: Device = {
    deviceId,
    userId,
    label: label.slice(0, 120) || 'Unknown device',
    createdAt: now.toISOString(),
    lastUsedAt: null,
    expiresAt: expiresAt.toISOString(),
    authVersion,
  };
  const item = {
    ...key(userId, deviceId),
    ...device,
    tokenDigest: await digest('device', userId, deviceId, secret),
    ttl: epochSeconds(expiresAt),
  };
  return { device, deviceToken: `${deviceId}.${secret}`, put: { Put: { TableName: table(), Item: item } } };
}

/** The device a token stands for, if it is this user's, genuine and not expired. */
export async function checkDeviceToken(
  userId: string,
  token: string,
  now = new Date(),
): Promise<Device | undefined> {
  const match = /^([0-9A-Z]{26})\.([\w-]{43})$/.exec(token);
  if (!match?.[1] || !match[2]) return undefined;
  const out = await db.send(
    new GetCommand({ TableName: table(), Key: key(userId, match[1]), ConsistentRead: true }),
  );
  const item = out.Item;
  if (!item || item.expiresAt <= now.toISOString()) return undefined;
  const presented = await digest('device', userId, match[1], match[2]);
  return constantTimeEqual(presented, item.tokenDigest) ? (item as Device) : undefined;
}

export async function touchDevice(device: Device, now = new Date()): Promise<void> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: table(),
        Key: key(device.userId, device.deviceId),
        UpdateExpression: 'SET lastUsedAt = :now',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':now': now.toISOString() },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

export async function listDevices(userId: string, now = new Date()): Promise<Device[]> {
  const out = await db.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :device)',
      ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':device': 'DEVICE#' },
      // Resets and removals act on this list: a device remembered a moment ago must be on it.
      ConsistentRead: true,
    }),
  );
  return ((out.Items ?? []) as (Device & { tokenDigest?: string })[])
    .filter((device) => device.expiresAt > now.toISOString())
    .map(({ deviceId, userId: owner, label, createdAt, lastUsedAt, expiresAt }) => ({
      deviceId,
      userId: owner,
      label,
      createdAt,
      lastUsedAt: lastUsedAt ?? null,
      expiresAt,
    }));
}

/**
 * Forgets the devices remembered under an older password version, one write each: the new
 * version already stops them counting; this is housekeeping, and keeps the user's list true.
 * A device remembered with the step that completed a reset has the new version and stays.
 */
export async function forgetDevicesBefore(userId: string, authVersion: number): Promise<void> {
  const out = await db.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :device)',
      ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':device': 'DEVICE#' },
      ConsistentRead: true,
    }),
  );
  const stale = ((out.Items ?? []) as Device[]).filter((device) => (device.authVersion ?? 0) < authVersion);
  await Promise.all(
    stale.map((device) => db.send(new DeleteCommand(forgetDevice(userId, device.deviceId).Delete))),
  );
}

/** Transaction item forgetting a device (a reset, or the last factor removed). */
export function forgetDevice(userId: string, deviceId: string) {
  return { Delete: { TableName: table(), Key: key(userId, deviceId) } };
}
