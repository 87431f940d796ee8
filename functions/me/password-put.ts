import { endOtherSessions } from '../../shared/auth/auth-change.ts';
import { checkPassword } from '../../shared/auth/password-check.ts';
import { assertStrongPassword } from '../../shared/auth/password-policy.ts';
import { hashPassword } from '../../shared/auth/passwords.ts';
import { notifyOwner } from '../../shared/auth/security-notice.ts';
import { stepUp } from '../../shared/auth/step-up.ts';
import { eventPuts } from '../../shared/db/events.ts';
import { transact } from '../../shared/db/transact.ts';
import { authVersionOf, changePassword, findUserById } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { reportRecoveryUse } from '../../shared/mfa/notices.ts';
import { passwordChanged } from '../../shared/notify/templates.ts';
import * as routes from '../routes/me.ts';

export const handler = http(routes.changePassword, async ({ body, auth, ip, userAgent }) => {
  const context = { ip, userAgent };
  const now = new Date();
  const found = await findUserById(auth.sub);
  if (!found) throw new ApiError('unauthorized');
  // The new password is judged first: a refused one spends no guess of the current one.
  await assertStrongPassword(body.newPassword, found.email);
  // The current password under its lockout, as at login; then, with MFA, the step-up.
  const user = await checkPassword(found.email, found, body.currentPassword, context);
  const proof = await stepUp(user, auth, body.verification, context, now);
  const passwordHash = await hashPassword(body.newPassword);
  const proofItems = proof?.items ?? [];
  await transact(
    [
      ...proofItems,
      changePassword(user, passwordHash, now),
      ...eventPuts({ type: 'password.changed', userId: user.userId, orgId: user.orgId, ...context }, now),
    ],
    // The proof's items answer their own conflict; else another change moved the password on
    // since it was checked.
    () => new ApiError('invalid_credentials'),
    proof?.lost,
  );
  await endOtherSessions(user.userId, authVersionOf(user) + 1, auth.sid, 'password_changed');
  if (proof) await reportRecoveryUse(user, proof, context);
  await notifyOwner(
    user,
    (reportUrl) => passwordChanged({ at: now, ...context, reportUrl }),
    'password.changed',
  );
  return { status: 204 };
});
