import { type MessageAttributeValue, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { config } from '../config.ts';
import { ApiError } from '../http/errors.ts';
import { log, sdkErrorFields } from '../http/logger.ts';

/**
 * Created once per container; the endpoint comes from AWS_ENDPOINT_URL_SNS when set. Two attempts,
 * not the SDK's three with back-off: a user is waiting for the code and can press "resend".
 */
const sns = new SNSClient({ maxAttempts: 2 });

/**
 * Sends one SMS straight to a phone number (no topic). Any failure becomes `delivery_failed` (502),
 * and the caller undoes its writes, so a code that never arrived costs the user nothing.
 */
export async function sendSms(phoneE164: string, text: string): Promise<void> {
  // Transactional: AWS's own example is one-time passcodes; SNS optimises these for reliability over cost.
  const attributes: Record<string, MessageAttributeValue> = {
    'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
  };
  const senderId = config().smsSenderId;
  if (senderId) attributes['AWS.SNS.SMS.SenderID'] = { DataType: 'String', StringValue: senderId };
  try {
    await sns.send(
      new PublishCommand({ PhoneNumber: phoneE164, Message: text, MessageAttributes: attributes }),
    );
  } catch (cause) {
    // SNS error messages quote the phone number, so only the error's name and status are logged.
    log.warn('sms delivery failed', sdkErrorFields(cause));
    throw new ApiError('delivery_failed', { cause });
  }
}
