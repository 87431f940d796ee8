import {
  createPrivateKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from 'ulid';
import { db, isConditionFailure, table } from '../db/client.ts';
import { open, type Sealed, seal } from './envelope.ts';

/**
 * The service's own keys, stored in the table sealed under the KMS key:
 * - `SIGNING`: the ES256 key pair that signs access tokens (public half in the clear, for JWKS);
 * - `SIGNING#<kid>`: retired signing keys kept (public half only) until tokens they signed expire;
 * - `SECRET#<name>`: 256-bit symmetric secrets (HMAC key for token digests, ...).
 * Each is created on first use by a conditional put, so concurrent cold starts agree on one
 * key, and opened once per container: no KMS call per login (KMS asymmetric signing would
 * cap throughput and cost more per token).
 */
const PK = 'KEYRING';
// Reloads asked for by tokens with an unknown kid: a key created since is found within these,
// and tokens with random kids cannot turn into a stream of table reads.
const MIN_RELOAD_MS = 60_000;
// An empty keyring is only a cold start racing the first signing key: retry sooner, still bounded.
const MIN_EMPTY_RELOAD_MS = 1_000;
const MAX_CACHE_MS = 5 * 60_000;

export type PublicJwk = JsonWebKey & { kid: string; alg: 'ES256'; use: 'sig' };

interface KeyringItem {
  pk: string;
  sk: string;
  sealed: Sealed;
  kid?: string;
  publicJwk?: PublicJwk;
  expiresAt?: string;
  createdAt: string;
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

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

export const signingKey = once(async (): Promise<SigningKey> => {
  const item = await getOrCreate('SIGNING', async () => {
    const kid = ulid();
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    return {
      pk: PK,
      sk: 'SIGNING',
      kid,
      publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' },
      sealed: await seal(der, { purpose: 'signing-key', kid }),
      createdAt: new Date().toISOString(),
    };
  });
  if (!item.kid) throw new Error('Signing key item has no kid');
  const der = await open(item.sealed, { purpose: 'signing-key', kid: item.kid });
  return { kid: item.kid, privateKey: createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }) };
});

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
      return open(item.sealed, context);
    });
    secrets.set(name, load);
  }
  return load();
}

let publicKeys: { keys: PublicJwk[]; loadedAt: number } | undefined;
let reloading: Promise<PublicJwk[]> | undefined;

async function loadPublicKeys(): Promise<PublicJwk[]> {
  const out = await db.send(
    new QueryCommand({
      TableName: table(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :signing)',
      ExpressionAttributeValues: { ':pk': PK, ':signing': 'SIGNING' },
    }),
  );
  const now = new Date().toISOString();
  const keys = ((out.Items ?? []) as KeyringItem[])
    .filter((item) => item.publicJwk && (!item.expiresAt || item.expiresAt > now))
    .map((item) => item.publicJwk as PublicJwk);
  publicKeys = { keys, loadedAt: Date.now() };
  return keys;
}

/**
 * Current and not-yet-expired retired public keys, as published in the JWKS. `refresh` asks
 * for a reload because a token named an unknown kid (a key created since): honoured at most
 * once a minute (once a second while the keyring is empty). Concurrent callers share one
 * in-flight Query, so a burst of such tokens costs one read, not one per request.
 */
export async function verificationKeys(options: { refresh?: boolean } = {}): Promise<PublicJwk[]> {
  if (publicKeys) {
    const age = Date.now() - publicKeys.loadedAt;
    const minReload = publicKeys.keys.length === 0 ? MIN_EMPTY_RELOAD_MS : MIN_RELOAD_MS;
    if (age < MAX_CACHE_MS && !(options.refresh && age >= minReload)) return publicKeys.keys;
  }
  reloading ??= loadPublicKeys().finally(() => {
    reloading = undefined;
  });
  return reloading;
}
