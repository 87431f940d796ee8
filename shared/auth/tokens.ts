import { createPublicKey } from 'node:crypto';
import { errors, type JWTVerifyGetKey, jwtVerify, SignJWT } from 'jose';
import { config } from '../config.ts';
import { signingKey, verificationKeys } from '../crypto/keyring.ts';
import * as z from '../zod.ts';

/**
 * `scope` of a token, for downstream verifiers (API Gateway's `authorizationScopes`, a `jose`
 * check): every access token has `aal1`, an aal 2 session's also `aal2`; an enrollment token
 * has only `mfa:enroll` and another audience, so a verifier configured with the access-token
 * audience refuses it without knowing about scopes at all.
 */
export const ACCESS_SCOPES = { 1: 'aal1', 2: 'aal1 aal2' } as const;
export const ENROLLMENT_SCOPE = 'mfa:enroll';
export const SCOPES_SUPPORTED = ['aal1', 'aal2', ENROLLMENT_SCOPE] as const;

/** `aud` of enrollment tokens: the access-token audience with a suffix no access verifier lists. */
export const enrollmentAudience = () => `${config().tokenAudience}:mfa-enroll`;

/** API.md "Tokens": the claims of an access token, checked after the signature. */
export const accessClaims = z
  .object({
    sub: z.string().check(z.minLength(1)),
    sid: z.string().check(z.minLength(1)),
    org: z.optional(z.string()),
    role: z.optional(z.enum(['owner', 'admin', 'member'])),
    aal: z.union([z.literal(1), z.literal(2)]),
    amr: z.array(z.string()),
    auth_time: z.int(),
    scope: z.enum([ACCESS_SCOPES[1], ACCESS_SCOPES[2], ENROLLMENT_SCOPE]),
    iat: z.int(),
    exp: z.int(),
    iss: z.string(),
    aud: z.string(),
  })
  // A scope that says more than the session proved, or the wrong kind for its audience, is
  // not a token we issued.
  .check(
    z.refine((claims) =>
      claims.aud === enrollmentAudience()
        ? claims.scope === ENROLLMENT_SCOPE
        : claims.scope === ACCESS_SCOPES[claims.aal],
    ),
  );

export type AccessClaims = z.infer<typeof accessClaims>;

/** What a token may be used for: `access` (every authenticated route) or `enrollment` (factor enrollment only). */
export type TokenKind = 'access' | 'enrollment';

export interface AccessTokenInput {
  userId: string;
  sessionId: string;
  orgId?: string;
  role?: 'owner' | 'admin' | 'member';
  aal: 1 | 2;
  amr: string[];
  authTime: Date;
  kind: TokenKind;
  ttlSeconds?: number;
}

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

export async function issueAccessToken(input: AccessTokenInput, now = new Date()): Promise<string> {
  const { kid, alg, privateKey } = await signingKey();
  const ttl = input.ttlSeconds ?? config().accessTokenTtlSeconds;
  const enrollment = input.kind === 'enrollment';
  return new SignJWT({
    sid: input.sessionId,
    ...(input.orgId ? { org: input.orgId } : {}),
    ...(input.role ? { role: input.role } : {}),
    aal: input.aal,
    amr: input.amr,
    auth_time: seconds(input.authTime),
    scope: enrollment ? ENROLLMENT_SCOPE : ACCESS_SCOPES[input.aal],
  })
    .setProtectedHeader({ alg, typ: 'at+jwt', kid })
    .setSubject(input.userId)
    .setIssuer(config().tokenIssuer)
    .setAudience(enrollment ? enrollmentAudience() : config().tokenAudience)
    .setIssuedAt(seconds(now))
    .setExpirationTime(seconds(now) + ttl)
    .sign(privateKey);
}

/** The token is not ours or not valid: the caller answers 401. Anything else is an outage. */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

const ALGORITHMS = ['RS256', 'ES256'];

// Only keys from our own keyring, looked up by kid on every call (a key removed from the
// keyring stops verifying at the next reload), and only with the algorithm that key was made
// for: a token cannot pick its algorithm (alg `none`, HS256 keyed with the public key, RS256
// against an EC key) or bring its own key (jwk/jku).
const keyFor: JWTVerifyGetKey = async (header) => {
  if (!header.kid || !ALGORITHMS.includes(header.alg ?? '')) {
    throw new InvalidTokenError('Unsupported token header');
  }
  let jwk = (await verificationKeys()).find((key) => key.kid === header.kid);
  jwk ??= (await verificationKeys({ refresh: true })).find((key) => key.kid === header.kid);
  if (!jwk) throw new InvalidTokenError('Unknown key id');
  if (jwk.alg !== header.alg) throw new InvalidTokenError('Algorithm does not match the key');
  return createPublicKey({ key: jwk, format: 'jwk' });
};

/**
 * Verifies signature, algorithm, issuer, audience (either kind) and lifetime, and says which
 * kind the token is; throws `InvalidTokenError` on any doubt.
 */
export async function verifyAccessToken(
  token: string,
  now = new Date(),
): Promise<AccessClaims & { kind: TokenKind }> {
  const audiences = [config().tokenAudience, enrollmentAudience()];
  try {
    const { payload } = await jwtVerify(token, keyFor, {
      algorithms: ALGORITHMS,
      issuer: config().tokenIssuer,
      audience: audiences,
      typ: 'at+jwt',
      currentDate: now,
      requiredClaims: ['sub', 'sid', 'iat', 'exp', 'scope'],
    });
    const parsed = accessClaims.safeParse(payload);
    if (!parsed.success) throw new InvalidTokenError(parsed.error.message, { cause: parsed.error });
    const claims = parsed.data;
    return { ...claims, kind: claims.aud === config().tokenAudience ? 'access' : 'enrollment' };
  } catch (error) {
    if (error instanceof errors.JOSEError) {
      throw new InvalidTokenError(error.message, { cause: error });
    }
    // Key lookups that failed (a DynamoDB outage) are not the client's fault: they stay 5xx.
    throw error;
  }
}
