import { verificationKeys } from '../../shared/crypto/keyring.ts';
import { http } from '../../shared/http/handler.ts';
import { routes } from '../routes.ts';

export const handler = http(routes.jwks, async () => {
  const keys = (await verificationKeys()).map(({ kty, crv, x, y, kid, alg, use }) => ({
    kty,
    crv,
    x,
    y,
    kid,
    alg,
    use,
  }));
  // Public and rotated rarely: verifiers may cache it briefly.
  return { status: 200, body: { keys }, headers: { 'cache-control': 'public, max-age=300' } };
});
