/**
 * The signing key and secrets are created on first use. Race: several cold containers start
 * at once on an empty table; they must all end up with one and the same key, or tokens signed
 * by one container would not verify in another.
 */
import { describe, expect, it, vi } from 'vitest';
import { ensureTable } from '../../infra/local/dynamodb.ts';
import { runtime } from '../support/api.ts';

type Keyring = typeof import('../../shared/crypto/keyring.ts');

async function freshContainer(): Promise<Keyring> {
  vi.resetModules();
  return import('../../shared/crypto/keyring.ts');
}

describe('keyring', () => {
  it('race: five cold containers on an empty table agree on one signing key and one HMAC secret', async () => {
    // This file runs in its own worker: point it at a table no other test has touched.
    process.env.TABLE_NAME = `keyring-race-${Date.now()}`;
    await ensureTable(runtime().env.AWS_ENDPOINT_URL_DYNAMODB as string, process.env.TABLE_NAME);
    const containers = [];
    for (let i = 0; i < 5; i++) containers.push(await freshContainer());

    const keys = await Promise.all(containers.map((keyring) => keyring.signingKey()));
    expect(new Set(keys.map((key) => key.kid)).size).toBe(1);
    const exported = keys.map((key) => key.privateKey.export({ format: 'jwk' }).d);
    expect(new Set(exported).size).toBe(1);

    const secrets = await Promise.all(containers.map((keyring) => keyring.secretKey('hmac')));
    expect(secrets[0]).toHaveLength(32);
    expect(new Set(secrets.map((secret) => secret.toString('hex'))).size).toBe(1);

    const published = await containers[0]?.verificationKeys();
    // The signing key first, then its successor, published ahead of its first token.
    expect(published).toHaveLength(2);
    expect(published?.[0]?.kid).toBe(keys[0]?.kid);
    for (const jwk of published ?? []) expect(jwk).not.toHaveProperty('d');
  });
});
