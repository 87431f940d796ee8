import type { Route } from '../../shared/http/route.ts';
import * as z from '../../shared/zod.ts';
import * as mfa from '../mfa/schemas.ts';
import * as orgs from '../orgs/schemas.ts';
import { checksCodes, managedChange, readWrite } from './common.ts';

/**
 * The route table's entries of the handlers in `functions/orgs/`; functions/routes.ts assembles
 * them. A handler imports its own module (`import * as routes from '../routes/orgs.ts'`), so its
 * bundle holds its own area's entries and schemas, not every route's.
 */

export const createOrg = {
  method: 'POST',
  path: '/v1/orgs',
  module: 'orgs/create',
  auth: 'bearer',
  permissions: readWrite,
  summary: 'Create an organisation; the caller becomes its owner (a user belongs to at most one).',
  body: orgs.createOrgBody,
  responses: { 201: { description: 'Created.', schema: orgs.orgCreated } },
  errors: ['already_in_org'],
} as const satisfies Route;

export const getOrg = {
  method: 'GET',
  path: '/v1/orgs/{orgId}',
  module: 'orgs/get',
  auth: 'bearer',
  permissions: ['table:read'],
  summary: 'An organisation and its MFA policy (its members only).',
  params: orgs.orgParams,
  responses: { 200: { description: 'The organisation.', schema: orgs.orgBody } },
  errors: ['not_found', 'caller_mfa_required'],
} as const satisfies Route;

export const putMfaPolicy = {
  method: 'PUT',
  path: '/v1/orgs/{orgId}/mfa-policy',
  module: 'orgs/policy-put',
  auth: 'bearer',
  // The owner's proof for a weakening: the keyring (digests) and a lock notice.
  permissions: checksCodes,
  summary:
    'Set the MFA policy (owner/admin, with an aal 2 token: enable MFA for yourself first); only the owner may weaken it, with a step-up.',
  params: orgs.orgParams,
  body: orgs.putPolicyBody,
  responses: { 200: { description: 'The policy now in force.', schema: orgs.policyAnswer } },
  errors: managedChange,
} as const satisfies Route;

export const addMember = {
  method: 'POST',
  path: '/v1/orgs/{orgId}/members',
  module: 'orgs/members-add',
  throttle: { rateLimit: 20, burstLimit: 40 },
  ipLimit: 'invite',
  auth: 'bearer',
  // ses:send: the invitee is told, since joining gives the organisation power over their MFA.
  permissions: [...readWrite, 'ses:send'],
  summary:
    'Invite an email address as admin or member (owner/admin); its verified owner joins by accepting. The same answer for every address.',
  params: orgs.orgParams,
  body: orgs.addMemberBody,
  responses: { 201: { description: 'Invited.', schema: orgs.memberAdded } },
  errors: ['not_found', 'forbidden', 'caller_mfa_required', 'already_in_org', 'rate_limited'],
} as const satisfies Route;

export const listOrgInvitations = {
  method: 'GET',
  path: '/v1/orgs/{orgId}/invitations',
  module: 'orgs/invitations-list',
  auth: 'bearer',
  permissions: ['table:read'],
  summary: 'Invitations not yet accepted, declined or expired (owner/admin).',
  params: orgs.orgParams,
  responses: { 200: { description: 'Open invitations.', schema: orgs.orgInvitationList } },
  errors: ['not_found', 'forbidden', 'caller_mfa_required'],
} as const satisfies Route;

export const revokeOrgInvitation = {
  method: 'DELETE',
  path: '/v1/orgs/{orgId}/invitations/{email}',
  module: 'orgs/invitations-revoke',
  auth: 'bearer',
  permissions: readWrite,
  summary: 'Withdraw an invitation (owner/admin); the address can no longer accept it.',
  params: orgs.invitationParams,
  responses: { 204: { description: 'Withdrawn.' } },
  errors: ['not_found', 'forbidden', 'caller_mfa_required'],
} as const satisfies Route;

export const listMembers = {
  method: 'GET',
  path: '/v1/orgs/{orgId}/members',
  module: 'orgs/members-list',
  auth: 'bearer',
  permissions: ['table:read'],
  summary: 'Members with their MFA status (owner/admin).',
  params: orgs.orgParams,
  responses: { 200: { description: 'Members.', schema: orgs.memberList } },
  errors: ['not_found', 'forbidden', 'caller_mfa_required'],
} as const satisfies Route;

export const resetMemberMfa = {
  method: 'POST',
  path: '/v1/orgs/{orgId}/members/{userId}/mfa-reset',
  module: 'orgs/members-mfa-reset',
  auth: 'bearer',
  // The caller's proof: the keyring (digests) and a lock notice.
  permissions: checksCodes,
  summary:
    "Reset a member's MFA (lost phone): factors, recovery codes and devices removed, sessions revoked.",
  params: orgs.memberParams,
  body: z.optional(mfa.verificationBody),
  responses: { 204: { description: 'Reset; the member was emailed.' } },
  errors: managedChange,
} as const satisfies Route;

export const resetOrgMfa = {
  method: 'POST',
  path: '/v1/orgs/{orgId}/mfa-reset',
  module: 'orgs/mfa-reset',
  auth: 'bearer',
  // The owner's proof: the keyring (digests) and a lock notice; each reset member is emailed.
  permissions: checksCodes,
  summary:
    "Reset the MFA of every member but the caller (owner only, aal 2, step-up, the organisation's name in `confirm`): as the single reset, for each member who has something to reset.",
  params: orgs.orgParams,
  body: orgs.resetOrgMfaBody,
  responses: {
    200: { description: 'Done; each member reset was emailed.', schema: orgs.orgMfaReset },
  },
  errors: managedChange,
} as const satisfies Route;

export const listOrgEvents = {
  method: 'GET',
  path: '/v1/orgs/{orgId}/events',
  module: 'orgs/events',
  auth: 'bearer',
  permissions: ['table:read'],
  summary:
    "The organisation's security events, newest first, with the actor's and the user's addresses (owner/admin).",
  params: orgs.orgParams,
  query: mfa.eventsQuery,
  responses: { 200: { description: 'Events.', schema: orgs.orgEventList } },
  errors: ['not_found', 'forbidden', 'caller_mfa_required'],
} as const satisfies Route;
