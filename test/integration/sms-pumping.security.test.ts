/**
 * SMS pumping and send floods (issue 10), over HTTP with the runtime's default settings:
 * - one account texting new numbers by adding and dropping pending SMS factors: 5 new numbers
 *   a day (NEW_PHONE_NUMBERS_PER_USER_PER_DAY), the 6th is refused and not texted;
 * - one client address texting across many accounts: 30 codes an hour
 *   (CODE_SENDS_PER_IP_PER_HOUR), the 31st refused and not texted, another address unaffected;
 * - the cooldown bypass: a new challenge (from the same or another login, or a /codes request)
 *   for a factor whose code is younger than the cooldown → 429 resend_too_soon, nothing sent;
 * - a user whose MFA is locked triggers no SMS at all (429 locked), however asked.
 * The circuit breaker, with its low settings and an injected clock, is sms-breaker.test.ts.
 *
 * The numbers are British: the breaker counts per country, and the rest of the run texts
 * Dutch numbers.
 */
import { describe, expect, it } from 'vitest';
import { type Answer, call, PASSWORD } from '../support/api.ts';
import {
  account,
  answers,
  challenge,
  enrollSms,
  enrollTotp,
  mfaToken,
  smsCode,
  smsCount,
  uniqueGbPhone,
  verify,
  wrongAppCode,
} from '../support/mfa.ts';
import { clearOfWindowEdge, edgeTimeout } from '../support/windows.ts';

const rateLimited = {
  error: { code: 'rate_limited', message: 'Too many requests.', retryAfter: expect.any(Number) },
};

function addPhone(accessToken: string, phoneNumber: string, from?: string): Promise<Answer> {
  return call('POST', '/v1/mfa/factors', {
    token: accessToken,
    body: { type: 'sms', password: PASSWORD, phoneNumber },
    ...(from ? { from } : {}),
  });
}

const dropPending = (accessToken: string, factorId: string) =>
  call('DELETE', `/v1/mfa/factors/${factorId}`, { token: accessToken });

// The address test may first wait up to 90 s for a fresh hour (clearOfWindowEdge).
describe('SMS pumping', { timeout: edgeTimeout(90) }, () => {
  it('attack: one account adds and drops pending SMS factors for new numbers → 5 texted, the 6th is 429 rate_limited and not texted', async () => {
    const user = await account();
    const numbers = Array.from({ length: 7 }, () => uniqueGbPhone());
    const outcomes: number[] = [];
    for (const number of numbers) {
      const added = await addPhone(user.accessToken, number);
      outcomes.push(added.status);
      if (added.status === 201)
        expect((await dropPending(user.accessToken, added.body.factor.id)).status).toBe(204);
      else expect(added.body).toEqual(rateLimited);
    }
    expect(outcomes).toEqual([201, 201, 201, 201, 201, 429, 429]);
    const texted = await Promise.all(numbers.map((number) => smsCount(number)));
    expect(texted).toEqual([1, 1, 1, 1, 1, 0, 0]);
    // Nothing of the refused enrollments is left, and other kinds of factor still enroll.
    expect((await call('GET', '/v1/mfa/factors', { token: user.accessToken })).body.factors).toEqual([]);
    await enrollTotp(user);
  });

  it('attack: one address texts new numbers across 7 accounts → 30 texted in the hour, the 31st is 429 rate_limited and not texted; another address texts', async () => {
    const [a, b] = ['127.0.30.2', '127.0.30.3'];
    const users = await Promise.all(Array.from({ length: 7 }, () => account()));
    await clearOfWindowEdge(3600, 90);
    const texted: string[] = [];
    // Five new numbers per account (its own daily allowance), from the one address.
    for (const user of users.slice(0, 6)) {
      for (let i = 0; i < 5; i++) {
        const number = uniqueGbPhone();
        const added = await addPhone(user.accessToken, number, a);
        expect(added.status, JSON.stringify(added.body)).toBe(201);
        expect((await dropPending(user.accessToken, added.body.factor.id)).status).toBe(204);
        texted.push(number);
      }
    }
    expect(await Promise.all(texted.map((number) => smsCount(number)))).toEqual(texted.map(() => 1));

    const seventh = users[6]?.accessToken ?? '';
    const refusedNumber = uniqueGbPhone();
    const refused = await addPhone(seventh, refusedNumber, a);
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual(rateLimited);
    expect(refused.headers.get('retry-after')).toBe(String(refused.body.error.retryAfter));
    expect(await smsCount(refusedNumber)).toBe(0);
    expect((await call('GET', '/v1/mfa/factors', { token: seventh })).body.factors).toEqual([]);

    const fromB = await addPhone(seventh, refusedNumber, b);
    expect(fromB.status).toBe(201);
    expect(await smsCount(refusedNumber)).toBe(1);
  });
});

