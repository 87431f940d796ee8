/**
 * Per-IP limits (issue 10): one client address scripting sign-ups, credential stuffing, code
 * guessing, reset floods or invitation spam. Each route group counts requests per client
 * address (API Gateway's sourceIp; the local runtime takes it from the socket), with the
 * defaults of shared/config.ts, never lowered or switched off here.
 *
 * Isolation is proven with loopback addresses: the whole 127.0.0.0/8 is this machine, so the
 * client socket binds A = 127.0.<n>.2 and B = 127.0.<n>.3 and the runtime sees two clients.
 * A fills its allowance, its next request is 429 `rate_limited` (and did nothing), and B's same
 * request goes through. A header naming another address changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { type Answer, call, lastEmailCode, logIn, PASSWORD, signUp, uniqueEmail } from '../support/api.ts';
import { account, answers, appCode, emailsTo, enrollTotp, mfaToken } from '../support/mfa.ts';
import { addMember, createOrg } from '../support/orgs.ts';
import { clearOfWindowEdge, edgeTimeout } from '../support/windows.ts';

const clients = (n: number) => ({ a: `127.0.${n}.2`, b: `127.0.${n}.3` });

const rateLimited = {
  error: { code: 'rate_limited', message: 'Too many requests.', retryAfter: expect.any(Number) },
};

function expectRateLimited(answer: Answer, windowSeconds: number) {
  expect(answer.status).toBe(429);
  expect(answer.body).toEqual(rateLimited);
  expect(answer.body.error.retryAfter).toBeGreaterThan(0);
  expect(answer.body.error.retryAfter).toBeLessThanOrEqual(windowSeconds);
  expect(answer.headers.get('retry-after')).toBe(String(answer.body.error.retryAfter));
}

/** `count` requests in parallel batches of 10 (argon2 per login: bounded CPU), in order. */
async function inBatches(count: number, request: (i: number) => Promise<Answer>): Promise<Answer[]> {
  const all: Answer[] = [];
  for (let start = 0; start < count; start += 10) {
    const size = Math.min(10, count - start);
    all.push(...(await Promise.all(Array.from({ length: size }, (_, i) => request(start + i)))));
  }
  return all;
}

const statuses = (all: Answer[]) => [...new Set(all.map((answer) => answer.status))];

