import { findActiveSession } from '../db/sessions.ts';
import { ApiError } from '../http/errors.ts';
import { type AccessClaims, InvalidTokenError, type TokenKind, verifyAccessToken } from './tokens.ts';

export type { AccessClaims, TokenKind };

// RFC 9110 §11.1: the scheme name is case-insensitive.
const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i;

/**
 * Authenticates `Authorization: Bearer <access token>`. Besides the signature, the session
 * must still be live: logout, refresh-token reuse and admin resets take effect at once rather
 * than when the token expires, for the price of one GetItem.
 */
export async function authenticateBearer(
  header: string | undefined,
  kinds: readonly TokenKind[],
): Promise<AccessClaims & { kind: TokenKind }> {
  const token = BEARER.exec(header ?? '')?.[1];
  if (!token) throw new ApiError('unauthorized');
  let claims: AccessClaims & { kind: TokenKind };
  try {
    claims = await verifyAccessToken(token);
  } catch (error) {
    if (error instanceof InvalidTokenError) throw new ApiError('unauthorized', { cause: error });
    throw error;
  }
  if (!kinds.includes(claims.kind)) {
    throw new ApiError('forbidden', { message: 'This token cannot be used on this endpoint.' });
  }
  const session = await findActiveSession(claims.sid);
  if (!session || session.userId !== claims.sub) throw new ApiError('unauthorized');
  return claims;
}
