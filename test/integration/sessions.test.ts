import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { call, logIn, signUp } from '../support/api.ts';
import { allEvents } from '../support/mfa.ts';

describe('POST /v1/sessions', () => {
  it('answers authenticated with tokens and the MFA status', async () => {
    const { email, userId } = await signUp();
    const answer = await logIn(email);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      status: 'authenticated',
      accessToken: expect.any(String),
      refreshToken: expect.stringMatching(/^[0-9A-Z]{26}\.0\.[\w-]{43}$/),
      expiresIn: 900,
      mfa: { enabled: false, suggested: false },
    });
    const claims = decodeJwt(answer.body.accessToken);
    expect(claims).toEqual({
      sub: userId,
      sid: expect.any(String),
      aal: 1,
      amr: ['pwd'],
      auth_time: expect.any(Number),
      scope: 'aal1',
      iss: 'serverless-mfa',
      aud: 'serverless-mfa',
      iat: expect.any(Number),
      exp: (claims.iat as number) + 900,
    });
    expect(decodeProtectedHeader(answer.body.accessToken)).toEqual({
      alg: 'RS256',
      typ: 'at+jwt',
      kid: expect.any(String),
    });
  });

  it('the JWKS verifies an issued token offline', async () => {
    const { email } = await signUp();
    const { body } = await logIn(email);
    const jwks = await call('GET', '/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    // The key that signs, and the next one, published ahead of its first token.
    expect(jwks.body.keys).toHaveLength(2);
    for (const key of jwks.body.keys) {
      expect(key).toEqual({
        kty: 'RSA',
        n: expect.any(String),
        e: 'AQAB',
        kid: expect.any(String),
        alg: 'RS256',
        use: 'sig',
      });
      // RFC 7518 §3.3: 2048 bits or more.
      expect(Buffer.from(key.n, 'base64url').length * 8).toBeGreaterThanOrEqual(2048);
    }
    expect(jwks.body.keys[0].kid).toBe(decodeProtectedHeader(body.accessToken).kid);
    // No private member of an RSA key (RFC 7518 §6.3.2) is published.
    for (const key of jwks.body.keys)
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(member);
    const { payload } = await jwtVerify(body.accessToken, createLocalJWKSet(jwks.body), {
      issuer: 'serverless-mfa',
      audience: 'serverless-mfa',
    });
    expect(payload.scope).toBe('aal1');
  });
});

