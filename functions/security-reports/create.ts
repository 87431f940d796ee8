import { endOtherSessions } from '../../shared/auth/auth-change.ts';
import { eventPuts } from '../../shared/db/events.ts';
import { findReport, useReport } from '../../shared/db/reports.ts';
import { transact } from '../../shared/db/transact.ts';
import { authVersionOf, bumpAuthVersion, findUserById } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { notifyAccount } from '../../shared/notify/email.ts';
import { accountSecured } from '../../shared/notify/templates.ts';
import * as routes from '../routes/security-reports.ts';

// "This wasn't me": the link of a security email, usable once and without signing in (the
// owner may be locked out of their own sessions). It takes access away, never grants it.
export const handler = http(routes.reportSecurityEvent, async ({ body, ip, userAgent }) => {
  const now = new Date();
  const report = await findReport(body.token, now);
  const user = report ? await findUserById(report.userId) : undefined;
  if (!report || !user) throw new ApiError('challenge_expired');
  // One write: the token is spent, the auth version moves on (logins in flight and remembered
  // devices die with it) and the report is recorded for the user and their organisation.
  await transact(
    [
      useReport(report, now),
      bumpAuthVersion(user),
      ...eventPuts({ type: 'account.reported', userId: user.userId, orgId: user.orgId, ip, userAgent }, now),
    ],
    () => new ApiError('challenge_expired'),
  );
  await endOtherSessions(user.userId, authVersionOf(user) + 1, undefined, 'reported_by_owner');
  await notifyAccount(user.email, accountSecured({ at: now, ip, userAgent }), {
    userId: user.userId,
    event: 'account.reported',
  });
  return { status: 204 };
});
