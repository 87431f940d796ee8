import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { SESClient, SendEmailCommand, VerifyEmailIdentityCommand } from '@aws-sdk/client-ses';
import {
  GetSMSAttributesCommand,
  PublishCommand,
  SetSMSAttributesCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AwsEndpoints, startAwsEndpoints } from '../../infra/local/aws-endpoints.ts';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const region = 'us-east-1';
const PHONE = '+15555550100';
const KEY_ID = '11111111-2222-3333-4444-555555555555';
const KEY_ARN = `arn:aws:kms:${region}:000000000000:key/${KEY_ID}`;

function fakeAuth(service: string): string {
  return `AWS4-HMAC-SHA256 Credential=test/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=00`;
}

let endpoints: AwsEndpoints;
let logLines: string[];
let sns: SNSClient;
let ses: SESClient;
let kms: KMSClient;

beforeAll(async () => {
  logLines = [];
  endpoints = await startAwsEndpoints({ port: 0, log: (line) => logLines.push(line) });
  sns = new SNSClient({ region, endpoint: endpoints.url, credentials });
  ses = new SESClient({ region, endpoint: endpoints.url, credentials });
  kms = new KMSClient({ region, endpoint: endpoints.url, credentials });
});

afterAll(async () => {
  for (const client of [sns, ses, kms]) client?.destroy();
  await endpoints?.close();
});

beforeEach(async () => {
  endpoints.setFailDestinations([]);
  await fetch(`${endpoints.url}/_aws/sns/sms-messages`, { method: 'DELETE' });
  await fetch(`${endpoints.url}/_aws/ses`, { method: 'DELETE' });
});

async function getJson(path: string): Promise<unknown> {
  const res = await fetch(endpoints.url + path);
  expect(res.status).toBe(200);
  return res.json();
}

