import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'otplib';
import { describe, expect, it } from 'vitest';
import {
  base32Decode,
  base32Encode,
  clockSkewSteps,
  hotp,
  matchTotpStep,
  newTotpSecret,
  otpauthUri,
  qrCodeDataUrl,
  totp,
  totpStep,
} from '../../shared/mfa/totp.ts';

/** Runs an independent tool; a missing tool fails the test, naming the Debian package, never skips it. */
function run(tool: string, debianPackage: string, args: string[]): string {
  if (!existsSync(tool))
    throw new Error(`${tool} not found: install it with \`apt-get install -y ${debianPackage}\``);
  return execFileSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

const RFC4226_SECRET = Buffer.from('12345678901234567890');

describe('hotp: RFC 4226 Appendix D', () => {
  it.each(
    ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'].map(
      (code, counter) => [counter, code] as const,
    ),
  )('counter %i → %s', (counter, code) => {
    expect(hotp(RFC4226_SECRET, counter)).toBe(code);
  });
});

describe('totp: RFC 6238 Appendix B (8 digits, each algorithm with its own seed)', () => {
  const seeds = {
    sha1: Buffer.from('12345678901234567890'),
    sha256: Buffer.from('12345678901234567890123456789012'),
    sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
  };
  it.each([
    [59, '0000000000000001', 'sha1', '94287082'],
    [59, '0000000000000001', 'sha256', '46119246'],
    [59, '0000000000000001', 'sha512', '90693936'],
    [1111111109, '00000000023523EC', 'sha1', '07081804'],
    [1111111109, '00000000023523EC', 'sha256', '68084774'],
    [1111111109, '00000000023523EC', 'sha512', '25091201'],
    [1111111111, '00000000023523ED', 'sha1', '14050471'],
    [1111111111, '00000000023523ED', 'sha256', '67062674'],
    [1111111111, '00000000023523ED', 'sha512', '99943326'],
    [1234567890, '000000000273EF07', 'sha1', '89005924'],
    [1234567890, '000000000273EF07', 'sha256', '91819424'],
    [1234567890, '000000000273EF07', 'sha512', '93441116'],
    [2000000000, '0000000003F940AA', 'sha1', '69279037'],
    [2000000000, '0000000003F940AA', 'sha256', '90698825'],
    [2000000000, '0000000003F940AA', 'sha512', '38618901'],
    [20000000000, '0000000027BC86AA', 'sha1', '65353130'],
    [20000000000, '0000000027BC86AA', 'sha256', '77737706'],
    [20000000000, '0000000027BC86AA', 'sha512', '47863826'],
  ] as const)('T=%i (step 0x%s) %s → %s', (seconds, step, algorithm, code) => {
    const now = new Date(seconds * 1000);
    expect(totpStep(now)).toBe(Number.parseInt(step, 16));
    expect(totp(seeds[algorithm], now, { digits: 8, algorithm })).toBe(code);
  });
});

describe('base32 (RFC 4648)', () => {
  it.each([
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ])('§10: %j ↔ %s (unpadded)', (plain, encoded) => {
    expect(base32Encode(Buffer.from(plain))).toBe(encoded);
    expect(base32Decode(encoded).toString()).toBe(plain);
  });

  it('round-trips random bytes of every length up to 64', () => {
    for (let length = 0; length <= 64; length++) {
      const data = randomBytes(length);
      expect(base32Decode(base32Encode(data))).toEqual(data);
    }
  });

  it('decodes padded and lowercase input, rejects characters outside the alphabet', () => {
    expect(base32Decode('mzxw6ytboi======').toString()).toBe('foobar');
    for (const bad of ['MZ1W', 'MZ0W', 'MZ8W', 'MZ W', 'MZ=W']) expect(() => base32Decode(bad)).toThrow();
  });
});

describe('newTotpSecret', () => {
  it('is 160 bits (RFC 4226 §4 R6) and fresh each call', () => {
    const [a, b] = [newTotpSecret(), newTotpSecret()];
    expect(a).toHaveLength(20);
    expect(b).toHaveLength(20);
    expect(a.equals(b)).toBe(false);
  });
});

/** Replay and window widening: only the current and previous step match (RFC 6238 §5.2). */
describe('matchTotpStep', () => {
  const now = new Date(1_700_000_015_000);
  const current = totpStep(now);
  const codeAt = (step: number) => hotp(RFC4226_SECRET, step);

  it('the fixture codes of steps -2..+1 all differ, so each case below tests the window', () => {
    expect(new Set([-2, -1, 0, 1].map((delta) => codeAt(current + delta))).size).toBe(4);
  });

  it.each([
    ['the current step', 0, 0],
    ['the previous step', -1, -1],
    ['the next step', 1, undefined],
    ['two steps back', -2, undefined],
  ])('%s', (_, delta, expected) => {
    const match = matchTotpStep(RFC4226_SECRET, codeAt(current + delta), now);
    expect(match).toBe(expected === undefined ? undefined : current + expected);
  });

  const fullWidth = (code: string) => code.replace(/[0-9]/g, (d) => String.fromCharCode(0xff10 + Number(d)));
  it.each([
    ['a leading space', (code: string) => ` ${code}`],
    ['full-width digits', fullWidth],
    ['seven digits', (code: string) => `${code}7`],
    ['five digits', (code: string) => code.slice(0, 5)],
    ['a letter', (code: string) => `${code.slice(0, 5)}a`],
  ])('refuses the current code with %s', (_, mangle) => {
    expect(matchTotpStep(RFC4226_SECRET, mangle(codeAt(current)), now)).toBeUndefined();
  });

  it('refuses the literal malformed inputs', () => {
    for (const code of [' 123456', '１２３４５６', '1234567', '12345', '12345a']) {
      expect(matchTotpStep(RFC4226_SECRET, code, now)).toBeUndefined();
    }
  });
});

