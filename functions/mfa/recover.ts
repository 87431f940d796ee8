import { openSession } from '../../shared/auth/open-session.ts';
import { afterPasswordReset, completingReset } from '../../shared/auth/password-reset.ts';
import { notifyOwner } from '../../shared/auth/security-notice.ts';
import { eventPuts } from '../../shared/db/events.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { checkProof } from '../../shared/mfa/proof.ts';
import { recoveryCodeUsed } from '../../shared/notify/templates.ts';
import * as routes from '../routes/mfa.ts';

export const handler = http(routes.recoverMfa, async ({ body, login, ip, userAgent }) => {
  const { user } = login;

  const checked = await checkProof(
    user,
    { recoveryCode: body.recoveryCode },
    { purpose: 'login', loginDigest: login.tokenDigest },
    { ip, userAgent },
  );
  const remaining = checked.recoveryCodesRemaining ?? 0;
  const reset = completingReset(login, user, { ip, userAgent }, new Date());
  const { tokens, sessionId } = await openSession(user, {
    aal: 2,
    amr: ['pwd', 'recovery', 'mfa'],
    ip,
    userAgent,
    authVersion: reset.authVersion,
    login,
    items: [
      ...checked.items,
      ...reset.items,
      ...eventPuts({
        type: 'recovery_code.used',
        userId: user.userId,
        orgId: user.orgId,
        ip,
        userAgent,
        details: { remaining },
      }),
    ],
    // The proof's items answer its own conflict; any other lost race means the login was used.
    conflict: () => new ApiError('mfa_token_invalid'),
    lost: checked.lost,
  });
  if (login.reset) await afterPasswordReset(user, { ip, userAgent }, sessionId);
  await notifyOwner(
    user,
    (reportUrl) => recoveryCodeUsed({ at: new Date(), ip, userAgent, remaining, reportUrl }),
    'recovery_code.used',
  );
  return { status: 200, body: { status: 'authenticated', ...tokens, recoveryCodesRemaining: remaining } };
});