describe('SNS SMS', () => {
  it('publishes through the real SDK and exposes the message in LocalStack shape', async () => {
    const out = await sns.send(
      new PublishCommand({
        PhoneNumber: PHONE,
        Message: 'Your code is 123456',
        MessageAttributes: {
          'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
          'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'MFA' },
        },
      }),
    );
    expect(out.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await getJson('/_aws/sns/sms-messages')).toEqual({
      region,
      sms_messages: {
        [PHONE]: [
          {
            PhoneNumber: PHONE,
            TopicArn: null,
            SubscriptionArn: null,
            MessageId: out.MessageId,
            Message: 'Your code is 123456',
            MessageAttributes: {
              'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
              'AWS.SNS.SMS.SenderID': { DataType: 'String', StringValue: 'MFA' },
            },
            MessageStructure: null,
            Subject: null,
          },
        ],
      },
    });
    expect(endpoints.sms()).toHaveLength(1);
    expect(logLines.at(-1)).toContain('Your code is 123456');
    expect(logLines.at(-1)).toContain(PHONE);
  });

  it('supports the phoneNumber and region filters and DELETE', async () => {
    await sns.send(new PublishCommand({ PhoneNumber: PHONE, Message: 'one' }));
    await sns.send(new PublishCommand({ PhoneNumber: '+447700900123', Message: 'two' }));

    const filtered = (await getJson(`/_aws/sns/sms-messages?phoneNumber=${encodeURIComponent(PHONE)}`)) as {
      sms_messages: Record<string, { Message: string }[]>;
    };
    expect(Object.keys(filtered.sms_messages)).toEqual([PHONE]);
    expect(filtered.sms_messages[PHONE]?.map((m) => m.Message)).toEqual(['one']);

    expect(await getJson('/_aws/sns/sms-messages?region=eu-west-1')).toEqual({
      region: 'eu-west-1',
      sms_messages: {},
    });

    const del = await fetch(`${endpoints.url}/_aws/sns/sms-messages`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    expect(await getJson('/_aws/sns/sms-messages')).toEqual({ region, sms_messages: {} });
  });

  it('rejects a phone number that is not E.164', async () => {
    await expect(
      sns.send(new PublishCommand({ PhoneNumber: '5555550100', Message: 'x' })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it('fails delivery to a configured destination at once, without SDK retries, and records nothing', async () => {
    endpoints.setFailDestinations([PHONE]);
    await expect(sns.send(new PublishCommand({ PhoneNumber: PHONE, Message: 'lost' }))).rejects.toMatchObject(
      {
        name: 'InvalidParameterException',
        $metadata: { httpStatusCode: 400, attempts: 1 },
      },
    );
    expect(endpoints.sms()).toEqual([]);
    expect(await getJson('/_aws/sns/sms-messages')).toEqual({ region, sms_messages: {} });
  });

  it('stores and returns SMS attributes', async () => {
    await sns.send(new SetSMSAttributesCommand({ attributes: { DefaultSMSType: 'Transactional' } }));
    const all = await sns.send(new GetSMSAttributesCommand({}));
    expect(all.attributes).toEqual({ MonthlySpendLimit: '1', DefaultSMSType: 'Transactional' });
    const some = await sns.send(new GetSMSAttributesCommand({ attributes: ['DefaultSMSType'] }));
    expect(some.attributes).toEqual({ DefaultSMSType: 'Transactional' });
  });

  it('answers unknown actions with an awsQuery XML error', async () => {
    const res = await fetch(endpoints.url, {
      method: 'POST',
      headers: { authorization: fakeAuth('sns'), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=CreateTopic&Version=2010-03-31&Name=t',
    });
    expect(res.status).toBe(400);
    const xml = await res.text();
    expect(xml).toContain('<Code>InvalidAction</Code>');
    expect(xml).toContain('<Type>Sender</Type>');
    expect(xml).toMatch(/<RequestId>[0-9a-f-]{36}<\/RequestId>/);
  });
});

describe('SES v1', () => {
  it('sends an email through the real SDK and exposes it in LocalStack shape', async () => {
    const out = await ses.send(
      new SendEmailCommand({
        Source: 'no-reply@example.com',
        Destination: { ToAddresses: ['alice@example.com'], CcAddresses: ['bob@example.com'] },
        ReplyToAddresses: ['support@example.com'],
        Message: {
          Subject: { Data: 'Your code', Charset: 'UTF-8' },
          Body: { Text: { Data: 'Code: 654321' }, Html: { Data: '<p>Code: <b>654321</b></p>' } },
        },
      }),
    );
    expect(out.MessageId).toBeTruthy();
    expect(await getJson('/_aws/ses')).toEqual({
      messages: [
        {
          Id: out.MessageId,
          Region: region,
          Destination: { ToAddresses: ['alice@example.com'], CcAddresses: ['bob@example.com'] },
          Source: 'no-reply@example.com',
          Subject: 'Your code',
          Body: { text_part: 'Code: 654321', html_part: '<p>Code: <b>654321</b></p>' },
          Timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
        },
      ],
    });
    expect(logLines.at(-1)).toContain('654321');
  });

  it('supports the id and email filters and DELETE by id or all', async () => {
    const send = (source: string, text: string) =>
      ses.send(
        new SendEmailCommand({
          Source: source,
          Destination: { ToAddresses: ['alice@example.com'] },
          Message: { Subject: { Data: 's' }, Body: { Text: { Data: text } } },
        }),
      );
    const first = await send('a@example.com', 'first');
    await send('b@example.com', 'second');

    const byId = (await getJson(`/_aws/ses?id=${first.MessageId}`)) as { messages: { Id: string }[] };
    expect(byId.messages.map((m) => m.Id)).toEqual([first.MessageId]);
    const bySource = (await getJson('/_aws/ses?email=b%40example.com')) as {
      messages: { Body: { text_part: string } }[];
    };
    expect(bySource.messages.map((m) => m.Body.text_part)).toEqual(['second']);

    expect(
      (await fetch(`${endpoints.url}/_aws/ses?id=${first.MessageId}`, { method: 'DELETE' })).status,
    ).toBe(204);
    expect(endpoints.emails().map((e) => e.Source)).toEqual(['b@example.com']);
    expect((await fetch(`${endpoints.url}/_aws/ses`, { method: 'DELETE' })).status).toBe(204);
    expect(await getJson('/_aws/ses')).toEqual({ messages: [] });
  });

  it('rejects a failing destination with MessageRejected, once, and records nothing', async () => {
    endpoints.setFailDestinations(['Broken@Example.com']);
    await expect(
      ses.send(
        new SendEmailCommand({
          Source: 'no-reply@example.com',
          Destination: { ToAddresses: ['ok@example.com'], BccAddresses: ['broken@example.com'] },
          Message: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'MessageRejected', $metadata: { httpStatusCode: 400, attempts: 1 } });
    expect(await getJson('/_aws/ses')).toEqual({ messages: [] });
  });

  it('accepts VerifyEmailIdentity as a no-op', async () => {
    const out = await ses.send(new VerifyEmailIdentityCommand({ EmailAddress: 'no-reply@example.com' }));
    expect(out.$metadata.httpStatusCode).toBe(200);
  });
});

describe('KMS', () => {
  const context = { purpose: 'totp-secret', userId: 'u-1' };

  it('GenerateDataKey then Decrypt returns the same plaintext and an ARN key id', async () => {
    const key = await kms.send(
      new GenerateDataKeyCommand({ KeyId: KEY_ID, KeySpec: 'AES_256', EncryptionContext: context }),
    );
    expect(key.Plaintext).toHaveLength(32);
    expect(key.KeyId).toBe(KEY_ARN);
    // Key order of the context must not matter, as in KMS.
    const reordered = { userId: 'u-1', purpose: 'totp-secret' };
    const out = await kms.send(
      new DecryptCommand({ CiphertextBlob: key.CiphertextBlob, EncryptionContext: reordered }),
    );
    expect(Buffer.from(out.Plaintext ?? [])).toEqual(Buffer.from(key.Plaintext ?? []));
    expect(out.KeyId).toBe(KEY_ARN);
    expect(out.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
  });

  it('treats a key id and its ARN as the same key, and gives aliases a stable key ARN', async () => {
    const enc = await kms.send(new EncryptCommand({ KeyId: KEY_ARN, Plaintext: Buffer.from('secret') }));
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, KeyId: KEY_ID }));
    expect(Buffer.from(dec.Plaintext ?? []).toString()).toBe('secret');

    const a = await kms.send(new EncryptCommand({ KeyId: 'alias/mfa', Plaintext: Buffer.from('x') }));
    const b = await kms.send(
      new EncryptCommand({
        KeyId: `arn:aws:kms:${region}:000000000000:alias/mfa`,
        Plaintext: Buffer.from('y'),
      }),
    );
    expect(a.KeyId).toMatch(/^arn:aws:kms:us-east-1:000000000000:key\/[0-9a-f-]{36}$/);
    expect(b.KeyId).toBe(a.KeyId);
    await expect(
      kms.send(new DecryptCommand({ CiphertextBlob: a.CiphertextBlob, KeyId: KEY_ID })),
    ).rejects.toMatchObject({
      name: 'IncorrectKeyException',
    });
  });

  it('rejects Decrypt with a different or missing encryption context', async () => {
    const key = await kms.send(
      new GenerateDataKeyCommand({ KeyId: KEY_ID, NumberOfBytes: 32, EncryptionContext: context }),
    );
    await expect(
      kms.send(
        new DecryptCommand({
          CiphertextBlob: key.CiphertextBlob,
          EncryptionContext: { ...context, userId: 'u-2' },
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
      $metadata: { httpStatusCode: 400, attempts: 1 },
    });
    await expect(kms.send(new DecryptCommand({ CiphertextBlob: key.CiphertextBlob }))).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    });
  });

  it('rejects a tampered or truncated ciphertext blob', async () => {
    const key = await kms.send(new GenerateDataKeyCommand({ KeyId: KEY_ID, KeySpec: 'AES_256' }));
    const tampered = Buffer.from(key.CiphertextBlob ?? []);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    await expect(kms.send(new DecryptCommand({ CiphertextBlob: tampered }))).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    });
    await expect(
      kms.send(new DecryptCommand({ CiphertextBlob: tampered.subarray(0, 20) })),
    ).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    });
  });

  it('persists the root secret so a second instance with the same dataDir decrypts old blobs', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'aws-endpoints-'));
    try {
      const blob = await withInstance({ dataDir }, async (client) => {
        const out = await client.send(
          new EncryptCommand({ KeyId: KEY_ID, Plaintext: Buffer.from('persisted') }),
        );
        return out.CiphertextBlob;
      });
      expect((await stat(join(dataDir, 'kms-root-key'))).mode & 0o777).toBe(0o600);
      const plaintext = await withInstance({ dataDir }, async (client) => {
        const out = await client.send(new DecryptCommand({ CiphertextBlob: blob }));
        return Buffer.from(out.Plaintext ?? []).toString();
      });
      expect(plaintext).toBe('persisted');
      // Without the persisted secret the same blob is just invalid ciphertext.
      await withInstance({}, async (client) => {
        await expect(client.send(new DecryptCommand({ CiphertextBlob: blob }))).rejects.toMatchObject({
          name: 'InvalidCiphertextException',
        });
      });
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('is reachable through AWS_ENDPOINT_URL_KMS with no endpoint option', async () => {
    const previous = process.env.AWS_ENDPOINT_URL_KMS;
    process.env.AWS_ENDPOINT_URL_KMS = endpoints.url;
    const client = new KMSClient({ region, credentials });
    try {
      const out = await client.send(new GenerateDataKeyCommand({ KeyId: 'alias/env', KeySpec: 'AES_128' }));
      expect(out.Plaintext).toHaveLength(16);
    } finally {
      client.destroy();
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_KMS;
      else process.env.AWS_ENDPOINT_URL_KMS = previous;
    }
  });

  it('answers malformed JSON and unknown targets in the awsJson error format', async () => {
    const post = (target: string, body: string) =>
      fetch(endpoints.url, {
        method: 'POST',
        headers: {
          authorization: fakeAuth('kms'),
          'x-amz-target': target,
          'content-type': 'application/x-amz-json-1.1',
        },
        body,
      });
    const bad = await post('TrentService.Decrypt', '{not json');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ __type: 'SerializationException' });
    const unknown = await post('TrentService.CreateKey', '{}');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });
});

