import { z } from 'zod';
import type { Route } from '../shared/http/route.ts';
import {
  createSessionBody,
  refreshSessionBody,
  sessionAuthenticated,
  sessionRefreshed,
} from './sessions/schemas.ts';
import { createUserBody, userCreated } from './users/schemas.ts';

/**
 * THE route table. The CDK stack makes one Lambda per entry with exactly these permissions,
 * the local runtime serves these paths, the OpenAPI document is generated from it, and each
 * handler wraps itself with its own entry. Nothing lists routes twice.
 *
 * Permissions: signing tokens and digesting opaque tokens need the KMS-sealed keyring
 * (decrypt, and generate on the very first use); verifying bearer tokens only reads public
 * keys from the table.
 */
const keyring = ['kms:decrypt', 'kms:generateDataKey'] as const;

export const routes = {
  createUser: {
    method: 'POST',
    path: '/v1/users',
    module: 'users/create',
    auth: 'none',
    permissions: ['table:read', 'table:write'],
    summary: 'Sign up with an email address and a password.',
    body: createUserBody,
    responses: { 201: { description: 'The user was created.', schema: userCreated } },
    errors: ['invalid_request', 'already_exists'],
  },
  createSession: {
    method: 'POST',
    path: '/v1/sessions',
    module: 'sessions/create',
    auth: 'none',
    permissions: ['table:read', 'table:write', ...keyring],
    summary: 'Log in with a password.',
    body: createSessionBody,
    responses: {
      200: {
        description: 'Authenticated, or the next step (MFA) the client must take.',
        schema: sessionAuthenticated,
      },
    },
    errors: ['invalid_request', 'invalid_credentials', 'locked'],
  },
  refreshSession: {
    method: 'POST',
    path: '/v1/sessions/refresh',
    module: 'sessions/refresh',
    auth: 'none',
    permissions: ['table:read', 'table:write', ...keyring],
    summary: 'Exchange a refresh token for new tokens; the presented one stops working.',
    body: refreshSessionBody,
    responses: { 200: { description: 'New tokens.', schema: sessionRefreshed } },
    errors: ['invalid_request', 'unauthorized'],
  },
  deleteCurrentSession: {
    method: 'DELETE',
    path: '/v1/sessions/current',
    module: 'sessions/delete-current',
    auth: 'bearer',
    permissions: ['table:read', 'table:write'],
    summary: 'Log out: revokes the session and its refresh token.',
    responses: { 204: { description: 'The session is revoked.' } },
    errors: ['unauthorized'],
  },
  jwks: {
    method: 'GET',
    path: '/.well-known/jwks.json',
    module: 'keys/jwks',
    auth: 'none',
    permissions: ['table:read'],
    summary: 'Public keys that verify access tokens (RFC 7517).',
    responses: {
      200: {
        description: 'JSON Web Key Set.',
        schema: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }),
      },
    },
  },
  health: {
    method: 'GET',
    path: '/v1/health',
    module: 'ops/health',
    auth: 'none',
    permissions: [],
    summary: 'Liveness.',
    responses: {
      200: { description: 'The service answers.', schema: z.object({ status: z.literal('ok') }) },
    },
  },
  openapi: {
    method: 'GET',
    path: '/v1/openapi.json',
    module: 'ops/openapi',
    auth: 'none',
    permissions: [],
    summary: 'This OpenAPI 3.1 document.',
    responses: { 200: { description: 'OpenAPI 3.1 document.' } },
  },
} as const satisfies Record<string, Route>;

export type RouteName = keyof typeof routes;

export const routeList: readonly (Route & { name: string })[] = Object.entries(routes).map(
  ([name, route]) => ({
    name,
    ...route,
  }),
);