describe('numbers that cannot receive a text', () => {
  it.each([
    ['GB', '09098 790000', 'premium_rate', '+449098790000'],
    ['NL', '0900 1234567', 'premium_rate', '+319001234567'],
    ['DE', '0180 1234567', 'shared_cost', '+491801234567'],
    ['US', '1-800-555-0123', 'toll_free', '+18005550123'],
    ['GB', '0207 123 4567', 'fixed_line', '+442071234567'],
  ])(
    'attack: enrolling %s %s (%s) → 400 phone_number_not_mobile, no factor, no text',
    async (country, phoneNumber, numberType, e164) => {
      const user = await account();
      const added = await call('POST', '/v1/mfa/factors', {
        token: user.accessToken,
        body: { type: 'sms', password: PASSWORD, phoneNumber, country },
      });
      expect(added.status).toBe(400);
      expect(added.body).toEqual({
        error: {
          code: 'phone_number_not_mobile',
          message: 'This number cannot receive text messages: use a mobile number.',
          numberType,
        },
      });
      expect((await call('GET', '/v1/mfa/factors', { token: user.accessToken })).body.factors).toEqual([]);
      expect(await smsCount(e164)).toBe(0);
    },
  );
});

describe('the Crown dependencies beside GB', () => {
  it('a Guernsey mobile number (+44, its own country) enrolls with the default allow-list', async () => {
    const user = await account();
    const phone = `+4479111${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`;
    const sms = await enrollSms(user, phone);
    const listed = await call('GET', '/v1/mfa/factors', { token: user.accessToken });
    expect(listed.body.factors.map((factor: { id: string }) => factor.id)).toEqual([sms.factorId]);
  });
});

describe('one cooldown per factor', () => {
  it('attack: a new challenge instead of a resend, from the same login, another login or /codes → 429 resend_too_soon; one SMS sent', async () => {
    const user = await account();
    const sms = await enrollSms(user, uniqueGbPhone());
    const sentBefore = await smsCount(sms.phone);
    const token = await mfaToken(user.email);
    const first = await challenge(token, sms.factorId);
    expect(first.status).toBe(201);

    const again = [
      await challenge(token, sms.factorId),
      await challenge(await mfaToken(user.email), sms.factorId),
      await call('POST', `/v1/mfa/factors/${sms.factorId}/codes`, { token: user.accessToken }),
    ];
    for (const answer of again) {
      expect(answer.status).toBe(429);
      expect(answer.body).toEqual({
        error: {
          code: 'resend_too_soon',
          message: 'Wait before requesting another code.',
          retryAfter: expect.any(Number),
        },
      });
      expect(answer.body.error.retryAfter).toBeGreaterThan(0);
      expect(answer.body.error.retryAfter).toBeLessThanOrEqual(30);
      expect(answer.headers.get('retry-after')).toBe(String(answer.body.error.retryAfter));
    }
    expect(await smsCount(sms.phone)).toBe(sentBefore + 1);
    // The first challenge is untouched by the refusals: its code still signs in.
    const code = await smsCode(sms.phone);
    expect((await verify({ mfaToken: token, challengeId: first.body.challengeId, code })).body).toEqual(
      answers.authenticated,
    );
  });

  it('attack: 10 parallel new challenges for one factor → one SMS, one challenge, the rest 429 resend_too_soon', async () => {
    const user = await account();
    const sms = await enrollSms(user, uniqueGbPhone());
    const sentBefore = await smsCount(sms.phone);
    const token = await mfaToken(user.email);
    const all = await Promise.all(Array.from({ length: 10 }, () => challenge(token, sms.factorId)));
    expect(all.filter((answer) => answer.status === 201)).toHaveLength(1);
    expect(all.filter((answer) => answer.body?.error?.code === 'resend_too_soon')).toHaveLength(9);
    expect(await smsCount(sms.phone)).toBe(sentBefore + 1);
  });
});

describe('no sends while MFA is locked', () => {
  it('attack: with MFA locked by 10 wrong codes, every way to get an SMS → 429 locked, nothing sent', async () => {
    const user = await account();
    const totp = await enrollTotp(user);
    const sms = await enrollSms(user, uniqueGbPhone());
    const token = await mfaToken(user.email);
    // A challenge from before the lock, to try a resend on.
    const started = await challenge(token, sms.factorId);
    expect(started.status).toBe(201);
    for (let i = 0; i < 10; i++) {
      await verify({ mfaToken: token, factorId: totp.factorId, code: wrongAppCode(totp.secret) });
    }
    expect(
      (await verify({ mfaToken: token, factorId: totp.factorId, code: wrongAppCode(totp.secret) })).body,
    ).toEqual(answers.locked());
    const sent = await smsCount(sms.phone);

    const attempts: [string, Answer][] = [
      ['a new login challenge', await challenge(await mfaToken(user.email), sms.factorId)],
      [
        'a resend',
        await call('POST', `/v1/mfa/challenges/${started.body.challengeId}/resend`, {
          body: { mfaToken: token },
        }),
      ],
      [
        'a /codes verification code',
        await call('POST', `/v1/mfa/factors/${sms.factorId}/codes`, { token: user.accessToken }),
      ],
      ['a new number', await addPhone(user.accessToken, uniqueGbPhone())],
    ];
    for (const [what, answer] of attempts) {
      expect(answer.status, what).toBe(429);
      expect(answer.body, what).toEqual(answers.locked());
      expect(answer.headers.get('retry-after'), what).toBe(String(answer.body.error.retryAfter));
    }
    expect(await smsCount(sms.phone)).toBe(sent);
    expect((await call('GET', '/v1/mfa/factors', { token: user.accessToken })).body.factors).toHaveLength(2);
  });
});
