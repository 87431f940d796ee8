import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const argon2Async = promisify(argon2);

/**
 * argon2id with OWASP's minimum parameters (Password Storage Cheat Sheet: m=19 MiB, t=2,
 * p=1), stored as a PHC string so the parameters can be raised later and old hashes still
 * verify (and can be rehashed on the next login).
 */
export const ARGON2_PARAMS = { memory: 19 * 1024, passes: 2, parallelism: 1, tagLength: 32 } as const;
const SALT_BYTES = 16;

interface Parsed {
  memory: number;
  passes: number;
  parallelism: number;
  salt: Buffer;
  hash: Buffer;
}

async function derive(
  password: string,
  salt: Buffer,
  params: Omit<Parsed, 'salt' | 'hash'>,
  tagLength: number,
) {
  return argon2Async('argon2id', {
    message: Buffer.from(password.normalize('NFC'), 'utf8'),
    nonce: salt,
    memory: params.memory,
    passes: params.passes,
    parallelism: params.parallelism,
    tagLength,
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, ARGON2_PARAMS, ARGON2_PARAMS.tagLength);
  const { memory, passes, parallelism } = ARGON2_PARAMS;
  return `$argon2id$v=19$m=${memory},t=${passes},p=${parallelism}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

function parse(phc: string): Parsed | undefined {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([\w-]+)\$([\w-]+)$/.exec(phc);
  if (!match) return undefined;
  const [, memory, passes, parallelism, salt, hash] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    memory: Number(memory),
    passes: Number(passes),
    parallelism: Number(parallelism),
    salt: Buffer.from(salt, 'base64url'),
    hash: Buffer.from(hash, 'base64url'),
  };
}

export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const parsed = parse(phc);
  if (!parsed) return false;
  const candidate = await derive(password, parsed.salt, parsed, parsed.hash.length);
  return timingSafeEqual(candidate, parsed.hash);
}

/**
 * The argon2id output of `password` under the salt and parameters of another hash, `phc`
 * (base64url). With it one derivation tells whether a password is the account's or a second
 * one stored under the account's salt (see `signupAttempt` on the profile).
 */
export async function passwordTag(password: string, phc: string): Promise<string | undefined> {
  const parsed = parse(phc);
  if (!parsed) return undefined;
  return (await derive(password, parsed.salt, parsed, parsed.hash.length)).toString('base64url');
}

/** Whether a tag from `passwordTag` matches `phc` itself or the stored tag `other`, in constant time. */
export function tagMatches(tag: string, phc: string, other?: string): { own: boolean; other: boolean } {
  const own = parse(phc)?.hash;
  const presented = Buffer.from(tag, 'base64url');
  const equal = (expected: Buffer | undefined) =>
    expected !== undefined && expected.length === presented.length && timingSafeEqual(presented, expected);
  return { own: equal(own), other: equal(other === undefined ? undefined : Buffer.from(other, 'base64url')) };
}

// Unknown emails are checked against this so that they take as long as a wrong password (no
// account enumeration by timing). Same parameters as real hashes; it matches no password
// (the hash half is random bytes, not the output of any input we know).
const DUMMY_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$yAqs3BXsv5QfUhnYXGXn3A$7tk8uL8T1YxQ2bM0nD3y4qKjv9cW4rV6aZ0l5pH2sEo';

/** Burns the same time as a real verification and always fails. */
export async function verifyAgainstDummy(password: string): Promise<false> {
  await verifyPassword(password, DUMMY_HASH);
  return false;
}
