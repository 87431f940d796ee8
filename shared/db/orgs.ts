import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { db, table } from './client.ts';
import type { FactorType } from './factors.ts';
import { profileKey } from './users.ts';

/**
 * Organisations: `ORG#<id>` / `ORG` with the MFA policy, and `ORG#<id>` / `MEMBER#<userId>`
 * per member (the member list is one Query). The user's profile carries `orgId` and `role`
 * too: login reads one item, and `attribute_not_exists(orgId)` on it keeps a user in at most
 * one organisation.
 *
 * Joining takes the user's consent: an admin's "add" is an invitation (`ORG#<id>` /
 * `INVITE#<userId>`, mirrored at `USER#<userId>` / `INVITE#<orgId>` so users list theirs),
 * which the user accepts. Without it, anyone could create an organisation, add a stranger by
 * email and reset or relax that stranger's MFA.
 */
export type Role = 'owner' | 'admin' | 'member';
export type PolicyMode = 'off' | 'optional' | 'required';

export interface MfaPolicy {
  mode: PolicyMode;
  allowedFactorTypes: FactorType[];
  rememberDeviceDays: number;
  graceDays: number;
  /** When `required` was last switched on: the grace period counts from here. */
  requiredSince?: string;
}

export interface Org {
  orgId: string;
  name: string;
  policy: MfaPolicy;
  createdAt: string;
}

export interface Member {
  userId: string;
  email: string;
  role: Role;
  addedAt: string;
}

export const defaultPolicy = (rememberDeviceDays: number): MfaPolicy => ({
  mode: 'off',
  allowedFactorTypes: ['totp', 'sms', 'email'],
  rememberDeviceDays,
  graceDays: 0,
});

export const orgKey = (orgId: string) => ({ pk: `ORG#${orgId}`, sk: 'ORG' });
export const memberKey = (orgId: string, userId: string) => ({ pk: `ORG#${orgId}`, sk: `MEMBER#${userId}` });

export function newOrgId(): string {
  return ulid();
}

export async function getOrg(orgId: string): Promise<Org | undefined> {
  if (!/^[0-9A-Z]{26}$/.test(orgId)) return undefined;
  const out = await db.send(new GetCommand({ TableName: table(), Key: orgKey(orgId), ConsistentRead: true }));
  return out.Item as Org | undefined;
}

export async function listMembers(orgId: string): Promise<Member[]> {
  const members: Member[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :member)',
        ExpressionAttributeValues: { ':pk': `ORG#${orgId}`, ':member': 'MEMBER#' },
        ExclusiveStartKey: start,
      }),
    );
    members.push(...((out.Items ?? []) as Member[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return members;
}

/** Transaction items making a user a member: fails if the user already has an organisation. */
export function joinOrg(orgId: string, user: { userId: string; email: string }, role: Role, now: Date) {
  return [
    {
      Update: {
        TableName: table(),
        Key: profileKey(user.userId),
        UpdateExpression: 'SET orgId = :org, #role = :role',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(orgId)',
        ExpressionAttributeNames: { '#role': 'role' },
        ExpressionAttributeValues: { ':org': orgId, ':role': role },
      },
    },
    {
      Put: {
        TableName: table(),
        Item: {
          ...memberKey(orgId, user.userId),
          userId: user.userId,
          email: user.email,
          role,
          addedAt: now.toISOString(),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ];
}

export interface Invitation {
  orgId: string;
  orgName: string;
  userId: string;
  role: Exclude<Role, 'owner'>;
  invitedBy: string;
  createdAt: string;
  expiresAt: string;
}

// An invitation nobody acts on should not stay a standing offer.
const INVITATION_DAYS = 14;

const orgInviteKey = (orgId: string, userId: string) => ({ pk: `ORG#${orgId}`, sk: `INVITE#${userId}` });
const userInviteKey = (userId: string, orgId: string) => ({ pk: `USER#${userId}`, sk: `INVITE#${orgId}` });

/** Transaction items of an invitation (a repeated one replaces the earlier one). */
export function invite(org: Org, userId: string, role: Invitation['role'], invitedBy: string, now: Date) {
  const expiresAt = new Date(now.getTime() + INVITATION_DAYS * 86_400_000);
  const invitation: Invitation = {
    orgId: org.orgId,
    orgName: org.name,
    userId,
    role,
    invitedBy,
    createdAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
  };
  const ttl = Math.floor(expiresAt.getTime() / 1000);
  return {
    invitation,
    puts: [orgInviteKey(org.orgId, userId), userInviteKey(userId, org.orgId)].map((key) => ({
      Put: { TableName: table(), Item: { ...key, ...invitation, ttl } },
    })),
  };
}

export async function listInvitations(userId: string, now = new Date()): Promise<Invitation[]> {
  const out = await db.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :invite)',
      ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':invite': 'INVITE#' },
      ConsistentRead: true,
    }),
  );
  return ((out.Items ?? []) as Invitation[])
    .filter((item) => item.expiresAt > now.toISOString())
    .map(({ orgId, orgName, userId: invitee, role, invitedBy, createdAt, expiresAt }) => ({
      orgId,
      orgName,
      userId: invitee,
      role,
      invitedBy,
      createdAt,
      expiresAt,
    }));
}

/** Transaction items removing an invitation; the first requires it to exist and be unexpired. */
export function consumeInvitation(userId: string, orgId: string, now: Date) {
  return [
    {
      Delete: {
        TableName: table(),
        Key: userInviteKey(userId, orgId),
        ConditionExpression: 'attribute_exists(pk) AND expiresAt > :now',
        ExpressionAttributeValues: { ':now': now.toISOString() },
      },
    },
    { Delete: { TableName: table(), Key: orgInviteKey(orgId, userId) } },
  ];
}
