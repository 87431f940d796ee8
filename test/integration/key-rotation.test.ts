/**
 * Signing-key rotation (issue 13): a token signed before a rotation keeps verifying until its
 * key retires, and stops after (through the published JWKS, as a downstream verifier sees it,
 * and through the service's own check). Race: several containers rotating at once rotate once.
 * A change of algorithm publishes the new kind first and signs with it only when every cached
 * JWKS knows it. Each test runs on a table of its own, with fresh modules as a cold container.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ensureTable } from '../../infra/local/dynamodb.ts';
import { repoRoot } from '../../infra/local/runtime.ts';
import { runtime } from '../support/api.ts';

type Keyring = typeof import('../../shared/crypto/keyring.ts');
type Tokens = typeof import('../../shared/auth/tokens.ts');

interface Container {
  keyring: Keyring;
  tokens: Tokens;
  jwks: () => Promise<JSONWebKeySet>;
}

const HOUR = 60 * 60_000;

/** A cold container: its own module state (caches, config) on the shared test table. */
async function container(): Promise<Container> {
  vi.resetModules();
  const keyring = await import('../../shared/crypto/keyring.ts');
  const tokens = await import('../../shared/auth/tokens.ts');
  const { handler } = await import('../../functions/keys/jwks.ts');
  const jwks = async () => {
    const event = {
      version: '2.0',
      routeKey: 'GET /.well-known/jwks.json',
      rawPath: '/.well-known/jwks.json',
      rawQueryString: '',
      headers: {},
      requestContext: { http: { method: 'GET', path: '/.well-known/jwks.json', sourceIp: '127.0.0.1' } },
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2;
    const result = (await handler(event, {} as Context)) as APIGatewayProxyStructuredResultV2;
    return JSON.parse(result.body as string) as JSONWebKeySet;
  };
  return { keyring, tokens, jwks };
}

const token = (tokens: Tokens, issuedAt = new Date()) =>
  tokens.issueAccessToken(
    // Six hours: what refuses it below is the retired key, never its own expiry.
    {
      userId: 'u1',
      sessionId: 's1',
      aal: 2,
      amr: ['pwd', 'otp', 'mfa'],
      authTime: issuedAt,
      kind: 'access',
      ttlSeconds: 6 * 3600,
    },
    issuedAt,
  );

/** A downstream verifier with the JWKS as published now. */
async function verifiesDownstream(c: Container, jwt: string): Promise<boolean> {
  try {
    await jwtVerify(jwt, createLocalJWKSet(await c.jwks()), {
      audience: 'serverless-mfa',
      algorithms: ['RS256', 'ES256'],
    });
    return true;
  } catch {
    return false;
  }
}

beforeEach(async () => {
  process.env.TABLE_NAME = `key-rotation-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  delete process.env.TOKEN_SIGNING_ALG;
  await ensureTable(runtime().env.AWS_ENDPOINT_URL_DYNAMODB as string, process.env.TABLE_NAME);
});

afterEach(() => {
  delete process.env.TOKEN_SIGNING_ALG;
});

describe('signing key rotation', () => {
  it('the next key signs after a rotation; a token signed before still verifies until the old key retires', async () => {
    const c = await container();
    const before = await token(c.tokens);
    const oldKid = decodeProtectedHeader(before).kid;
    const [, published] = (await c.jwks()).keys;

    const rotation = await c.keyring.rotateSigningKey();
    expect(rotation).toMatchObject({ rotated: true, previousKid: oldKid, kid: published?.kid, alg: 'RS256' });
    // The successor had been published since the first key: but only for seconds here.
    expect(rotation.prePublished).toBe(false);
    // Retires after API Gateway's 2-hour JWKS cache plus the token lifetime plus a signing-cache period.
    const retiresIn = Date.parse(rotation.retiresAt as string) - Date.now();
    expect(retiresIn).toBeGreaterThanOrEqual(2 * HOUR + 15 * 60_000);

    const after = await token(c.tokens);
    expect(decodeProtectedHeader(after).kid).toBe(rotation.kid);
    // Signing key, next key, retired key; every one of them verifies its tokens.
    expect((await c.jwks()).keys.map((key) => key.kid)).toEqual([rotation.kid, rotation.nextKid, oldKid]);
    expect(await verifiesDownstream(c, before)).toBe(true);
    expect(await verifiesDownstream(c, after)).toBe(true);
    await expect(c.tokens.verifyAccessToken(before)).resolves.toMatchObject({
      sub: 'u1',
      scope: 'aal1 aal2',
    });
  });

  it('after the old key retires, a token it signed no longer verifies, downstream or here', async () => {
    const c = await container();
    const early = new Date(Date.now() - 3 * HOUR);
    const before = await token(c.tokens, early);
    // A rotation three hours ago: the old key retired 2 h 25 min after it, 35 minutes ago.
    const rotation = await c.keyring.rotateSigningKey({ now: early });
    expect(Date.parse(rotation.retiresAt as string)).toBeLessThan(Date.now());

    const fresh = await container();
    expect((await fresh.jwks()).keys.map((key) => key.kid)).not.toContain(rotation.previousKid);
    expect(await verifiesDownstream(fresh, before)).toBe(false);
    await expect(fresh.tokens.verifyAccessToken(before)).rejects.toMatchObject({ name: 'InvalidTokenError' });
    expect(await verifiesDownstream(fresh, await token(fresh.tokens))).toBe(true);
  });

  it('race: five containers rotating at once rotate once, and tokens of every container verify', async () => {
    const containers: Container[] = [];
    for (let i = 0; i < 5; i++) containers.push(await container());
    // Each container has loaded (and caches) the first signing key.
    const first = await Promise.all(containers.map((c) => c.keyring.signingKey()));
    expect(new Set(first.map((key) => key.kid)).size).toBe(1);

    const rotations = await Promise.all(containers.map((c) => c.keyring.rotateSigningKey()));
    expect(rotations.filter((rotation) => rotation.rotated)).toHaveLength(1);
    expect(new Set(rotations.map((rotation) => rotation.kid)).size).toBe(1);

    // Exactly the new signing key, its successor and the one retired key: no key lost or doubled.
    const observer = await container();
    const kids = (await observer.jwks()).keys.map((key) => key.kid);
    expect(kids).toHaveLength(3);
    expect(kids).toContain(first[0]?.kid);
    // Containers still signing with the key they cached (for up to five minutes) sign tokens that verify.
    for (const c of containers) expect(await verifiesDownstream(observer, await token(c.tokens))).toBe(true);
  });

  it('a change to ES256 publishes an ES256 key at once and signs with it once every cached JWKS knows it', async () => {
    const rsa = await container();
    const rsaToken = await token(rsa.tokens);
    expect(decodeProtectedHeader(rsaToken).alg).toBe('RS256');

    process.env.TOKEN_SIGNING_ALG = 'ES256';
    const changed = await container();
    // Still RS256 (no verifier knows an ES256 key yet), but one is published now: both kinds.
    expect(decodeProtectedHeader(await token(changed.tokens)).alg).toBe('RS256');
    const both = (await changed.jwks()).keys;
    expect(both.map((key) => key.kty).sort()).toEqual(['EC', 'RSA']);
    expect(both.find((key) => key.kty === 'EC')).toMatchObject({ alg: 'ES256', crv: 'P-256' });

    // Two hours and ten minutes later, a container loading the key takes the ES256 one.
    const later = await container();
    const at = new Date(Date.now() + 2 * HOUR + 10 * 60_000);
    const key = await later.keyring.signingKey(at);
    expect(key.alg).toBe('ES256');
    const esToken = await later.tokens.issueAccessToken({
      userId: 'u1',
      sessionId: 's1',
      aal: 1,
      amr: ['pwd'],
      authTime: new Date(),
      kind: 'access',
    });
    expect(decodeProtectedHeader(esToken)).toMatchObject({ alg: 'ES256', kid: key.kid });
    // The RS256 key retired, still published: its tokens and the new ones both verify.
    expect(await verifiesDownstream(later, rsaToken)).toBe(true);
    expect(await verifiesDownstream(later, esToken)).toBe(true);
  });

  it('npm run rotate-signing-key -- --local rotates the keyring of the local runtime', async () => {
    const c = await container();
    const { kid } = await c.keyring.signingKey();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(repoRoot, 'infra/aws/rotate-signing-key.ts'), '--local'],
      { env: { ...process.env }, cwd: repoRoot },
    );
    const printed = JSON.parse(stdout);
    expect(printed).toMatchObject({ rotated: true, previousKid: kid, alg: 'RS256' });
    expect((await (await container()).keyring.signingKey()).kid).toBe(printed.kid);
  });

  it('the command refuses to guess what to rotate', async () => {
    const run = promisify(execFile)(process.execPath, [join(repoRoot, 'infra/aws/rotate-signing-key.ts')], {
      cwd: repoRoot,
    });
    await expect(run).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('Usage') });
  });
});
