/**
 * Amplification: every token naming an unknown `kid` asks the keyring for a reload. A burst
 * of such tokens (random kids are free to make) must not become a burst of table reads: the
 * reloads in flight are merged into one Query, and they are honoured at most once a minute
 * (once a second while the keyring is still empty).
 */
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { ensureTable } from '../../infra/local/dynamodb.ts';
import { runtime } from '../support/api.ts';

type Keyring = typeof import('../../shared/crypto/keyring.ts');

let keyring: Keyring;
let send: MockInstance;
const queries = () =>
  send.mock.calls.filter(([command]) => command?.constructor?.name === 'QueryCommand').length;

beforeEach(async () => {
  // Its own empty table, and a fresh container (module state) per test.
  process.env.TABLE_NAME = `keyring-reload-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  await ensureTable(runtime().env.AWS_ENDPOINT_URL_DYNAMODB as string, process.env.TABLE_NAME);
  vi.resetModules();
  const { db } = await import('../../shared/db/client.ts');
  send = vi.spyOn(db, 'send');
  keyring = await import('../../shared/crypto/keyring.ts');
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('keyring reloads', () => {
  it('20 concurrent refreshes on a cold container issue one Query', async () => {
    const { kid } = await keyring.signingKey();
    send.mockClear();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => keyring.verificationKeys({ refresh: true })),
    );
    expect(queries()).toBe(1);
    // The signing key and the next one (published ahead of its first token), from that one read.
    for (const keys of results) expect(keys.map((key) => key.kid)).toEqual([kid, expect.any(String)]);
  });

  it('20 concurrent refreshes of a loaded keyring issue one Query, and none again within a minute', async () => {
    await keyring.signingKey();
    vi.useFakeTimers({ toFake: ['Date'] });
    await keyring.verificationKeys();
    vi.setSystemTime(Date.now() + 61_000);
    send.mockClear();

    await Promise.all(Array.from({ length: 20 }, () => keyring.verificationKeys({ refresh: true })));
    expect(queries()).toBe(1);

    vi.setSystemTime(Date.now() + 59_000);
    await keyring.verificationKeys({ refresh: true });
    expect(queries()).toBe(1);
  });

  it('availability: a JWKS read before the first key does not hide that key for minutes', async () => {
    // A container that answered the JWKS on an empty keyring, then signed the first token.
    expect(await keyring.verificationKeys()).toEqual([]);
    const { kid } = await keyring.signingKey();
    expect((await keyring.verificationKeys()).map((key) => key.kid)).toContain(kid);

    // Another container that saw the empty set: without any refresh asked for, a second later.
    vi.resetModules();
    const other: Keyring = await import('../../shared/crypto/keyring.ts');
    process.env.TABLE_NAME = `keyring-reload-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    await ensureTable(runtime().env.AWS_ENDPOINT_URL_DYNAMODB as string, process.env.TABLE_NAME);
    vi.useFakeTimers({ toFake: ['Date'] });
    expect(await other.verificationKeys()).toEqual([]);
    vi.resetModules();
    const signer: Keyring = await import('../../shared/crypto/keyring.ts');
    const first = await signer.signingKey();
    expect(await other.verificationKeys()).toEqual([]);
    vi.setSystemTime(Date.now() + 1_000);
    expect((await other.verificationKeys()).map((key) => key.kid)).toContain(first.kid);
  });

  it('an empty keyring reloads at most once a second', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    expect(await keyring.verificationKeys()).toEqual([]);
    send.mockClear();

    for (let i = 0; i < 10; i++) await keyring.verificationKeys({ refresh: true });
    expect(queries()).toBe(0);

    vi.setSystemTime(Date.now() + 1_000);
    await Promise.all(Array.from({ length: 10 }, () => keyring.verificationKeys({ refresh: true })));
    expect(queries()).toBe(1);
  });
});
