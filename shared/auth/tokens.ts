import { createPublicKey } from 'node:crypto';
import { errors, type JWTVerifyGetKey, jwtVerify, SignJWT } from 'jose';
import * as z from 'zod';
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

/** The token is not ours or not valid: the caller answers 401. Anything else is an outage. */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

// Only keys from our own keyring, looked up by kid on every call (a key removed from the
// keyring stops verifying at the next reload), and only for ES256: a token cannot pick its
// algorithm (alg `none`, HS256 keyed with the public key) or bring its own key (jwk/jku).
const keyFor: JWTVerifyGetKey = async (header) => {
  if (header.alg !== 'ES256' || !header.kid) throw new InvalidTokenError('Unsupported token header');
  let jwk = (await verificationKeys()).find((key) => key.kid === header.kid);
  jwk ??= (await verificationKeys({ refresh: true })).find((key) => key.kid === header.kid);
  if (!jwk) throw new InvalidTokenError('Unknown key id');
  return createPublicKey({ key: jwk, format: 'jwk' });
};

/** Verifies signature, algorithm, issuer, audience and lifetime; throws `InvalidTokenError` on any doubt. */
export async function verifyAccessToken(token: string, now = new Date()): Promise<AccessClaims> {
  try {
    const { payload } = await jwtVerify(token, keyFor, {
      algorithms: ['ES256'],
      issuer: config().tokenIssuer,
      audience: config().tokenAudience,
      typ: 'at+jwt',
      currentDate: now,
      requiredClaims: ['sub', 'sid', 'iat', 'exp', 'scope'],
    });
    return accessClaims.parse(payload);
  } catch (error) {
    if (error instanceof errors.JOSEError || error instanceof z.ZodError) {
      throw new InvalidTokenError(error.message, { cause: error });
    }
    // Key lookups that failed (a DynamoDB outage) are not the client's fault: they stay 5xx.
    throw error;
  }
}
