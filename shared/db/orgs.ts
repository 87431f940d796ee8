import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { config } from '../config.ts';
import { FACTOR_TYPES, type FactorType } from '../mfa/factor-types.ts';
import { db, table } from './client.ts';
import type { TransactItem } from './transact.ts';
import { profileKey } from './users.ts';

/**
 * Organisations: `ORG#<id>` / `ORG` with the MFA policy, and `ORG#<id>` / `MEMBER#<userId>`
 * per member (the member list is one Query). The user's profile carries `orgId` and `role`
 * too: login reads one item, and `attribute_not_exists(orgId)` on it keeps a user in at most
 * one organisation.
 *
 * Joining takes the user's consent: an admin's "add" is an invitation to an email address
 * (`ORG#<id>` / `INVITE#<email>`, mirrored at `EMAIL#<email>` / `INVITE#<orgId>` so the owner of
 * the address lists theirs), which only a verified account with that address sees and accepts.
 * Without it, anyone could create an organisation, add a stranger by email and reset or relax
 * that stranger's MFA; without the verified address, whoever signed up first with a new hire's
 * address would receive the new hire's invitation.
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
  allowedFactorTypes: [...FACTOR_TYPES],
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
  /** Normalised address; whichever verified account has it may accept. */
  email: string;
  role: Exclude<Role, 'owner'>;
  invitedBy: string;
  /** The inviter's address, so the list reads well after the inviter has left. */
  invitedByEmail: string;
  createdAt: string;
  expiresAt: string;
}

const orgInviteKey = (orgId: string, email: string) => ({ pk: `ORG#${orgId}`, sk: `INVITE#${email}` });
const addressInviteKey = (email: string, orgId: string) => ({ pk: `EMAIL#${email}`, sk: `INVITE#${orgId}` });

/** Transaction items of an invitation (a repeated one replaces the earlier one and its expiry). */
export function invite(
  org: Org,
  email: string,
  role: Invitation['role'],
  invitedBy: { userId: string; email: string },
  now: Date,
) {
  const expiresAt = new Date(now.getTime() + config().invitationTtlDays * 86_400_000);
  const invitation: Invitation = {
    orgId: org.orgId,
    orgName: org.name,
    email,
    role,
    invitedBy: invitedBy.userId,
    invitedByEmail: invitedBy.email,
    createdAt: now.toISOString(),
    expiresAt: expiresAt.toISOString(),
  };
  const ttl = Math.floor(expiresAt.getTime() / 1000);
  return {
    invitation,
    puts: [orgInviteKey(org.orgId, email), addressInviteKey(email, org.orgId)].map((key) => ({
      Put: { TableName: table(), Item: { ...key, ...invitation, ttl } },
    })),
  };
}

const asInvitation = (item: Invitation): Invitation => ({
  orgId: item.orgId,
  orgName: item.orgName,
  email: item.email,
  role: item.role,
  invitedBy: item.invitedBy,
  invitedByEmail: item.invitedByEmail,
  createdAt: item.createdAt,
  expiresAt: item.expiresAt,
});

async function queryInvitations(pk: string, now: Date): Promise<Invitation[]> {
  const found: Invitation[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :invite)',
        ExpressionAttributeValues: { ':pk': pk, ':invite': 'INVITE#' },
        ExclusiveStartKey: start,
        ConsistentRead: true,
      }),
    );
    found.push(...((out.Items ?? []) as Invitation[]));
    start = out.LastEvaluatedKey;
  } while (start);
  // TTL deletion lags: an expired invitation is no invitation.
  return found.filter((item) => item.expiresAt > now.toISOString()).map(asInvitation);
}

/** The open invitations to an address (its owner's list). */
export function listInvitationsTo(email: string, now = new Date()): Promise<Invitation[]> {
  return queryInvitations(`EMAIL#${email}`, now);
}

/** The open invitations an organisation sent. */
export function listOrgInvitations(orgId: string, now = new Date()): Promise<Invitation[]> {
  return queryInvitations(`ORG#${orgId}`, now);
}

/** Transaction items removing an invitation; the first requires it to exist (and, to accept, be unexpired). */
export function removeInvitation(email: string, orgId: string, now: Date, options: { live?: boolean } = {}) {
  return [
    {
      Delete: {
        TableName: table(),
        Key: addressInviteKey(email, orgId),
        ConditionExpression: options.live
          ? 'attribute_exists(pk) AND expiresAt > :now'
          : 'attribute_exists(pk)',
        ...(options.live ? { ExpressionAttributeValues: { ':now': now.toISOString() } } : {}),
      },
    },
    { Delete: { TableName: table(), Key: orgInviteKey(orgId, email) } },
  ] as [TransactItem, TransactItem];
}