// Each test may first wait up to 60 s for a fresh window (clearOfWindowEdge).
describe('per-IP limits, default settings, two loopback clients', { timeout: edgeTimeout(60) }, () => {
  it('attack: 31 sign-ups from one address in an hour → the 31st is 429 rate_limited and creates nothing; another address signs up', async () => {
    const { a, b } = clients(20);
    await clearOfWindowEdge(3600, 60);
    const body = () => ({ email: uniqueEmail('scripted'), password: PASSWORD });
    const allowed = await inBatches(30, () => call('POST', '/v1/users', { body: body(), from: a }));
    expect(statuses(allowed)).toEqual([202]);

    const surplus = body();
    expectRateLimited(await call('POST', '/v1/users', { body: surplus, from: a }), 3600);
    expect(await emailsTo(surplus.email)).toEqual([]);
    expect((await logIn(surplus.email)).body.error.code).toBe('invalid_credentials');

    const other = body();
    const fromB = await call('POST', '/v1/users', { body: other, from: b });
    expect(fromB.status).toBe(202);
    const verified = await call('POST', '/v1/users/verify', {
      body: { verificationId: fromB.body.verificationId, code: await lastEmailCode(other.email) },
      from: b,
    });
    expect(verified.body.status).toBe('authenticated');
  });

  it('attack: 61 logins from one address in a minute (credential stuffing) → the 61st is 429 even with the right password; another address logs in', async () => {
    const { a, b } = clients(21);
    const { email } = await signUp();
    await clearOfWindowEdge(60, 25);
    const stuffed = await inBatches(60, () =>
      call('POST', '/v1/sessions', { body: { email: uniqueEmail('stuffed'), password: PASSWORD }, from: a }),
    );
    expect(statuses(stuffed)).toEqual([401]);

    expectRateLimited(
      await call('POST', '/v1/sessions', { body: { email, password: PASSWORD }, from: a }),
      60,
    );
    // The address's own guard saw nothing of that refusal, and B signs in.
    const fromB = await call('POST', '/v1/sessions', { body: { email, password: PASSWORD }, from: b });
    expect(fromB.status).toBe(200);
    expect(fromB.body.status).toBe('authenticated');
  });

  it('attack: 61 code checks from one address in a minute → the 61st is 429 even with a right code, which stays unspent; another address uses it', async () => {
    const { a, b } = clients(22);
    const user = await account();
    const totp = await enrollTotp(user);
    const token = await mfaToken(user.email);
    await clearOfWindowEdge(60, 25);
    const guesses = await inBatches(60, () =>
      call('POST', '/v1/mfa/verify', {
        body: { mfaToken: 'x'.repeat(43), factorId: totp.factorId, code: '000000' },
        from: a,
      }),
    );
    expect(statuses(guesses)).toEqual([401]);

    const right = { mfaToken: token, factorId: totp.factorId, code: appCode(totp.secret) };
    expectRateLimited(await call('POST', '/v1/mfa/verify', { body: right, from: a }), 60);
    const fromB = await call('POST', '/v1/mfa/verify', { body: right, from: b });
    expect(fromB.body).toEqual(answers.authenticated);
  });

  it('attack: 31 password resets from one address in an hour → the 31st is 429 and sends nothing; another address gets its code', async () => {
    const { a, b } = clients(23);
    const { email } = await signUp();
    await clearOfWindowEdge(3600, 60);
    const flood = await inBatches(30, () =>
      call('POST', '/v1/password-resets', { body: { email: uniqueEmail('flooded') }, from: a }),
    );
    expect(statuses(flood)).toEqual([202]);

    const before = (await emailsTo(email)).length;
    expectRateLimited(await call('POST', '/v1/password-resets', { body: { email }, from: a }), 3600);
    expect(await emailsTo(email)).toHaveLength(before);
    const fromB = await call('POST', '/v1/password-resets', { body: { email }, from: b });
    expect(fromB.status).toBe(202);
    expect(await emailsTo(email)).toHaveLength(before + 1);
  });

  it('attack: 101 invitations from one address in an hour (six organisations, 20 each) → the 101st is 429 and sends nothing; another address invites', async () => {
    const { a, b } = clients(24);
    // Each owner may invite 20 an hour: five fill the address's 100, a sixth is refused.
    const owners = await Promise.all(Array.from({ length: 6 }, () => account()));
    const orgs = await Promise.all(owners.map((owner) => createOrg(owner.accessToken)));
    await clearOfWindowEdge(3600, 60);
    for (let i = 0; i < 5; i++) {
      const sent = await inBatches(20, () =>
        call('POST', `/v1/orgs/${orgs[i]}/members`, {
          token: owners[i]?.accessToken,
          body: { email: uniqueEmail('invited'), role: 'member' },
          from: a,
        }),
      );
      expect(statuses(sent)).toEqual([201]);
    }
    const invitee = uniqueEmail('invitee');
    const last = { token: owners[5]?.accessToken, body: { email: invitee, role: 'member' } };
    expectRateLimited(await call('POST', `/v1/orgs/${orgs[5]}/members`, { ...last, from: a }), 3600);
    expect(await emailsTo(invitee)).toEqual([]);
    const fromB = await call('POST', `/v1/orgs/${orgs[5]}/members`, { ...last, from: b });
    expect(fromB.status).toBe(201);
    expect(await emailsTo(invitee)).toHaveLength(1);
    // The helper (any address) still invites for the others: the limit is the address's.
    expect(
      (await addMember(owners[5]?.accessToken ?? '', orgs[5] ?? '', uniqueEmail(), 'member')).status,
    ).toBe(201);
  });

  it('spoofing: a forwarding header naming another address does not move a client out of its window', async () => {
    const { a } = clients(25);
    await clearOfWindowEdge(60, 25);
    const stuffed = await inBatches(60, () =>
      call('POST', '/v1/sessions', { body: { email: uniqueEmail('spoof'), password: PASSWORD }, from: a }),
    );
    expect(statuses(stuffed)).toEqual([401]);
    for (const header of ['x-forwarded-for', 'x-real-ip', 'forwarded', 'true-client-ip']) {
      const value = header === 'forwarded' ? 'for=198.51.100.9' : '198.51.100.9';
      const spoofed = await call('POST', '/v1/sessions', {
        body: { email: uniqueEmail('spoof'), password: PASSWORD },
        headers: { [header]: value },
        from: a,
      });
      expectRateLimited(spoofed, 60);
    }
  });
});
