/**
 * Attacks on access tokens (RFC 8725 JWT BCP §2): algorithm confusion (`none`, HS256 keyed
 * with our public key), signatures by another key, embedded keys, tampered claims, tokens
 * past their lifetime or for another audience, and tokens of a revoked session.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { base64url, decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { authenticateBearer } from '../../shared/auth/bearer.ts';
import { issueAccessToken } from '../../shared/auth/tokens.ts';
import { signingKey } from '../../shared/crypto/keyring.ts';
import { call, logIn, signUp } from '../support/api.ts';

let token: string;
let claims: Record<string, unknown>;
let kid: string;

beforeAll(async () => {
  const { email } = await signUp();
  token = (await logIn(email)).body.accessToken;
  claims = decodeJwt(token);
  kid = decodeProtectedHeader(token).kid as string;
});

const segment = (value: unknown) => base64url.encode(JSON.stringify(value));
const accept = (candidate: string) => authenticateBearer(`Bearer ${candidate}`, ['access']);
const refused = (candidate: string) =>
  expect(accept(candidate)).rejects.toMatchObject({ code: 'unauthorized' });

describe('bearer token attacks', () => {
  it('a genuine token is accepted (the baseline the attacks below differ from)', async () => {
    await expect(accept(token)).resolves.toMatchObject({
      sub: claims.sub,
      sid: claims.sid,
      scope: 'aal1',
      kind: 'access',
    });
  });

  it('alg none: an unsigned token with valid claims is refused', async () => {
    await refused(`${segment({ alg: 'none', typ: 'at+jwt', kid })}.${segment(claims)}.`);
    await refused(
      `${segment({ alg: 'none', typ: 'at+jwt', kid })}.${segment(claims)}.${token.split('.')[2]}`,
    );
  });

  it('HS256 keyed with our own public key (algorithm confusion) is refused', async () => {
    const jwks = (await call('GET', '/.well-known/jwks.json')).body.keys;
    const publicKey = createPublicKey({ key: jwks[0], format: 'jwk' });
    const secrets = [
      Buffer.from(publicKey.export({ format: 'pem', type: 'spki' })),
      publicKey.export({ format: 'der', type: 'spki' }),
      Buffer.from(JSON.stringify(jwks[0])),
    ];
    for (const secret of secrets) {
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid })
        .sign(new Uint8Array(secret));
      await refused(forged);
    }
  });

  it('a token signed by another key under our kid is refused, with either algorithm', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    for (const [alg, key] of [
      ['ES256', ec],
      ['RS256', rsa],
    ] as const) {
      await refused(await new SignJWT(claims).setProtectedHeader({ alg, typ: 'at+jwt', kid }).sign(key));
    }
  });

  it('our own key under an algorithm it was not made for is refused (RS256 key, PS256 header)', async () => {
    const { privateKey, alg } = await signingKey();
    expect(alg).toBe('RS256');
    await refused(
      await new SignJWT(claims).setProtectedHeader({ alg: 'PS256', typ: 'at+jwt', kid }).sign(privateKey),
    );
  });

  it('a scope that claims more than the session proved (aal2 on an aal 1 token) is refused', async () => {
    const { privateKey, alg } = await signingKey();
    const forged = await new SignJWT({ ...claims, scope: 'aal1 aal2' })
      .setProtectedHeader({ alg, typ: 'at+jwt', kid })
      .sign(privateKey);
    await refused(forged);
    // The same claims with the scope they should carry are accepted: the scope is what was refused.
    const genuine = await new SignJWT(claims)
      .setProtectedHeader({ alg, typ: 'at+jwt', kid })
      .sign(privateKey);
    await expect(accept(genuine)).resolves.toBeDefined();
  });

  it('a token that brings its own key in the header (jwk) is refused', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    await refused(
      await new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', jwk: jwk as never })
        .sign(privateKey),
    );
  });

  it('an unknown kid is refused', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await refused(
      await new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'attacker' })
        .sign(privateKey),
    );
  });

  it('tampered claims (another user, aal 2) under the original signature are refused', async () => {
    const [header, , signature] = token.split('.');
    await refused(`${header}.${segment({ ...claims, sub: 'someone-else' })}.${signature}`);
    await refused(`${header}.${segment({ ...claims, aal: 2, amr: ['pwd', 'otp'] })}.${signature}`);
  });

  it('an expired token is refused', async () => {
    const issued = new Date(Date.now() - 16 * 60_000);
    const expired = await issueAccessToken(
      {
        userId: claims.sub as string,
        sessionId: claims.sid as string,
        aal: 1,
        amr: ['pwd'],
        authTime: issued,
        kind: 'access',
      },
      issued,
    );
    await refused(expired);
  });

  it('a token for another audience or from another issuer is refused', async () => {
    const { privateKey, alg } = await signingKey();
    const sign = (iss: string, aud: string) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg, typ: 'at+jwt', kid })
        .setIssuer(iss)
        .setAudience(aud)
        .sign(privateKey);
    await refused(await sign('serverless-mfa', 'another-service'));
    await refused(await sign('https://evil.example', 'serverless-mfa'));
    // Same key, right issuer and audience: accepted, so the refusals above are about iss/aud.
    await expect(accept(await sign('serverless-mfa', 'serverless-mfa'))).resolves.toBeDefined();
  });

  it('an ID-token-like JWT (other typ) signed by our key is refused', async () => {
    const { privateKey, alg } = await signingKey();
    const other = await new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT', kid }).sign(privateKey);
    await refused(other);
  });

  it('an enrollment token is refused on an access-token route with 403', async () => {
    const enroll = await issueAccessToken({
      userId: claims.sub as string,
      sessionId: claims.sid as string,
      aal: 1,
      amr: ['pwd'],
      authTime: new Date(),
      kind: 'enrollment',
    });
    await expect(accept(enroll)).rejects.toMatchObject({ code: 'forbidden' });
    const answer = await call('DELETE', '/v1/sessions/current', { token: enroll });
    expect(answer).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
  });

  it.each([
    ['no header', undefined],
    ['a Basic header', 'Basic dXNlcjpwYXNz'],
    ['a bare token without the scheme', 'TOKEN'],
    ['garbage', 'Bearer not.a.jwt!'],
  ])('refuses %s', async (_, header) => {
    const value = header === 'TOKEN' ? token : header;
    await expect(authenticateBearer(value, ['access'])).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('a token of a logged-out session is refused although its signature is valid', async () => {
    const { email } = await signUp();
    const login = await logIn(email);
    expect((await call('DELETE', '/v1/sessions/current', { token: login.body.accessToken })).status).toBe(
      204,
    );
    await refused(login.body.accessToken);
  });
});

describe("outages are not the client's fault", () => {
  it('a DynamoDB failure during the session check is a 5xx, not a 401 that would log clients out', async () => {
    const { db } = await import('../../shared/db/client.ts');
    const { vi } = await import('vitest');
    const spy = vi
      .spyOn(db, 'send')
      .mockRejectedValue(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    try {
      await expect(accept(token)).rejects.toMatchObject({ name: 'ThrottlingException' });
    } finally {
      spy.mockRestore();
    }
  });
});
