import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { correction, generate } from 'lean-qr';
import { toPngDataURL } from 'lean-qr/extras/node_export';

/**
 * The authenticator-app factor: RFC 4226 (HOTP) and RFC 6238 (TOTP).
 *
 * HOTP/TOTP are written over node:crypto rather than otplib 13. otplib does cover SHA-1/256/512,
 * raw byte secrets and 64-bit counters, but its default crypto plugin is pure-JS @noble/hashes
 * (~26 KB minified in every Lambda bundle, slower than native HMAC) for what is a dozen lines
 * here, and its generateURI drops algorithm/digits/period at their defaults and leaves a ':'
 * inside the issuer or account unencoded, so it cannot build the URI below either.
 */

// SHA-1, 6 digits, 30 s: the only parameters Google Authenticator honours (it ignores the rest).
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** RFC 4226 §4 R6: the secret MUST be at least 128 bits; 160 bits is RECOMMENDED. */
const SECRET_BYTES = 160 / 8;
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** ISO/IEC 18004 asks for a quiet zone of 4 modules around the symbol. */
const QR_QUIET_ZONE_MODULES = 4;
const QR_TARGET_PX = 288;

type HashAlgorithm = 'sha1' | 'sha256' | 'sha512';

export function newTotpSecret(): Buffer {
  return randomBytes(SECRET_BYTES);
}

/** RFC 4648 §6 without padding, uppercase: what authenticator apps expect in `secret=`. */
export function base32Encode(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    for (; bits >= 5; bits -= 5) out += BASE32_ALPHABET.charAt((value >>> (bits - 5)) & 31);
  }
  return bits > 0 ? out + BASE32_ALPHABET.charAt((value << (5 - bits)) & 31) : out;
}

/** Case-insensitive, trailing padding optional; any other character is rejected (RFC 4648 §3.3). */
export function base32Decode(text: string): Buffer {
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const char of text.toUpperCase().replace(/=+$/, '')) {
    const index = BASE32_ALPHABET.indexOf(char);
    if (index < 0) throw new Error('Invalid base32 character');
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

export function hotp(
  secret: Buffer,
  counter: bigint | number,
  options: { digits?: number; algorithm?: HashAlgorithm } = {},
): string {
  const { digits = TOTP_DIGITS, algorithm = 'sha1' } = options;
  // RFC 4226 §5.1: the counter is 8 bytes big-endian; BigInt keeps it exact past 2^32 (and 2^53).
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, secret).update(message).digest();
  // RFC 4226 §5.3 dynamic truncation: the low nibble of the last byte picks 31 bits.
  const binary = mac.readUInt32BE(mac.readUInt8(mac.length - 1) & 0xf) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** RFC 6238 §4.2: T = floor((unix time - T0) / X) with T0 = 0 and X = 30 s. */
export function totpStep(now: Date): number {
  return Math.floor(now.getTime() / (TOTP_PERIOD_SECONDS * 1000));
}

/** `step` is RFC 6238's X, the time step in seconds. */
export function totp(
  secret: Buffer,
  now: Date,
  options: { digits?: number; algorithm?: HashAlgorithm; step?: number } = {},
): string {
  const { step = TOTP_PERIOD_SECONDS, ...hotpOptions } = options;
  return hotp(secret, Math.floor(now.getTime() / (step * 1000)), hotpOptions);
}

/**
 * Finds the time step a code belongs to among the current and the previous step ONLY
 * (RFC 6238 §5.2: at most one step back for network delay), comparing in constant time;
 * undefined if none. The caller then enforces "each step once" with a conditional write
 * `lastTotpStep < :step`.
 */
export function matchTotpStep(secret: Buffer, code: string, now: Date): number | undefined {
  // Exactly six ASCII digits: no trimming, no full-width digits (DESIGN "Limits").
  if (!/^[0-9]{6}$/.test(code)) return undefined;
  const given = Buffer.from(code, 'ascii');
  const current = totpStep(now);
  let match: number | undefined;
  // Both steps are always computed (no early exit). If the code matches both, the later step
  // wins: recording the earlier one would let the same code pass again as the current step.
  for (const step of [current - 1, current]) {
    if (timingSafeEqual(Buffer.from(hotp(secret, step), 'ascii'), given)) match = step;
  }
  return match;
}

/**
 * How far a wrong code is looked for, to tell a user whose phone's clock is off by how much:
 * ±10 minutes of 30 s steps. Beyond that the code is as likely a typo as a clock.
 */
export const CLOCK_SKEW_HINT_STEPS = 20;

/**
 * For a code that `matchTotpStep` refused: how many steps from `now` it would have been right,
 * positive when the phone's clock is ahead (a future step), within ±CLOCK_SKEW_HINT_STEPS and
 * outside the accepted window; the nearest one if several match; undefined if none. Every
 * step is compared in constant time, without an early exit.
 */
export function clockSkewSteps(secret: Buffer, code: string, now: Date): number | undefined {
  if (!/^[0-9]{6}$/.test(code)) return undefined;
  const given = Buffer.from(code, 'ascii');
  const current = totpStep(now);
  let nearest: number | undefined;
  for (let offset = -CLOCK_SKEW_HINT_STEPS; offset <= CLOCK_SKEW_HINT_STEPS; offset++) {
    // The accepted window (the previous and the current step) is matchTotpStep's to judge.
    if (offset === -1 || offset === 0) continue;
    const matches = timingSafeEqual(Buffer.from(hotp(secret, current + offset), 'ascii'), given);
    if (matches && (nearest === undefined || Math.abs(offset) < Math.abs(nearest))) nearest = offset;
  }
  return nearest;
}

/**
 * Google's Key Uri Format: label `Issuer:account` with each part percent-encoded (a ':' inside
 * either would split the label), the issuer repeated as a parameter (apps prefer it), and the
 * parameters spelled out even at their defaults.
 */
export function otpauthUri(input: { secret: Buffer; issuer: string; account: string }): string {
  const issuer = encodeURIComponent(input.issuer);
  const label = `${issuer}:${encodeURIComponent(input.account)}`;
  return `otpauth://totp/${label}?secret=${base32Encode(input.secret)}&issuer=${issuer}&algorithm=SHA1&digits=${TOTP_DIGITS}&period=${TOTP_PERIOD_SECONDS}`;
}

/**
 * PNG of `text` as a data URL. Error correction at least M (~15 % of the symbol recoverable;
 * lean-qr raises it when the chosen version has room to spare). Whole pixels per module, about
 * 288 px across with the quiet zone, opaque white so it also scans on a dark page.
 */
export async function qrCodeDataUrl(text: string): Promise<string> {
  const code = generate(text, { minCorrectionLevel: correction.M });
  const scale = Math.max(1, Math.floor(QR_TARGET_PX / (code.size + 2 * QR_QUIET_ZONE_MODULES)));
  return toPngDataURL(code, { scale, pad: QR_QUIET_ZONE_MODULES, on: [0, 0, 0], off: [255, 255, 255] });
}
