import { config } from '../config.ts';
import { createReportToken } from '../db/reports.ts';
import type { User } from '../db/users.ts';
import { errorFields, log } from '../http/logger.ts';
import { type EmailMessage, notifyAccount } from '../notify/email.ts';

/**
 * A security email to the account's owner, with its own "This wasn't me" link (when APP_URL
 * names the page it lands on): one click there signs every device out (POST
 * /v1/security-reports). Never fails the request: the change it reports is committed. The
 * token goes in the URL fragment, which browsers do not send to servers or in Referer headers.
 */
export async function notifyOwner(
  user: Pick<User, 'userId' | 'email'>,
  build: (reportUrl: string | undefined) => EmailMessage,
  event: string,
): Promise<void> {
  let reportUrl: string | undefined;
  const appUrl = config().appUrl;
  if (appUrl) {
    try {
      reportUrl = `${appUrl}/#/secure?token=${await createReportToken(user.userId)}`;
    } catch (error) {
      log.warn('report link not created', { userId: user.userId, event, ...errorFields(error) });
    }
  }
  await notifyAccount(user.email, build(reportUrl), { userId: user.userId, event });
}
