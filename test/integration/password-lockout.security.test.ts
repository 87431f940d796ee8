/**
 * Attacks on password login: online guessing (NIST SP 800-63B-4 §3.2.2 rate limiting),
 * account enumeration through different answers for unknown emails and wrong passwords, and
 * racing the lockout with parallel guesses.
 */
import { describe, expect, it } from 'vitest';
import { confirmFailure } from '../../shared/db/guard.ts';
import { reservePasswordAttempt } from '../../shared/db/login-guard.ts';
import { call, logIn, PASSWORD, signUp, uniqueEmail } from '../support/api.ts';

const WRONG = 'wrong password guess';

describe('password login attacks', () => {
  it('enumeration: unknown email and wrong password get byte-identical answers', async () => {
    const { email } = await signUp();
    const wrong = await logIn(email, WRONG);
    const unknown = await logIn(uniqueEmail('nobody'), WRONG);
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.body).toEqual({
      error: { code: 'invalid_credentials', message: 'The email or password is incorrect.' },
    });
    const headerNames = (h: Headers) => [...h.keys()].filter((k) => k !== 'date').sort();
    expect(headerNames(unknown.headers)).toEqual(headerNames(wrong.headers));
  });

  it('guessing: 10 wrong passwords lock login for 15 minutes, even with the right password', async () => {
    const { email } = await signUp();
    for (let i = 0; i < 10; i++) expect((await logIn(email, WRONG)).status).toBe(401);
    const locked = await logIn(email, PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body).toEqual({
      error: {
        code: 'locked',
        message: 'Too many failed attempts; try again later.',
        retryAfter: expect.any(Number),
      },
    });
    expect(locked.body.error.retryAfter).toBeGreaterThan(14 * 60);
    expect(locked.body.error.retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(locked.headers.get('retry-after')).toBe(String(locked.body.error.retryAfter));
  });

  it('enumeration: an unknown email locks the same way as a real one', async () => {
    const email = uniqueEmail('ghost');
    for (let i = 0; i < 10; i++) expect((await logIn(email, WRONG)).status).toBe(401);
    expect((await logIn(email, WRONG)).body.error.code).toBe('locked');
  });

  it('the count is of consecutive failures: a success resets it', async () => {
    const { email } = await signUp();
    for (let i = 0; i < 9; i++) await logIn(email, WRONG);
    expect((await logIn(email)).status).toBe(200);
    for (let i = 0; i < 9; i++) expect((await logIn(email, WRONG)).status).toBe(401);
    expect((await logIn(email)).status).toBe(200);
  });

  it('race: 30 parallel guesses get at most 10 password checks; the rest are locked out', async () => {
    const { email } = await signUp();
    const answers = await Promise.all(Array.from({ length: 30 }, () => logIn(email, WRONG)));
    expect(answers.filter((a) => a.status === 401)).toHaveLength(10);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(20);
    expect((await logIn(email)).status).toBe(429);
  });

  it('the lock ends after 15 minutes', async () => {
    const email = uniqueEmail('later');
    const start = new Date();
    // Ten wrong passwords (each failure confirmed, as the login does).
    for (let i = 0; i < 10; i++) await confirmFailure(await reservePasswordAttempt(email, start));
    await expect(
      reservePasswordAttempt(email, new Date(start.getTime() + 14 * 60_000)),
    ).rejects.toMatchObject({
      code: 'locked',
    });
    await expect(
      reservePasswordAttempt(email, new Date(start.getTime() + 15 * 60_000 + 1000)),
    ).resolves.toMatchObject({ remaining: 9 });
  });

  it('the email is matched case-insensitively for login and lockout', async () => {
    const { email } = await signUp();
    expect((await logIn(email.toUpperCase())).status).toBe(200);
    for (let i = 0; i < 10; i++) await logIn(i % 2 ? email.toUpperCase() : email, WRONG);
    expect((await logIn(email)).status).toBe(429);
  });

  it('a login body with unknown fields is refused before any password check', async () => {
    const answer = await call('POST', '/v1/sessions', {
      body: { email: uniqueEmail(), password: WRONG, otp: '123456' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.details).toEqual([{ path: 'body.otp', message: 'Unknown field.' }]);
  });
});

describe('enumeration by round trips', () => {
  it('a known and an unknown email cost the same DynamoDB calls on a wrong password', async () => {
    const { db } = await import('../../shared/db/client.ts');
    const { handler } = await import('../../functions/sessions/create.ts');
    const { apiEvent, lambdaContext } = await import('../support/api.ts');
    const { vi } = await import('vitest');
    const { email } = await signUp();
    const calls = async (address: string) => {
      const spy = vi.spyOn(db, 'send');
      const result = await handler(
        apiEvent('POST', '/v1/sessions', { body: JSON.stringify({ email: address, password: WRONG }) }),
        lambdaContext,
      );
      const names = spy.mock.calls.map(([command]) => command.constructor.name);
      spy.mockRestore();
      return { status: result.statusCode, names };
    };
    const known = await calls(email);
    const unknown = await calls(uniqueEmail('nobody'));
    expect(known.status).toBe(401);
    expect(unknown).toEqual(known);
  });
});