/** The hint for a phone whose clock is off: how far, within ±10 minutes, outside the window only. */
describe('clockSkewSteps', () => {
  const now = new Date(1_700_000_015_000);
  const current = totpStep(now);
  const codeAt = (step: number) => hotp(RFC4226_SECRET, step);

  it('the fixture codes of steps -21..+21 all differ, so each case below tests one step', () => {
    const steps = Array.from({ length: 43 }, (_, i) => current - 21 + i);
    expect(new Set(steps.map(codeAt)).size).toBe(43);
  });

  it.each([
    ['ten minutes ahead', 20, 20],
    ['three minutes ahead', 6, 6],
    ['the next step', 1, 1],
    ['two steps back', -2, -2],
    ['three minutes behind', -6, -6],
    ['ten minutes behind', -20, -20],
    ['more than ten minutes ahead', 21, undefined],
    ['more than ten minutes behind', -21, undefined],
    // Inside the accepted window, matchTotpStep accepts the code: no hint to give.
    ['the current step', 0, undefined],
    ['the previous step', -1, undefined],
  ])('%s: %s', (_, delta, expected) => {
    expect(clockSkewSteps(RFC4226_SECRET, codeAt(current + delta), now)).toBe(expected);
  });

  it('gives no hint for a code that matches no step nearby, nor for a malformed one', () => {
    const near = new Set(Array.from({ length: 41 }, (_, i) => codeAt(current - 20 + i)));
    const far = Array.from({ length: 1000 }, (_, i) => String(i * 997).padStart(6, '0')).find(
      (code) => !near.has(code),
    ) as string;
    expect(clockSkewSteps(RFC4226_SECRET, far, now)).toBeUndefined();
    expect(clockSkewSteps(RFC4226_SECRET, ` ${codeAt(current + 6)}`, now)).toBeUndefined();
    expect(clockSkewSteps(RFC4226_SECRET, `${codeAt(current + 6)}0`, now)).toBeUndefined();
  });
});

describe('otpauthUri (Google Key Uri Format)', () => {
  it('percent-encodes issuer and account and spells out every parameter', () => {
    const secret = newTotpSecret();
    const uri = otpauthUri({ secret, issuer: 'Acme Co: Staging', account: 'alice smith@example.com' });
    expect(uri).toBe(
      `otpauth://totp/Acme%20Co%3A%20Staging:alice%20smith%40example.com?secret=${base32Encode(secret)}` +
        '&issuer=Acme%20Co%3A%20Staging&algorithm=SHA1&digits=6&period=30',
    );
    const url = new URL(uri);
    expect([url.protocol, url.host]).toEqual(['otpauth:', 'totp']);
    expect(url.pathname.slice(1).split(':').map(decodeURIComponent)).toEqual([
      'Acme Co: Staging',
      'alice smith@example.com',
    ]);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      secret: base32Encode(secret),
      issuer: 'Acme Co: Staging',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});

describe('independent checkers (Debian tools, installed in CI)', () => {
  it('oathtool computes the same TOTP and the same HOTP past 2^32 and 2^53', () => {
    const secret = newTotpSecret();
    const seconds = 1_767_225_600;
    const oathtool = (args: string[]) => run('/usr/bin/oathtool', 'oathtool', args);
    expect(totp(secret, new Date(seconds * 1000))).toBe(
      oathtool(['--totp=sha1', '--base32', '-N', `@${seconds}`, base32Encode(secret)]),
    );
    for (const counter of [2n ** 32n + 1n, 2n ** 40n, 2n ** 63n + 5n]) {
      expect(hotp(secret, counter)).toBe(oathtool(['--hotp', '-c', String(counter), secret.toString('hex')]));
    }
  });

  it('zbarimg reads the QR PNG back as exactly the URI, at 200–300 px', async () => {
    const uri = otpauthUri({ secret: newTotpSecret(), issuer: 'Acme Co', account: 'alice@example.com' });
    const dataUrl = await qrCodeDataUrl(uri);
    expect(dataUrl).toMatch(/^data:image\/png;base64,/);
    const png = Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');
    const width = png.readUInt32BE(16); // IHDR, the first chunk
    expect(width).toBeGreaterThanOrEqual(200);
    expect(width).toBeLessThanOrEqual(300);
    const dir = mkdtempSync(join(tmpdir(), 'totp-qr-'));
    try {
      writeFileSync(join(dir, 'qr.png'), png);
      expect(run('/usr/bin/zbarimg', 'zbar-tools', ['--raw', '-q', join(dir, 'qr.png')])).toBe(uri);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('otplib, the library most Node services use, computes the same codes', () => {
  it.each([0, 59, 1_111_111_109, 1_800_000_000, 20_000_000_000])('TOTP at unix time %i', async (seconds) => {
    const secret = newTotpSecret();
    expect(totp(secret, new Date(seconds * 1000))).toBe(
      await generate({ secret: base32Encode(secret), epoch: seconds }),
    );
  });

  it.each([0, 1, 2 ** 32 + 1, 2 ** 40])('HOTP at counter %i', async (counter) => {
    const secret = newTotpSecret();
    expect(hotp(secret, counter)).toBe(
      await generate({ secret: base32Encode(secret), strategy: 'hotp', counter }),
    );
  });
});
