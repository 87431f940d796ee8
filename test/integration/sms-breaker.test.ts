/**
 * The deployment-wide SMS circuit breaker (issue 10), opening and closing with an injected
 * clock. Pumping that gets past every per-user, per-number and per-address allowance (a botnet
 * with many accounts) would otherwise run until the SNS spend limit, after which nobody gets a
 * login code for the rest of the month. The breaker pauses texts for an hour (or a day, or one
 * country for an hour) instead, answers 503 `delivery_failed` with Retry-After, and logs the
 * breaker line (the `SmsBreakerOpen` metric is what the stack alarms on).
 *
 * In-process with low settings (3 texts an hour, 5 a day, 2 per country an hour), set by
 * `vi.hoisted` before config() is read. The clock is a date in 2031: the windows are this
 * file's alone, while the rest of the run texts under the runtime's defaults today.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { config } from '../../shared/config.ts';
import { type Factor, getFactor } from '../../shared/db/factors.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { startChallenge } from '../../shared/mfa/delivery.ts';
import { SMS_BREAKER_OPEN } from '../../shared/notify/send-budget.ts';
import { account, enrollSms, smsCount, uniqueGbPhone, uniquePhone } from '../support/mfa.ts';

vi.hoisted(() => {
  process.env.SMS_PER_HOUR = '3';
  process.env.SMS_PER_DAY = '5';
  process.env.SMS_PER_COUNTRY_PER_HOUR = '2';
});

const T = Date.parse('2031-03-04T10:00:00Z');
const at = (seconds: number) => new Date(T + seconds * 1000);
const HOUR = 3600;

async function smsFactor(phone: string): Promise<Factor> {
  const user = await account();
  const enrolled = await enrollSms(user, phone);
  const factor = await getFactor(user.userId, enrolled.factorId);
  if (!factor) throw new Error('no factor');
  return factor;
}

/** A /codes-style send (purpose verify) at `now`: 'sent', or the error's status, code and wait. */
async function send(factor: Factor, now: Date) {
  try {
    await startChallenge(factor, { userId: factor.userId, purpose: 'verify' }, { ip: '198.51.100.7', now });
    return 'sent';
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { status: error.status, code: error.code, retryAfter: error.extra.retryAfter };
  }
}

const paused = (retryAfter: number) => ({ status: 503, code: 'delivery_failed', retryAfter });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the SMS circuit breaker (injected clock)', () => {
  it('in this file the breaker is set low (before config() was read)', () => {
    expect(config()).toMatchObject({ smsPerHour: 3, smsPerDay: 5, smsPerCountryPerHour: 2 });
  });

  it('opens per country, per hour and per day, answers 503 with the wait, sends nothing, logs it; and closes when its window ends', async () => {
    const nl = await Promise.all([uniquePhone(), uniquePhone(), uniquePhone()].map(smsFactor));
    const gb = await Promise.all([uniqueGbPhone(), uniqueGbPhone()].map(smsFactor));
    const [nl1, nl2, nl3] = nl as [Factor, Factor, Factor];
    const [gb1, gb2] = gb as [Factor, Factor];
    const texts = async () =>
      Promise.all([...nl, ...gb].map((factor) => smsCount(factor.destination as string)));
    const before = await texts();
    // Powertools' Logger writes warnings and errors to stderr itself, not through console.error.
    const logged = vi.spyOn(process.stderr, 'write');

    // Hour 1: two Dutch texts fill the country; a third is paused, a British one still goes,
    // which fills the hour for everyone.
    expect(await send(nl1, at(0))).toBe('sent');
    expect(await send(nl2, at(1))).toBe('sent');
    expect(await send(nl3, at(2))).toEqual(paused(HOUR - 2));
    expect(await send(gb1, at(3))).toBe('sent');
    expect(await send(gb2, at(4))).toEqual(paused(HOUR - 4));
    expect((await texts()).map((n, i) => n - (before[i] ?? 0))).toEqual([1, 1, 0, 1, 0]);

    const lines = logged.mock.calls
      .map(([line]) => String(line))
      .filter((line) => line.includes(SMS_BREAKER_OPEN));
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({
        level: 'error',
        message: SMS_BREAKER_OPEN,
        window: 'sms-country-hour',
        key: 'NL',
        limit: 2,
      }),
      expect.objectContaining({
        level: 'error',
        message: SMS_BREAKER_OPEN,
        window: 'sms-all-hour',
        key: 'all',
        limit: 3,
      }),
    ]);
    // No number in the log, only the country.
    for (const factor of [...nl, ...gb]) {
      for (const line of lines) expect(line).not.toContain(String(factor.destination).slice(3));
    }

    // Hour 2: closed again. The paused sends spent nothing (their factors text at once), and
    // two more fill the day's 5.
    expect(await send(nl3, at(HOUR))).toBe('sent');
    expect(await send(gb2, at(HOUR + 1))).toBe('sent');
    const endOfDay = Date.parse('2031-03-05T00:00:00Z');
    expect(await send(nl1, at(HOUR + 2))).toEqual(paused((endOfDay - at(HOUR + 2).getTime()) / 1000));
    expect((await texts()).map((n, i) => n - (before[i] ?? 0))).toEqual([1, 1, 1, 1, 1]);

    // The next day: closed.
    expect(await send(nl1, new Date(endOfDay))).toBe('sent');
    expect((await texts()).map((n, i) => n - (before[i] ?? 0))).toEqual([2, 1, 1, 1, 1]);
  });
});
