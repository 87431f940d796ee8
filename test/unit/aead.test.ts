/**
 * AES-256-GCM as the envelope uses it. Attacks: a sealed value moved onto another owner
 * (AAD), bit-flipping the ciphertext, and forging with a truncated tag — Node accepts GCM
 * tags down to 4 bytes unless the length is pinned (NIST SP 800-38D §5.2.1.2).
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decrypt, encrypt } from '../../shared/crypto/aead.ts';

const key = randomBytes(32);
const plaintext = Buffer.from('JBSWY3DPEHPK3PXP', 'utf8');
const aad = 'user-1/factor-1';

function parts(sealed: string): [Buffer, Buffer] {
  const [iv = '', body = ''] = sealed.split('.');
  return [Buffer.from(iv, 'base64url'), Buffer.from(body, 'base64url')];
}
const join = (iv: Buffer, body: Buffer) => `${iv.toString('base64url')}.${body.toString('base64url')}`;

describe('aead', () => {
  it('opens what it sealed, with a 12-byte IV and a 16-byte tag', () => {
    const sealed = encrypt(key, plaintext, aad);
    const [iv, body] = parts(sealed);
    expect(iv).toHaveLength(12);
    expect(body).toHaveLength(plaintext.length + 16);
    expect(decrypt(key, sealed, aad)).toEqual(plaintext);
  });

  const sealed = encrypt(key, plaintext, aad);
  const [iv, body] = parts(sealed);
  const flipped = Buffer.from(body);
  flipped[0] = (flipped[0] ?? 0) ^ 1;
  const cases: [string, string, string, RegExp][] = [
    ['another owner (wrong AAD)', sealed, 'user-2/factor-1', /unable to authenticate/i],
    ['a tampered ciphertext', join(iv, flipped), aad, /unable to authenticate/i],
    // The first 4 bytes of the real tag: a forger would need only 2^32 guesses.
    [
      'a tag truncated to 4 bytes',
      join(iv, body.subarray(0, body.length - 12)),
      aad,
      /unable to authenticate/i,
    ],
    ['a body shorter than a tag', join(iv, body.subarray(0, 15)), aad, /shorter than the tag/],
    ['an 8-byte IV', join(iv.subarray(0, 8), body), aad, /IV is not 12 bytes/],
    ['a 16-byte IV', join(Buffer.concat([iv, iv.subarray(0, 4)]), body), aad, /IV is not 12 bytes/],
    ['no separator', sealed.replace('.', ''), aad, /Malformed/],
  ];
  it.each(cases)('refuses %s', (_, value, context, message) => {
    expect(() => decrypt(key, value, context)).toThrow(message);
  });

  it('refuses a truncated tag even when the ciphertext part is empty', () => {
    const empty = encrypt(key, Buffer.alloc(0), aad);
    const [emptyIv, tag] = parts(empty);
    expect(decrypt(key, empty, aad)).toHaveLength(0);
    expect(() => decrypt(key, join(emptyIv, tag.subarray(0, 4)), aad)).toThrow(/shorter than the tag/);
  });
});