describe('edge behaviour', () => {
  it('rejects a request without an Authorization header', async () => {
    const res = await fetch(endpoints.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `Action=Publish&Version=2010-03-31&PhoneNumber=${encodeURIComponent(PHONE)}&Message=x`,
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>MissingAuthenticationToken</Code>');
    expect(endpoints.sms()).toEqual([]);

    const json = await fetch(endpoints.url, {
      method: 'POST',
      headers: { 'x-amz-target': 'TrentService.Decrypt', 'content-type': 'application/x-amz-json-1.1' },
      body: '{}',
    });
    expect(json.status).toBe(403);
    expect(await json.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
  });

  it('answers an oversized body with 413 and keeps serving', async () => {
    const res = await fetch(endpoints.url, {
      method: 'POST',
      headers: { authorization: fakeAuth('sns'), 'content-type': 'application/x-www-form-urlencoded' },
      body: `Action=Publish&Message=${'a'.repeat(1024 * 1024 + 1)}`,
    });
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('<Code>RequestEntityTooLarge</Code>');
    expect(await getJson('/_localstack/health')).toEqual({
      services: { sns: 'running', ses: 'running', kms: 'running' },
    });
  });
});

async function withInstance<T>(
  options: { dataDir?: string },
  body: (client: KMSClient) => Promise<T>,
): Promise<T> {
  const instance = await startAwsEndpoints({ port: 0, log: () => {}, ...options });
  const client = new KMSClient({ region, endpoint: instance.url, credentials });
  try {
    return await body(client);
  } finally {
    client.destroy();
    await instance.close();
  }
}
