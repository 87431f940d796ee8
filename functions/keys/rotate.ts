import { type Rotation, rotateSigningKey } from '../../shared/crypto/keyring.ts';
import { log } from '../../shared/http/logger.ts';

/**
 * The scheduled rotation (`functions/workers.ts`), also run by `npm run rotate-signing-key`:
 * the published next key takes over and the current one retires. Several runs at once rotate
 * once (the keyring's write is conditioned on the keys it read).
 */
export async function handler(): Promise<Rotation> {
  const rotation = await rotateSigningKey();
  // Key ids are public (every JWKS lists them); key material never leaves the keyring.
  log.info('signing key rotation', { ...rotation });
  if (!rotation.prePublished) {
    log.warn('the new signing key was published less than two hours before it signed', { kid: rotation.kid });
  }
  return rotation;
}
