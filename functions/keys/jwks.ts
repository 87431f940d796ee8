import { verificationKeys } from '../../shared/crypto/keyring.ts';
import { http } from '../../shared/http/handler.ts';
import * as routes from '../routes/keys.ts';

export const handler = http(routes.jwks, async function jwks() {
  // Only the public members of each kind (RFC 7518 §6.2.1 EC, §6.3.1 RSA), whatever else is stored.
  const keys = (await verificationKeys()).map(({ kty, crv, x, y, n, e, kid, alg, use }) =>
    kty === 'RSA' ? { kty, n, e, kid, alg, use } : { kty, crv, x, y, kid, alg, use },
  );
  // Public and rotated rarely: verifiers may cache it briefly. Before the first token of a new
  // deployment there is no key yet, and an empty set cached for minutes would make verifiers
  // refuse the first tokens: that answer is not cached at all.
  const cache = keys.length ? 'public, max-age=300' : 'no-store';
  return { status: 200, body: { keys }, headers: { 'cache-control': cache } };
});
