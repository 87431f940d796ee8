import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { runtime } from '../support/api.ts';

/**
 * The production SDK clients, configured only by the environment the local runtime sets
 * (AWS_ENDPOINT_URL_SNS / _SES), deliver to the local endpoints, and the messages show up
 * at LocalStack's inspection endpoints in LocalStack's shapes.
 */
describe('local SNS and SES through the environment', () => {
  it('an SMS published with the SNS client appears at /_aws/sns/sms-messages', async () => {
    const phone = `+3161${String(Date.now()).slice(-7)}`;
    await new SNSClient({}).send(new PublishCommand({ PhoneNumber: phone, Message: 'Your code is 123456' }));
    const listed = (await (await fetch(`${runtime().awsUrl}/_aws/sns/sms-messages`)).json()) as {
      sms_messages: Record<string, unknown[]>;
    };
    expect(listed.sms_messages[phone]).toEqual([
      expect.objectContaining({ PhoneNumber: phone, Message: 'Your code is 123456', TopicArn: null }),
    ]);
  });

  it('an email sent with the SES client appears at /_aws/ses', async () => {
    const to = `to-${Date.now()}@example.com`;
    await new SESClient({}).send(
      new SendEmailCommand({
        Source: 'no-reply@mfa.localhost',
        Destination: { ToAddresses: [to] },
        Message: { Subject: { Data: 'Hello' }, Body: { Text: { Data: 'Plain body' } } },
      }),
    );
    const listed = (await (await fetch(`${runtime().awsUrl}/_aws/ses`)).json()) as {
      messages: { Destination: { ToAddresses: string[] } }[];
    };
    const mine = listed.messages.filter((m) => m.Destination.ToAddresses.includes(to));
    expect(mine).toEqual([
      expect.objectContaining({
        Source: 'no-reply@mfa.localhost',
        Subject: 'Hello',
        Body: { text_part: 'Plain body', html_part: null },
      }),
    ]);
  });
});
