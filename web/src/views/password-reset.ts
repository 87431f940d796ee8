import { ApiError, api, forgetDevice, serverNow } from '../api.ts';
import {
  actionForm,
  at,
  codeInput,
  emailInput,
  errorBox,
  field,
  flash,
  h,
  newPasswordInput,
  resendButton,
  show,
  showError,
} from '../dom.ts';
import { PASSWORD_HINT } from '../messages.ts';
import { asPage } from '../nav.ts';
import type { LoginAnswer, ResetStarted } from '../types.ts';
import { afterPassword } from './auth.ts';
import { challengeScreen } from './challenge.ts';
import { codeSpent } from './email-code.ts';

/**
 * The reset answer has no `resendAvailableAt` and there is no resend: "Send a new code" asks
 * for a new reset. This pause keeps a double click from spending the address's few reset
 * emails a day; the server's own cap still answers `rate_limited`.
 */
const NEW_CODE_PAUSE_MS = 30_000;

const requestReset = (email: string) =>
  api<ResetStarted>('POST', '/v1/password-resets', { email }, { auth: false });

/** "Forgot your password?": the address to email a code to. */
export function resetRequestScreen(prefill = ''): void {
  asPage('/forgot');
  const email = emailInput();
  email.value = prefill;
  const form = actionForm({
    testid: 'reset-request',
    submit: 'Email me a code',
    context: 'password-reset',
    fields: [field('Email address', email, 'The address you sign in with.')],
    action: async () => {
      const address = email.value.trim();
      resetConfirmScreen(address, await requestReset(address));
    },
  });
  show(
    'Reset your password',
    h('p', {}, 'We email a 6-digit code to the address of your account. With it you choose a new password.'),
    form,
    h('p', {}, h('a', { href: '#/login', 'data-testid': 'back-to-sign-in' }, 'Back to sign in')),
  );
}

/**
 * The emailed code and the new password. Without MFA the new password is in force at once;
 * with MFA the answer is `mfa_required` and it takes effect only once that step succeeds.
 * Either way every other session of the account ends.
 */
export function resetConfirmScreen(email: string, started: ResetStarted): void {
  let resetId = started.resetId;
  const sent = h('p', { 'data-testid': 'code-sent' });
  const setSent = (expiresAt: string, again: boolean) => {
    // The same answer for every address: the page cannot know (and must not say) whether it has an account.
    sent.textContent = `If ${email} belongs to an account, we emailed it ${again ? 'a new' : 'a'} 6-digit code. It works until ${at(expiresAt)}.`;
  };
  setSent(started.expiresAt, false);

  const code = codeInput('code');
  const password = newPasswordInput('newPassword');
  // Tells password managers which account the new password belongs to.
  const username = h('input', {
    type: 'email',
    name: 'username',
    autocomplete: 'username',
    value: email,
    readonly: true,
    hidden: true,
    tabindex: -1,
  });

  const form = actionForm({
    testid: 'reset-confirm',
    submit: 'Set new password',
    context: 'password-reset',
    fields: [
      username,
      field('Code from the email', code, 'Six digits. You can paste it.'),
      field('New password', password, PASSWORD_HINT),
    ],
    action: async () => {
      const answer = await api<LoginAnswer>(
        'POST',
        `/v1/password-resets/${encodeURIComponent(resetId)}/confirm`,
        { code: code.value, newPassword: password.value },
        { auth: false },
      );
      if (answer.status === 'mfa_required')
        return challengeScreen(answer.mfaToken, answer.factors, email, { reset: true });
      // The server forgot this account's remembered devices with the old password.
      forgetDevice(email);
      await afterPassword(answer, email);
      flash('Your password was changed. Every other device was signed out.');
    },
    onError: (error, box) => {
      showError(box, error, 'password-reset');
      if (codeSpent(error)) resend.wait(0);
      else if (error instanceof ApiError && error.code === 'code_invalid') code.select();
      return true;
    },
  });

  const resendError = errorBox('resend-error');
  const resend = resendButton(
    'Send a new code',
    async () => {
      resendError.textContent = '';
      try {
        const again = await requestReset(email);
        resetId = again.resetId;
        setSent(again.expiresAt, true);
        code.value = '';
        resend.wait(serverNow() + NEW_CODE_PAUSE_MS);
      } catch (error) {
        showError(resendError, error, 'password-reset');
        if (error instanceof ApiError && error.body.retryAfter)
          resend.wait(serverNow() + error.body.retryAfter * 1000);
      }
    },
    'resend',
  );
  resend.wait(serverNow() + NEW_CODE_PAUSE_MS);

  show(
    'Choose a new password',
    sent,
    h(
      'ul',
      { 'data-testid': 'reset-rules' },
      h(
        'li',
        {},
        'If you use two-step verification, you confirm it is you with your second step next: the new password takes effect only after that step. Until then your old password keeps working.',
      ),
      h(
        'li',
        {},
        'Once the new password is in force, every other device is signed out, and remembered devices must do two-step verification again.',
      ),
    ),
    h('div', { class: 'panel' }, form, resend.element, resendError),
    h(
      'p',
      { class: 'hint' },
      'No email? Check your spam folder and the address above. Only the newest code works.',
    ),
  );
}
