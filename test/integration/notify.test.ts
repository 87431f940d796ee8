import { randomInt } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { config } from '../../shared/config.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { notifyAccount, sendEmail } from '../../shared/notify/email.ts';
import { sendSms } from '../../shared/notify/sms.ts';
import { runtime, uniqueEmail } from '../support/api.ts';

/**
 * The senders through the real SDK clients against the local SNS/SES endpoints (AWS_ENDPOINT_URL_*),
 * read back through the LocalStack inspection paths. Failing sends use the local-only
 * `/_local/fail-destinations` hook; the runtime is shared with other test files running in parallel,
 * so every destination here is unique and the previous fail list is put back at the end.
 */
const aws = () => runtime().awsUrl;
const uniquePhone = () => `+3162${String(randomInt(10_000_000)).padStart(7, '0')}`;

interface Sms {
  Message: string;
  MessageAttributes: Record<string, { DataType: string; StringValue?: string }> | null;
}
interface Email {
  Destination: { ToAddresses?: string[] };
  Source: string;
  Subject: string;
  Body: { text_part: string | null; html_part: string | null };
}

async function smsTo(phone: string): Promise<Sms[]> {
  const res = await fetch(`${aws()}/_aws/sns/sms-messages?phoneNumber=${encodeURIComponent(phone)}`);
  const body = (await res.json()) as { sms_messages: Record<string, Sms[]> };
  return body.sms_messages[phone] ?? [];
}

async function emailsTo(address: string): Promise<Email[]> {
  const body = (await (await fetch(`${aws()}/_aws/ses`)).json()) as { messages: Email[] };
  return body.messages.filter((m) => m.Destination.ToAddresses?.includes(address));
}

async function failList(destinations?: string[]): Promise<{ status: number; destinations: string[] }> {
  const res = await fetch(`${aws()}/_local/fail-destinations`, {
    method: destinations ? 'POST' : 'GET',
    ...(destinations ? { body: JSON.stringify({ destinations }) } : {}),
  });
  return { status: res.status, ...((await res.json()) as { destinations: string[] }) };
}

const failingPhone = uniquePhone();
const failingEmail = uniqueEmail('failing');
let previousFailList: string[];

beforeAll(async () => {
  previousFailList = (await failList()).destinations;
  await failList([...previousFailList, failingPhone, failingEmail]);
});

afterAll(async () => {
  if (previousFailList) await failList(previousFailList);
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('sendSms', () => {
  it('publishes a transactional SMS to the phone number', async () => {
    const phone = uniquePhone();
    await sendSms(phone, 'Your Serverless MFA code is 123456.');
    expect(await smsTo(phone)).toMatchObject([
      {
        PhoneNumber: phone,
        Message: 'Your Serverless MFA code is 123456.',
        // No SMS_SENDER_ID in the test environment: no SenderID attribute.
        MessageAttributes: { 'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' } },
      },
    ]);
  });

  it('a failed delivery throws delivery_failed, records nothing and logs no number', async () => {
    const logged = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const error = await sendSms(failingPhone, 'code 123456').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'delivery_failed', status: 502 });
    expect((error as ApiError).cause).toMatchObject({ name: 'InvalidParameterException' });
    expect(await smsTo(failingPhone)).toEqual([]);
    const lines = logged.mock.calls.map((call) => String(call[0]));
    expect(lines.map((l) => JSON.parse(l).message)).toContain('sms delivery failed');
    for (const line of lines) expect(line).not.toContain(failingPhone.slice(1));
  });
});

describe('sendEmail', () => {
  it('sends text and HTML parts from the configured sender', async () => {
    const to = uniqueEmail('notify');
    await sendEmail(to, { subject: 'Héllo ✓', text: 'plain ✓', html: '<p>rich ✓</p>' });
    expect(await emailsTo(to)).toMatchObject([
      {
        Destination: { ToAddresses: [to] },
        Source: config().sesSender,
        Subject: 'Héllo ✓',
        Body: { text_part: 'plain ✓', html_part: '<p>rich ✓</p>' },
      },
    ]);
  });

  it('sends text only when there is no HTML', async () => {
    const to = uniqueEmail('notify');
    await sendEmail(to, { subject: 's', text: 't' });
    expect((await emailsTo(to))[0]?.Body).toEqual({ text_part: 't', html_part: null });
  });

  it('a rejected send throws delivery_failed and records nothing', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await expect(sendEmail(failingEmail, { subject: 's', text: 't' })).rejects.toMatchObject({
      code: 'delivery_failed',
      status: 502,
    });
    expect(await emailsTo(failingEmail)).toEqual([]);
  });
});

describe('notifyAccount', () => {
  it('delivers like sendEmail', async () => {
    const to = uniqueEmail('notice');
    await notifyAccount(to, { subject: 'notice', text: 'body' }, { userId: 'u1', event: 'factor_added' });
    expect(await emailsTo(to)).toHaveLength(1);
  });

  it('does not throw when the send fails, and logs the user and event without the address or body', async () => {
    const logged = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    await expect(
      notifyAccount(
        failingEmail,
        { subject: 'secret subject', text: 'secret body' },
        { userId: 'user-42', event: 'factor_removed' },
      ),
    ).resolves.toBeUndefined();
    const lines = logged.mock.calls.map((call) => String(call[0]));
    const warning = lines.map((l) => JSON.parse(l)).find((l) => l.message === 'security notification failed');
    expect(warning).toMatchObject({
      level: 'warn',
      userId: 'user-42',
      event: 'factor_removed',
      errorName: 'ApiError',
    });
    for (const line of lines) {
      expect(line).not.toContain(failingEmail);
      expect(line).not.toContain(failingEmail.split('@')[0]);
      expect(line).not.toContain('secret');
    }
  });
});

describe('the local fail-destinations hook', () => {
  it('answers the current list and refuses a malformed body', async () => {
    expect((await failList()).destinations).toEqual(expect.arrayContaining([failingPhone, failingEmail]));
    const bad = await fetch(`${aws()}/_local/fail-destinations`, {
      method: 'POST',
      body: '{"destinations":"x"}',
    });
    expect(bad.status).toBe(400);
    expect((await failList()).destinations).toEqual(expect.arrayContaining([failingPhone, failingEmail]));
  });
});

describe('SMS_SENDER_ID', () => {
  it('is sent as the SenderID attribute when set', async () => {
    const before = process.env.SMS_SENDER_ID;
    process.env.SMS_SENDER_ID = 'AcmeMFA';
    try {
      vi.resetModules(); // a fresh config() cache and SNS client
      const fresh = await import('../../shared/notify/sms.ts');
      const phone = uniquePhone();
      await fresh.sendSms(phone, 'hi');
      expect((await smsTo(phone))[0]?.MessageAttributes).toEqual({
        'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
        'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'AcmeMFA' },
      });
    } finally {
      if (before === undefined) delete process.env.SMS_SENDER_ID;
      else process.env.SMS_SENDER_ID = before;
    }
  });
});