describe('POST /v1/sessions/refresh', () => {
  it('rotates: new tokens, and the presented refresh token stops working', async () => {
    const { email } = await signUp();
    const login = await logIn(email);
    const first = await call('POST', '/v1/sessions/refresh', {
      body: { refreshToken: login.body.refreshToken },
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      status: 'authenticated',
      accessToken: expect.any(String),
      refreshToken: expect.stringMatching(/\.1\./),
      expiresIn: 900,
    });
    const second = await call('POST', '/v1/sessions/refresh', {
      body: { refreshToken: first.body.refreshToken },
    });
    expect(second.status).toBe(200);
    expect(decodeJwt(second.body.accessToken).sid).toBe(decodeJwt(login.body.accessToken).sid);
  });

  it('attack: replaying a rotated refresh token revokes the whole session', async () => {
    const { email } = await signUp();
    const login = await logIn(email);
    const stolen = login.body.refreshToken;
    const legit = await call('POST', '/v1/sessions/refresh', { body: { refreshToken: stolen } });
    expect(legit.status).toBe(200);

    const replay = await call('POST', '/v1/sessions/refresh', { body: { refreshToken: stolen } });
    expect(replay).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    // The legitimate holder is logged out too: the thief's copy and the owner's are both dead.
    const after = await call('POST', '/v1/sessions/refresh', {
      body: { refreshToken: legit.body.refreshToken },
    });
    expect(after.status).toBe(401);
    expect((await call('DELETE', '/v1/sessions/current', { token: legit.body.accessToken })).status).toBe(
      401,
    );
    // The owner's security activity (and the EventBridge bus) says why they were signed out.
    const again = await logIn(email);
    const events = await call('GET', '/v1/me/events', { token: again.body.accessToken });
    expect(events.body.events.find((e: { type: string }) => e.type === 'session.revoked')).toMatchObject({
      details: { sessionId: decodeJwt(login.body.accessToken).sid, reason: 'refresh_token_reuse' },
    });
  });

  it('attack: replaying a stolen refresh token 30 times (10 at once) leaves one session.revoked, not a flooded activity log', async () => {
    const { email } = await signUp();
    const login = await logIn(email);
    const stolen = login.body.refreshToken;
    expect((await call('POST', '/v1/sessions/refresh', { body: { refreshToken: stolen } })).status).toBe(200);
    const replay = () => call('POST', '/v1/sessions/refresh', { body: { refreshToken: stolen } });
    const parallel = await Promise.all(Array.from({ length: 10 }, replay));
    for (let i = 0; i < 20; i++) parallel.push(await replay());
    expect(parallel.map((answer) => answer.status)).toEqual(Array(30).fill(401));

    const again = await logIn(email);
    const events = await allEvents(again.body.accessToken);
    expect(events.filter((e) => e.type === 'session.revoked')).toEqual([
      expect.objectContaining({
        details: { sessionId: decodeJwt(login.body.accessToken).sid, reason: 'refresh_token_reuse' },
      }),
    ]);
  });

  it('sign out everywhere counts the sessions it ended, not those that had ended already', async () => {
    const { email } = await signUp();
    const current = await logIn(email);
    const [other, loggedOut] = [await logIn(email), await logIn(email)];
    expect((await call('DELETE', '/v1/sessions/current', { token: loggedOut.body.accessToken })).status).toBe(
      204,
    );
    expect((await call('DELETE', '/v1/me/sessions', { token: current.body.accessToken })).status).toBe(204);
    expect(
      (await call('POST', '/v1/sessions/refresh', { body: { refreshToken: other.body.refreshToken } }))
        .status,
    ).toBe(401);
    const events = await allEvents(current.body.accessToken);
    expect(events.filter((e) => e.type === 'session.revoked').map((e) => e.details)).toEqual([
      // The sign-up's session and `other`; the one signed out before is not counted again.
      { reason: 'signed_out_everywhere', count: 2 },
      { sessionId: decodeJwt(loggedOut.body.accessToken).sid, reason: 'logout' },
    ]);
  });

  it('signing out is recorded as a revoked session (reason logout)', async () => {
    const { email } = await signUp();
    const login = await logIn(email);
    expect((await call('DELETE', '/v1/sessions/current', { token: login.body.accessToken })).status).toBe(
      204,
    );
    const again = await logIn(email);
    const events = await call('GET', '/v1/me/events', { token: again.body.accessToken });
    expect(events.body.events.find((e: { type: string }) => e.type === 'session.revoked')).toMatchObject({
      details: { sessionId: decodeJwt(login.body.accessToken).sid, reason: 'logout' },
    });
  });

  it('race: parallel refreshes with one token, exactly one wins', async () => {
    const { email } = await signUp();
    const login = await logIn(email);
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        call('POST', '/v1/sessions/refresh', { body: { refreshToken: login.body.refreshToken } }),
      ),
    );
    const winners = answers.filter((a) => a.status === 200);
    expect(winners).toHaveLength(1);
    expect(answers.filter((a) => a.status === 401)).toHaveLength(9);
    // The losers presented a token that had just been rotated: by the contract that is reuse,
    // so the session is revoked and even the winner's new refresh token is dead.
    const next = await call('POST', '/v1/sessions/refresh', {
      body: { refreshToken: winners[0]?.body.refreshToken },
    });
    expect(next.status).toBe(401);
  });

  it('attack: a forged refresh token for a known session id is refused without logging the owner out', async () => {
    const { email } = await signUp();
    const login = await logIn(email);
    const sessionId = login.body.refreshToken.split('.')[0];
    const forged = `${sessionId}.0.${'A'.repeat(43)}`;
    expect((await call('POST', '/v1/sessions/refresh', { body: { refreshToken: forged } })).status).toBe(401);
    const owner = await call('POST', '/v1/sessions/refresh', {
      body: { refreshToken: login.body.refreshToken },
    });
    expect(owner.status).toBe(200);
  });

  it.each([
    ['garbage', 401],
    ['01ARZ3NDEKTSV4RRFFQ69G5FAV.0.short', 401],
    ['', 400],
  ])('refuses the malformed token %j with %i', async (token, status) => {
    const answer = await call('POST', '/v1/sessions/refresh', { body: { refreshToken: token } });
    expect(answer.status).toBe(status);
  });
});

describe('DELETE /v1/sessions/current', () => {
  it('logs out: the access token and the refresh token stop working at once', async () => {
    const { email } = await signUp();
    const login = await logIn(email);
    const answer = await call('DELETE', '/v1/sessions/current', { token: login.body.accessToken });
    expect(answer.status).toBe(204);
    expect(answer.body).toBeUndefined();
    expect((await call('DELETE', '/v1/sessions/current', { token: login.body.accessToken })).status).toBe(
      401,
    );
    const refresh = await call('POST', '/v1/sessions/refresh', {
      body: { refreshToken: login.body.refreshToken },
    });
    expect(refresh.status).toBe(401);
  });

  it('needs a bearer token', async () => {
    const answer = await call('DELETE', '/v1/sessions/current');
    expect(answer).toEqual({
      status: 401,
      headers: expect.anything(),
      body: { error: { code: 'unauthorized', message: 'Missing, expired or invalid token.' } },
    });
  });
});
