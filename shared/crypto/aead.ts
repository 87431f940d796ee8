import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM with a random 96-bit IV (NIST SP 800-38D §8.2.2; keys here seal few enough
 * messages that random IVs stay far below the 2^32 limit). The AAD binds a ciphertext to
 * its owner, so a sealed value copied onto another item fails to open.
 * Format: base64url(iv) . base64url(ciphertext || tag).
 */
// NIST SP 800-38D §5.2.1.2: tags shorter than 128 bits weaken the forgery bound; Node would
// otherwise accept any tag length from 4 bytes up, so a truncated tag must be refused here.
const TAG_BYTES = 16;
// §8.2.2: 96-bit IVs are used as-is; other lengths go through GHASH and are not what we write.
const IV_BYTES = 12;

export function encrypt(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  return `${iv.toString('base64url')}.${body.toString('base64url')}`;
}

export function decrypt(key: Buffer, sealed: string, aad: string): Buffer {
  const [ivText, bodyText, ...rest] = sealed.split('.');
  if (!ivText || !bodyText || rest.length > 0) throw new Error('Malformed ciphertext');
  const iv = Buffer.from(ivText, 'base64url');
  const body = Buffer.from(bodyText, 'base64url');
  if (iv.length !== IV_BYTES) throw new Error(`Malformed ciphertext: IV is not ${IV_BYTES} bytes`);
  if (body.length < TAG_BYTES) throw new Error('Malformed ciphertext: shorter than the tag');
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
}
