import { checkAccountCode } from '../../shared/auth/account-codes.ts';
import { loginAnswer } from '../../shared/auth/login-answer.ts';
import { assertStrongPassword } from '../../shared/auth/password-policy.ts';
import {
  afterPasswordReset,
  passwordResetItems,
  secondToTheMailbox,
} from '../../shared/auth/password-reset.ts';
import { hashPassword } from '../../shared/auth/passwords.ts';
import { consumeChallenge, getChallenge } from '../../shared/db/challenges.ts';
import { listFactors, publicFactor } from '../../shared/db/factors.ts';
import { createPendingLogin } from '../../shared/db/logins.ts';
import { transact } from '../../shared/db/transact.ts';
import { authVersionOf, findUserById } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { loginStep, policyFor } from '../../shared/mfa/policy.ts';
import * as routes from '../routes/password-resets.ts';

export const handler = http(routes.confirmPasswordReset, async ({ params, body, ip, userAgent }) => {
  const now = new Date();
  const context = { ip, userAgent };
  // Checked before the code, so a refused password spends no attempt.
  const found = await getChallenge(params.resetId);
  await assertStrongPassword(body.newPassword, found?.email ?? '');
  const challenge = await checkAccountCode('reset', params.resetId, body.code, now);
  const user = await findUserById(challenge.userId);
  if (!user) throw new ApiError('challenge_expired');
  const passwordHash = await hashPassword(body.newPassword);
  const spent = () => new ApiError('challenge_expired');

  const [policy, factors] = await Promise.all([policyFor(user), listFactors(user.userId)]);
  const active = factors.filter((factor) => factor.status === 'active');
  if (active.length > 0) {
    // A reset never gets around MFA (OWASP ASVS 5.0 6.4.3): the code buys an MFA step, and the
    // new password takes effect only when that step succeeds. Abandoned, the old one stays.
    // Factors of types the policy no longer allows are not offered: a recovery code still is.
    const step = loginStep(policy, active, now);
    const { mfaToken, expiresIn } = await createPendingLogin(user, {
      reset: { passwordHash },
      items: [consumeChallenge(challenge, now)],
      conflict: spent,
    });
    const offered = (step.kind === 'mfa' ? step.factors : []).filter((f) => !secondToTheMailbox(f, user));
    return {
      status: 200,
      body: { status: 'mfa_required', mfaToken, expiresIn, factors: offered.map(publicFactor) },
    };
  }

  await transact(
    [
      consumeChallenge(challenge, now),
      // Conditional on "still no factor": one activated meanwhile would make this a way around it.
      ...passwordResetItems(user, passwordHash, context, now, { factorsSeen: 0 }),
    ],
    spent,
  );
  await afterPasswordReset(user, context);
  const changed = { ...user, passwordHash, authVersion: authVersionOf(user) + 1 };
  return { status: 200, body: await loginAnswer(changed, context) };
});
