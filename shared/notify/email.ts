import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { config } from '../config.ts';
import { ApiError } from '../http/errors.ts';
import { errorFields, log, sdkErrorFields } from '../http/logger.ts';
import { count, metricNames } from '../metrics.ts';

/**
 * Created once per container; the endpoint comes from AWS_ENDPOINT_URL_SES when set. Two attempts:
 * an emailed code has a user waiting, exactly like an SMS.
 */
const ses = new SESClient({ maxAttempts: 2 });

export interface EmailMessage {
  subject: string;
  /** The primary part: every client shows it, and it is what screen readers and previews read. */
  text: string;
  html?: string;
}

/** Sends one email through SES (v1 API). Any failure becomes `delivery_failed` (502). */
export async function sendEmail(to: string, message: EmailMessage): Promise<void> {
  const charset = 'UTF-8';
  try {
    await ses.send(
      new SendEmailCommand({
        Source: config().sesSender,
        Destination: { ToAddresses: [to] },
        Message: {
          Subject: { Data: message.subject, Charset: charset },
          Body: {
            Text: { Data: message.text, Charset: charset },
            ...(message.html !== undefined ? { Html: { Data: message.html, Charset: charset } } : {}),
          },
        },
      }),
    );
  } catch (cause) {
    // SES error messages quote addresses ("… identities failed the check: a@b.c"): name and status only.
    log.warn('email delivery failed', sdkErrorFields(cause));
    throw new ApiError('delivery_failed', { cause });
  }
}

/**
 * A security notification to the account's address. It never throws: the change it reports is already
 * committed, and a failed notice must not fail the request (STYLE.md 9; supabase mfa.go "Log the error
 * but don't fail the verification"). The log names the user and the event, never the address or body.
 */
export async function notifyAccount(
  to: string,
  message: EmailMessage,
  context: { userId: string; event: string },
): Promise<void> {
  try {
    await sendEmail(to, message);
  } catch (error) {
    count(metricNames.noticeDeliveryFailed);
    log.warn('security notification failed', {
      userId: context.userId,
      event: context.event,
      ...errorFields(error),
    });
  }
}
