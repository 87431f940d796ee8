import { createPublicKey, type KeyObject } from 'node:crypto';
import { type JWTVerifyGetKey, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { config } from '../config.ts';
import { signingKey, verificationKeys } from '../crypto/keyring.ts';

/** API.md "Tokens": the claims of an access token, checked after the signature. */
export const accessClaims = z.object({
  sub: z.string().min(1),
  sid: z.string().min(1),
  org: z.string().optional(),
  role: z.enum(['owner', 'admin', 'member']).optional(),
  aal: z.union([z.literal(1), z.literal(2)]),
  amr: z.array(z.string()),
  auth_time: z.number().int(),
  scope: z.enum(['full', 'mfa:enroll']),
  iat: z.number().int(),
  exp: z.number().int(),
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
});

export type AccessClaims = z.infer<typeof accessClaims>;

export interface AccessTokenInput {
  userId: string;
  sessionId: string;
  orgId?: string;
  role?: 'owner' | 'admin' | 'member';
  aal: 1 | 2;
  amr: string[];
  authTime: Date;
  scope: 'full' | 'mfa:enroll';
  ttlSeconds?: number;
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

export async function issueAccessToken(input: AccessTokenInput, now = new Date()): Promise<string> {
  const { kid, privateKey } = await signingKey();
  const ttl = input.ttlSeconds ?? config().accessTokenTtlSeconds;
  return new SignJWT({
    sid: input.sessionId,
    ...(input.orgId ? { org: input.orgId } : {}),
    ...(input.role ? { role: input.role } : {}),
    aal: input.aal,
    amr: input.amr,
    auth_time: seconds(input.authTime),
    scope: input.scope,
  })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid })
    .setSubject(input.userId)
    .setIssuer(config().tokenIssuer)
    .setAudience(config().tokenAudience)
    .setIssuedAt(seconds(now))
    .setExpirationTime(seconds(now) + ttl)
    .sign(privateKey);
}

const imported = new Map<string, KeyObject>();

// Only keys from our own keyring, looked up by kid, and only for ES256: a token cannot pick
// its algorithm (alg `none`, HS256 with the public key as secret) or bring its own key (jwk/jku).
const keyFor: JWTVerifyGetKey = async (header) => {
  if (header.alg !== 'ES256' || !header.kid) throw new Error('Unsupported token header');
  const cached = imported.get(header.kid);
  if (cached) return cached;
  let jwk = (await verificationKeys()).find((key) => key.kid === header.kid);
  jwk ??= (await verificationKeys({ refresh: true })).find((key) => key.kid === header.kid);
  if (!jwk) throw new Error('Unknown key id');
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  imported.set(header.kid, key);
  return key;
};

/** Verifies signature, algorithm, issuer, audience and lifetime; throws on any doubt. */
export async function verifyAccessToken(token: string, now = new Date()): Promise<AccessClaims> {
  const { payload } = await jwtVerify(token, keyFor, {
    algorithms: ['ES256'],
    issuer: config().tokenIssuer,
    audience: config().tokenAudience,
    typ: 'at+jwt',
    currentDate: now,
    requiredClaims: ['sub', 'sid', 'iat', 'exp', 'scope'],
  });
  return accessClaims.parse(payload);
}
