import type { Route } from '../../shared/http/route.ts';
import * as z from '../../shared/zod.ts';
import * as me from '../me/schemas.ts';
import * as mfa from '../mfa/schemas.ts';
import * as orgs from '../orgs/schemas.ts';
import { checksCodes, provenChange, readWrite, stepUpErrors } from './common.ts';

/**
 * The route table's entries of the handlers in `functions/me/`; functions/routes.ts assembles
 * them. A handler imports its own module (`import * as routes from '../routes/me.ts'`), so its
 * bundle holds its own area's entries and schemas, not every route's.
 */

export const listMyEvents = {
  method: 'GET',
  path: '/v1/me/events',
  module: 'me/events',
  auth: 'bearer',
  permissions: ['table:read'],
  summary: "The caller's security activity, newest first.",
  query: mfa.eventsQuery,
  responses: { 200: { description: 'Events.', schema: mfa.eventList } },
} as const satisfies Route;

export const listMySessions = {
  method: 'GET',
  path: '/v1/me/sessions',
  module: 'me/sessions-list',
  auth: 'bearer',
  permissions: ['table:read'],
  summary: "The caller's live sessions (where and when each was opened, last used, aal), newest first.",
  responses: { 200: { description: 'Sessions.', schema: me.sessionList } },
} as const satisfies Route;

export const deleteMySession = {
  method: 'DELETE',
  path: '/v1/me/sessions/{sessionId}',
  module: 'me/sessions-delete',
  auth: 'bearer',
  permissions: readWrite,
  summary: 'End one of your sessions (its refresh token stops working at once); no step-up needed.',
  params: me.sessionParams,
  responses: { 204: { description: 'Ended.' } },
  errors: ['not_found'],
} as const satisfies Route;

export const deleteMyOtherSessions = {
  method: 'DELETE',
  path: '/v1/me/sessions',
  module: 'me/sessions-delete-others',
  auth: 'bearer',
  permissions: readWrite,
  summary: 'Sign out everywhere else: every session but the current one ends.',
  responses: { 204: { description: 'Ended.' } },
} as const satisfies Route;

export const changePassword = {
  method: 'PUT',
  path: '/v1/me/password',
  module: 'me/password-put',
  auth: 'bearer',
  permissions: checksCodes,
  summary:
    'Change the password (the current one, and with MFA a verification or a fresh aal 2 token); every other session ends.',
  body: me.changePasswordBody,
  responses: { 204: { description: 'Changed; the owner was emailed.' } },
  errors: ['invalid_credentials', 'password_too_weak', ...stepUpErrors, 'not_found'],
} as const satisfies Route;

export const listMyInvitations = {
  method: 'GET',
  path: '/v1/me/invitations',
  module: 'me/invitations-list',
  auth: 'bearer',
  permissions: ['table:read'],
  summary: 'Organisations that invited the caller.',
  responses: { 200: { description: 'Open invitations.', schema: orgs.invitationList } },
} as const satisfies Route;

export const acceptInvitation = {
  method: 'POST',
  path: '/v1/me/invitations/{orgId}/accept',
  module: 'me/invitations-accept',
  ipLimit: 'invite',
  auth: 'bearer',
  // Keyring: joining an organisation that requires MFA answers with an enrollment token; the
  // proof can end in a lock notice, and the owner is told they joined.
  permissions: checksCodes,
  summary:
    "Join the organisation (its admins then set the caller's MFA policy); with MFA, a verification or a fresh aal 2 token.",
  params: orgs.orgParams,
  body: z.optional(mfa.verificationBody),
  responses: { 200: { description: 'Joined.', schema: orgs.invitationAccepted } },
  errors: ['not_found', 'already_in_org', ...provenChange],
} as const satisfies Route;

export const declineInvitation = {
  method: 'DELETE',
  path: '/v1/me/invitations/{orgId}',
  module: 'me/invitations-decline',
  auth: 'bearer',
  permissions: readWrite,
  summary: 'Decline an invitation.',
  params: orgs.orgParams,
  responses: { 204: { description: 'Declined.' } },
  errors: ['not_found'],
} as const satisfies Route;
