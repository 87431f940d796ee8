import { ApiError, api, serverNow } from '../api.ts';
import {
  actionForm,
  at,
  button,
  codeInput,
  errorBox,
  field,
  flash,
  h,
  resendButton,
  show,
  showError,
} from '../dom.ts';
import { describe } from '../messages.ts';
import type { LoginAnswer, VerificationStarted } from '../types.ts';
import { afterPassword, signInScreen, signUpScreen } from './auth.ts';

/**
 * A code the server will not take again: expired, replaced by a newer sign-up, or out of
 * attempts. A resend cannot revive it either (attempts are never reset, NIST SP 800-63B-4
 * §3.1.3.2), so the way on is a new sign-up or sign-in, which sends a fresh code.
 */
export function codeSpent(error: unknown): error is ApiError {
  return (
    error instanceof ApiError &&
    (error.code === 'challenge_expired' ||
      error.code === 'too_many_attempts' ||
      (error.code === 'code_invalid' && error.body.attemptsRemaining === 0))
  );
}

/**
 * "Check your email": the code that confirms the address of a new account, after "Create
 * account" (`POST /v1/users`, the same 202 for every address) or when a sign-in answers
 * `email_verification_required`. Confirming signs the person in, as a password login does.
 */
export function checkEmailScreen(
  email: string,
  started: VerificationStarted,
  from: 'signup' | 'signin',
): void {
  const { verificationId } = started;
  const panel = h('div', { class: 'panel', 'data-testid': 'email-code-panel' });
  const sent = h('p', { 'data-testid': 'code-sent' });
  const setSent = (expiresAt: string, again: boolean) => {
    sent.textContent = `${again ? 'We sent a new 6-digit code' : 'We sent a 6-digit code'} to ${email}. It works until ${at(expiresAt)}.`;
  };
  setSent(started.expiresAt, false);

  const startOver = () => {
    if (from === 'signup') {
      signUpScreen(email);
    } else signInScreen('Sign in again to get a new code.', email);
  };

  /** The code is spent: say why, and offer the one way on. */
  const spent = (error: ApiError) => {
    const box = errorBox('code-spent');
    const again = button(from === 'signup' ? 'Start over' : 'Sign in again', startOver, {
      class: 'primary',
      'data-testid': 'start-over',
    });
    panel.replaceChildren(box, h('div', { class: 'actions' }, again));
    // Filled once on the page, so screen readers announce the alert.
    box.textContent = describe(error, 'signup');
    again.focus();
  };

  const input = codeInput('code');
  const form = actionForm({
    testid: 'verify-email',
    submit: 'Confirm',
    context: 'signup',
    fields: [field('Code from the email', input, 'Six digits. You can paste it.')],
    action: async () => {
      const answer = await api<LoginAnswer>(
        'POST',
        '/v1/users/verify',
        { verificationId, code: input.value },
        { auth: false },
      );
      await afterPassword(answer, email, { newAccount: true });
      flash('Your email address is confirmed.');
    },
    onError: (error, box) => {
      if (codeSpent(error)) spent(error);
      else {
        showError(box, error, 'signup');
        input.select();
      }
      return true;
    },
  });

  const resendError = errorBox('resend-error');
  const resend = resendButton('Resend code', async () => {
    resendError.textContent = '';
    try {
      const again = await api<{ expiresAt: string; resendAvailableAt: string }>(
        'POST',
        '/v1/users/verify/resend',
        { verificationId },
        { auth: false },
      );
      setSent(again.expiresAt, true);
      resend.wait(again.resendAvailableAt);
    } catch (error) {
      if (codeSpent(error)) return spent(error);
      showError(resendError, error, 'signup');
      // resend_too_soon and rate_limited say how long: the button waits that long.
      if (error instanceof ApiError && error.body.retryAfter)
        resend.wait(serverNow() + error.body.retryAfter * 1000);
    }
  });
  resend.wait(started.resendAvailableAt);
  panel.replaceChildren(form, resend.element, resendError);

  show(
    'Check your email',
    from === 'signin'
      ? h(
          'p',
          { 'data-testid': 'unconfirmed' },
          'Your password is right, but your email address is not confirmed yet. Confirm it with the code we emailed you, and you are signed in.',
        )
      : null,
    sent,
    panel,
    h(
      'p',
      { class: 'hint', 'data-testid': 'no-code' },
      'No email? Check your spam folder and the address above. ',
      from === 'signup'
        ? [
            'If this address already has an account, the email says so instead of giving a code: then ',
            h('a', { href: '#/login' }, 'sign in'),
            ' or ',
            h('a', { href: '#/forgot' }, 'reset your password'),
            '.',
          ]
        : ['After a few minutes, ask for a new code.'],
    ),
    from === 'signup'
      ? h('p', {}, h('a', { href: '#/signup', 'data-testid': 'other-address' }, 'Use another address'))
      : null,
  );
}
