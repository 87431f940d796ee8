import {
  createPrivateKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { config } from '../config.ts';
import { db, epochSeconds, isConditionFailure, table } from '../db/client.ts';
import { type TransactItem, transact } from '../db/transact.ts';
import { open, type Sealed, seal } from './envelope.ts';

/**
 * The service's own keys, stored in the table sealed under the KMS key:
 * - `SIGNING`: the key pair that signs access tokens now (public half in the clear, for JWKS);
 * - `NEXT`: the key pair that signs after the next rotation, published in the JWKS from its
 *   creation, so that verifiers caching the JWKS (API Gateway: up to 2 hours) know it before
 *   the first token it signs;
 * - `SIGNING#<kid>`: retired signing keys (public half only), published until every token
 *   they signed has expired;
 * - `SECRET#<name>`: 256-bit symmetric secrets (HMAC key for token digests, ...).
 * Each is created by a conditional write, so concurrent containers agree on one key, and opened
 * once per container: no KMS call per login (KMS asymmetric signing would cap throughput and
 * cost more per token).
 */
const PK = 'KEYRING';
// Reloads asked for by tokens with an unknown kid: a key created since is found within these,
// and tokens with random kids cannot turn into a stream of table reads.
const MIN_RELOAD_MS = 60_000;
// An empty keyring is only a cold start racing the first signing key: retry sooner, still bounded.
const MIN_EMPTY_RELOAD_MS = 1_000;
const MAX_CACHE_MS = 5 * 60_000;
/** A container signs with the key it loaded for at most this long, then looks for a rotation. */
export const SIGNING_CACHE_MS = 5 * 60_000;
/** API Gateway's JWT authorizers cache a JWKS for up to 2 hours; ours says max-age 300 s. */
export const JWKS_CACHE_MS = 2 * 60 * 60_000 + 5 * 60_000;

export type SigningAlg = 'RS256' | 'ES256';
export type PublicJwk = JsonWebKey & { kid: string; alg: SigningAlg; use: 'sig' };

interface KeyringItem {
  pk: string;
  sk: string;
  sealed?: Sealed;
  kid?: string;
  alg?: SigningAlg;
  publicJwk?: PublicJwk;
  expiresAt?: string;
  createdAt: string;
  retiredAt?: string;
}

type KeyItem = KeyringItem & { kid: string; alg: SigningAlg; publicJwk: PublicJwk; sealed: Sealed };

const sealContext = (kid: string) => ({ purpose: 'signing-key', kid });

// RFC 7518 §3.3: RSA keys of 2048 bits or more; §3.4: ES256 is P-256.
async function newKeyItem(sk: 'SIGNING' | 'NEXT', alg: SigningAlg, now: Date): Promise<KeyItem> {
  const kid = ulid(now.getTime());
  const { privateKey, publicKey } =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return {
    pk: PK,
    sk,
    kid,
    alg,
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' },
    sealed: await seal(der, sealContext(kid)),
    createdAt: now.toISOString(),
  };
}

// Keys sealed before RS256 existed carry no `alg`: they are ES256.
const algOf = (item: KeyringItem): SigningAlg => item.alg ?? item.publicJwk?.alg ?? 'ES256';

async function loadItems(): Promise<KeyringItem[]> {
  const out = await db.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': PK },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []) as KeyringItem[];
}

async function getOrCreate(sk: string, create: () => Promise<KeyringItem>): Promise<KeyringItem> {
  const key = { pk: PK, sk };
  const found = await db.send(new GetCommand({ TableName: table(), Key: key, ConsistentRead: true }));
  if (found.Item) return found.Item as KeyringItem;
  const item = await create();
  try {
    await db.send(
      new PutCommand({ TableName: table(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
    );
    return item;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // Another container won the race: everyone uses its key.
    const winner = await db.send(new GetCommand({ TableName: table(), Key: key, ConsistentRead: true }));
    if (!winner.Item) throw new Error(`Keyring item ${sk} vanished`);
    return winner.Item as KeyringItem;
  }
}

/** Caches a promise per container and forgets a failure, so the next request retries. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

/** Another container changed the keyring between our read and our write: read it again. */
class KeyringChanged extends Error {
  override readonly name = 'KeyringChanged';
}

const expectKid = (kid: string | undefined) =>
  kid
    ? { ConditionExpression: 'kid = :kid', ExpressionAttributeValues: { ':kid': kid } }
    : { ConditionExpression: 'attribute_not_exists(pk)' };

async function write(items: TransactItem[]): Promise<void> {
  await transact(items, () => new KeyringChanged());
}

/** The first signing key of a deployment, with its successor already published. */
async function createFirstKeys(now: Date): Promise<void> {
  const alg = config().tokenSigningAlg;
  const [signing, next] = [await newKeyItem('SIGNING', alg, now), await newKeyItem('NEXT', alg, now)];
  await write([
    { Put: { TableName: table(), Item: signing, ...expectKid(undefined) } },
    { Put: { TableName: table(), Item: next, ...expectKid(undefined) } },
  ]);
}

/**
 * The keyring as read, or, when it has no signing key yet, with the first keys (this container's
 * or a racing one's). This container may have cached the empty set: it forgets it, so it
 * publishes what it is about to sign with.
 */
async function withFirstKeys(items: KeyringItem[], now: Date): Promise<KeyringItem[]> {
  if (byKey(items, 'SIGNING')) return items;
  try {
    await createFirstKeys(now);
  } catch (error) {
    if (!(error instanceof KeyringChanged)) throw error;
  }
  publicKeys = undefined;
  return loadItems();
}

export interface Rotation {
  rotated: boolean;
  /** The key that signed until now (retired, still published until `retiresAt`). */
  previousKid?: string;
  kid: string;
  alg: SigningAlg;
  /** The key published for the rotation after this one. */
  nextKid: string;
  /** When the previous key leaves the JWKS: tokens it signed have all expired by then. */
  retiresAt?: string;
  /**
   * False when the new key was published less than `JWKS_CACHE_MS` before it started signing
   * (a second rotation within two hours, or a change of algorithm forced now): a verifier that
   * cached the JWKS earlier refuses the new tokens until it fetches the set again.
   */
  prePublished: boolean;
}

const byKey = (items: KeyringItem[], sk: string) =>
  items.find((item) => item.sk === sk) as KeyItem | undefined;

/**
 * Rotation: the published `NEXT` key (when it has the configured algorithm) signs from now on,
 * the current key retires (public half kept until `retiresAt`), and a new `NEXT` is published.
 * One transaction conditioned on the keys as read: of several containers (the schedule, an
 * operator, a change of algorithm) rotating at once, exactly one rotates, and the others see
 * `rotated: false` with the keys that won. `expectKid` rotates only if that key still signs.
 */
export async function rotateSigningKey(options: { now?: Date; expectKid?: string } = {}): Promise<Rotation> {
  const now = options.now ?? new Date();
  const alg = config().tokenSigningAlg;
  const items = await loadItems();
  const answer = (rotated: boolean, keys: KeyringItem[]): Rotation => {
    const signing = byKey(keys, 'SIGNING') as KeyItem;
    return {
      rotated,
      kid: signing.kid,
      alg: algOf(signing),
      nextKid: byKey(keys, 'NEXT')?.kid ?? '',
      prePublished: true,
    };
  };
  // A keyring without keys gets its first ones: nothing signed before, so nothing to retire.
  if (!byKey(items, 'SIGNING')) return answer(false, await withFirstKeys(items, now));
  const current = byKey(items, 'SIGNING') as KeyItem;
  const next = byKey(items, 'NEXT');
  if (options.expectKid && options.expectKid !== current.kid) return answer(false, items);

  const promoted = next && algOf(next) === alg ? next : await newKeyItem('NEXT', alg, now);
  const successor = await newKeyItem('NEXT', alg, now);
  // The last token the old key signs is at most one signing-cache period from now, and lives
  // one access-token lifetime; verifiers caching the JWKS keep it longer still.
  const retiresAt = new Date(
    now.getTime() + SIGNING_CACHE_MS + config().accessTokenTtlSeconds * 1000 + JWKS_CACHE_MS,
  );
  const retired: KeyringItem = {
    pk: PK,
    sk: `SIGNING#${current.kid}`,
    kid: current.kid,
    alg: algOf(current),
    publicJwk: current.publicJwk,
    createdAt: current.createdAt,
    retiredAt: now.toISOString(),
    expiresAt: retiresAt.toISOString(),
    // Housekeeping a day after it stops being published; reads check expiresAt themselves.
    ttl: epochSeconds(retiresAt) + 24 * 60 * 60,
  } as KeyringItem;
  try {
    await write([
      {
        Put: {
          TableName: table(),
          Item: { ...promoted, sk: 'SIGNING', activatedAt: now.toISOString() },
          ...expectKid(current.kid),
        },
      },
      { Put: { TableName: table(), Item: retired, ConditionExpression: 'attribute_not_exists(pk)' } },
      { Put: { TableName: table(), Item: successor, ...expectKid(next?.kid) } },
    ]);
  } catch (error) {
    if (!(error instanceof KeyringChanged)) throw error;
    return answer(false, await loadItems());
  }
  forgetCachedKeys();
  const publishedFor = promoted === next ? now.getTime() - Date.parse(next.createdAt) : 0;
  return {
    rotated: true,
    previousKid: current.kid,
    kid: promoted.kid,
    alg,
    nextKid: successor.kid,
    retiresAt: retiresAt.toISOString(),
    prePublished: publishedFor >= JWKS_CACHE_MS,
  };
}

/**
 * A change of `TOKEN_SIGNING_ALG` is a rotation that waits until the JWKS has carried a key of
 * the new algorithm for `JWKS_CACHE_MS`: first `NEXT` is replaced by one (it never signed, so
 * nothing depends on it), then, once it has been published long enough, it takes over.
 */
async function followAlgorithm(items: KeyringItem[], now: Date): Promise<boolean> {
  const alg = config().tokenSigningAlg;
  const current = byKey(items, 'SIGNING') as KeyItem;
  if (algOf(current) === alg) return false;
  const next = byKey(items, 'NEXT');
  if (!next || algOf(next) !== alg) {
    const replacement = await newKeyItem('NEXT', alg, now);
    try {
      await write([{ Put: { TableName: table(), Item: replacement, ...expectKid(next?.kid) } }]);
    } catch (error) {
      if (!(error instanceof KeyringChanged)) throw error;
    }
    return true;
  }
  if (now.getTime() - Date.parse(next.createdAt) < JWKS_CACHE_MS) return false;
  await rotateSigningKey({ now, expectKid: current.kid });
  return true;
}

export interface SigningKey {
  kid: string;
  alg: SigningAlg;
  privateKey: KeyObject;
}

let signing: { key: Promise<SigningKey>; loadedAt: number } | undefined;

async function loadSigningKey(now: Date): Promise<SigningKey> {
  let items = await withFirstKeys(await loadItems(), now);
  if (await followAlgorithm(items, now)) {
    items = await loadItems();
    publicKeys = undefined;
  }
  const item = byKey(items, 'SIGNING');
  if (!item?.kid || !item.sealed) throw new Error('Signing key item has no kid or key');
  const der = await open(item.sealed, sealContext(item.kid));
  return {
    kid: item.kid,
    alg: algOf(item),
    privateKey: createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }),
  };
}

/**
 * The key that signs now, opened once per container and looked up again after
 * `SIGNING_CACHE_MS`, so a rotation reaches every container within that time (the retired key
 * stays published well past it). A failed load is forgotten: the next request retries.
 */
export function signingKey(now = new Date()): Promise<SigningKey> {
  if (!signing || Date.now() - signing.loadedAt >= SIGNING_CACHE_MS) {
    const key = loadSigningKey(now);
    const entry = { key, loadedAt: Date.now() };
    signing = entry;
    key.catch(() => {
      if (signing === entry) signing = undefined;
    });
  }
  return signing.key;
}

const secrets = new Map<string, () => Promise<Buffer>>();

/** A named 256-bit secret, e.g. `hmac` for digests of opaque tokens and codes. */
export function secretKey(name: string): Promise<Buffer> {
  let load = secrets.get(name);
  if (!load) {
    load = once(async () => {
      const context = { purpose: 'secret', name };
      const item = await getOrCreate(`SECRET#${name}`, async () => ({
        pk: PK,
        sk: `SECRET#${name}`,
        sealed: await seal(randomBytes(32), context),
        createdAt: new Date().toISOString(),
      }));
      if (!item.sealed) throw new Error(`Keyring item SECRET#${name} has no secret`);
      return open(item.sealed, context);
    });
    secrets.set(name, load);
  }
  return load();
}

let publicKeys: { keys: PublicJwk[]; loadedAt: number } | undefined;
let reloading: Promise<PublicJwk[]> | undefined;

/** After this container rotated, it signs and publishes the new keys at once. */
function forgetCachedKeys(): void {
  signing = undefined;
  publicKeys = undefined;
}

async function loadPublicKeys(): Promise<PublicJwk[]> {
  const items = await loadItems();
  const now = new Date().toISOString();
  // Signing first, then the next key, then retired ones: verifiers try keys in this order.
  const rank = (item: KeyringItem) => (item.sk === 'SIGNING' ? 0 : item.sk === 'NEXT' ? 1 : 2);
  const keys = items
    .filter((item) => item.publicJwk && (!item.expiresAt || item.expiresAt > now))
    .sort((a, b) => rank(a) - rank(b))
    .map((item) => ({ ...(item.publicJwk as PublicJwk), alg: algOf(item) }));
  publicKeys = { keys, loadedAt: Date.now() };
  return keys;
}

/**
 * The published public keys (signing, next, retired and not yet expired), as the JWKS lists
 * them. `refresh` asks for a reload because a token named an unknown kid (a key created since):
 * honoured at most once a minute (once a second while the keyring is empty). Concurrent
 * callers share one in-flight Query, so a burst of such tokens costs one read, not one each.
 */
export async function verificationKeys(options: { refresh?: boolean } = {}): Promise<PublicJwk[]> {
  if (publicKeys) {
    const age = Date.now() - publicKeys.loadedAt;
    const empty = publicKeys.keys.length === 0;
    const minReload = empty ? MIN_EMPTY_RELOAD_MS : MIN_RELOAD_MS;
    // An empty set is only a deployment before its first token: a JWKS answered from it for
    // minutes would make verifiers refuse the first tokens, so it is looked at again within a second.
    const maxAge = empty ? MIN_EMPTY_RELOAD_MS : MAX_CACHE_MS;
    if (age < maxAge && !(options.refresh && age >= minReload)) return publicKeys.keys;
  }
  reloading ??= loadPublicKeys().finally(() => {
    reloading = undefined;
  });
  return reloading;
}
