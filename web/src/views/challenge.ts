import { ApiError, api, forgetDevice, rememberDevice, startSession } from '../api.ts';
import {
  actionForm,
  at,
  button,
  checkbox,
  codeInput,
  errorBox,
  field,
  flash,
  h,
  recoveryCodeInput,
  resendButton,
  show,
  showError,
  uid,
} from '../dom.ts';
import { CLOCK_HINT, factorSummary } from '../messages.ts';
import { go } from '../nav.ts';
import type { Authenticated, ChallengeCreated, Factor } from '../types.ts';
import { signInScreen } from './auth.ts';

/**
 * The second step of a login: pick a factor when there are several, get a code (SMS/email)
 * or read it from the app (TOTP), optionally remember this device; or use a recovery code.
 *
 * `reset`: the step that completes a password reset (its `mfaToken` came from the reset's
 * confirm). The new password takes effect only when this step succeeds; abandoned, the old
 * one stays. Its factors may be empty (the organisation allows none of the user's types any
 * more): then a recovery code is the only way on.
 */
export function challengeScreen(
  mfaToken: string,
  factors: Factor[],
  email: string,
  options: { reset?: boolean } = {},
): void {
  const panel = h('div', { class: 'panel', 'data-testid': 'challenge-panel' });
  let selected = factors[0];
  const reset = options.reset === true;

  const restart = (message: string) => signInScreen(message);

  /** Refusals that end this login attempt; true when handled. */
  const fatal = (error: unknown): boolean => {
    if (error instanceof ApiError && error.code === 'mfa_token_invalid') {
      restart(
        reset
          ? 'This password reset has expired or was already used, so your password was not changed. Ask for a new code to try again.'
          : 'This sign-in has expired or was already used. Sign in again.',
      );
      return true;
    }
    return false;
  };

  const done = async (answer: Authenticated, remember: boolean) => {
    startSession(answer, email);
    if (answer.deviceToken) rememberDevice(email, answer.deviceToken);
    // A reset forgot every device remembered before it: the stale token here is useless.
    else if (reset) forgetDevice(email);
    await go('/account');
    const notices: string[] = [];
    if (reset) notices.push('Your new password is in force. Every other device was signed out.');
    if (remember && !answer.deviceToken)
      notices.push(
        'Signed in. Your organisation does not allow remembering devices, so this one was not remembered.',
      );
    else if (answer.recoveryCodesRemaining !== undefined)
      notices.push(
        `Signed in with a recovery code. ${answer.recoveryCodesRemaining} recovery ${
          answer.recoveryCodesRemaining === 1 ? 'code' : 'codes'
        } left${answer.recoveryCodesRemaining <= 3 ? ': create new ones below' : ''}.`,
      );
    if (notices.length) flash(notices.join(' '));
  };

  const rememberBox = () => {
    const { wrapper, input } = checkbox('Remember this device', {
      name: 'remember',
      'data-testid': 'remember-device',
    });
    const hint = h(
      'p',
      { class: 'hint', id: uid('hint') },
      'On this browser your password will be enough for a while. You can revoke it in your security settings. Do not use on a shared computer.',
    );
    input.setAttribute('aria-describedby', hint.id);
    return { element: h('div', {}, wrapper, hint), input };
  };

  const codeForm = (factor: Factor, challengeId: string | undefined, after: Node[] = []) => {
    const input = codeInput('code');
    const remember = rememberBox();
    return actionForm({
      testid: 'verify',
      submit: 'Verify',
      fields: [
        field(
          factor.type === 'totp' ? 'Code from your authenticator app' : 'Code',
          input,
          factor.type === 'totp' ? `Six digits. ${CLOCK_HINT}` : 'Six digits. You can paste it.',
        ),
        remember.element,
      ],
      after,
      action: async () => {
        const answer = await api<Authenticated>(
          'POST',
          '/v1/mfa/verify',
          {
            mfaToken,
            ...(challengeId ? { challengeId } : { factorId: factor.id }),
            code: input.value,
            rememberDevice: remember.input.checked,
          },
          { auth: false },
        );
        await done(answer, remember.input.checked);
      },
      onError: (error, box) => {
        if (fatal(error)) return true;
        // The code is gone: a new one must be sent (a resend would be refused too).
        if (
          challengeId &&
          error instanceof ApiError &&
          (error.code === 'challenge_expired' ||
            error.code === 'too_many_attempts' ||
            (error.code === 'code_invalid' && error.body.attemptsRemaining === 0))
        ) {
          renderFactor(factor, error);
          return true;
        }
        showError(box, error);
        input.select();
        return true;
      },
    });
  };

  const sendCode = async (factor: Factor, box: HTMLElement) => {
    try {
      const sent = await api<ChallengeCreated>(
        'POST',
        '/v1/mfa/challenges',
        { mfaToken, factorId: factor.id },
        { auth: false },
      );
      renderSent(factor, sent);
    } catch (error) {
      if (!fatal(error)) showError(box, error);
    }
  };

  const renderSent = (factor: Factor, sent: ChallengeCreated) => {
    const expiry = h('p', { 'data-testid': 'code-sent' });
    const sentTo = factor.type === 'sms' ? 'by text message to' : 'by email to';
    const setExpiry = (expiresAt: string, again: boolean) => {
      expiry.textContent = `${again ? 'We sent a new code' : 'We sent a 6-digit code'} ${sentTo} ${
        sent.destination ?? factor.destination
      }. It works until ${at(expiresAt)}.`;
    };
    setExpiry(sent.expiresAt, false);
    const resendError = errorBox('resend-error');
    const resend = resendButton('Resend code', async () => {
      resendError.textContent = '';
      try {
        const again = await api<{ expiresAt: string; resendAvailableAt: string }>(
          'POST',
          `/v1/mfa/challenges/${encodeURIComponent(sent.challengeId)}/resend`,
          { mfaToken },
          { auth: false },
        );
        setExpiry(again.expiresAt, true);
        resend.wait(again.resendAvailableAt);
      } catch (error) {
        if (fatal(error)) return;
        if (
          error instanceof ApiError &&
          (error.code === 'challenge_expired' || error.code === 'too_many_attempts')
        )
          return renderFactor(factor, error);
        showError(resendError, error);
        if (error instanceof ApiError && error.body.retryAfter)
          resend.wait(Date.now() + error.body.retryAfter * 1000);
      }
    });
    resend.wait(sent.resendAvailableAt);
    panel.replaceChildren(expiry, codeForm(factor, sent.challengeId), resend.element, resendError);
    panel.querySelector<HTMLInputElement>('input[name="code"]')?.focus();
  };

  const renderFactor = (factor: Factor, error?: unknown) => {
    selected = factor;
    if (factor.type === 'totp') {
      panel.replaceChildren(
        h('p', {}, 'Open your authenticator app and enter the 6-digit code it shows for this account.'),
        codeForm(factor, undefined),
      );
      return;
    }
    const box = errorBox('send-error');
    if (error) showError(box, error);
    const send = button(
      error ? 'Send a new code' : 'Send code',
      async () => {
        send.disabled = true;
        box.textContent = '';
        await sendCode(factor, box);
        send.disabled = false;
      },
      { class: 'primary', 'data-testid': 'send-code' },
    );
    panel.replaceChildren(
      h(
        'p',
        {},
        factor.type === 'sms'
          ? `We will text a 6-digit code to ${factor.destination}.`
          : `We will email a 6-digit code to ${factor.destination}.`,
      ),
      h('div', { class: 'actions' }, send),
      box,
    );
  };

  const renderRecovery = () => {
    const input = recoveryCodeInput();
    panel.replaceChildren(
      actionForm({
        testid: 'recover',
        submit: 'Sign in',
        fields: [
          field(
            'Recovery code',
            input,
            'One of the codes you saved when you set up two-step verification, like 7K2D-M9QX-4TRW-H8CN. Each works once.',
          ),
        ],
        action: async () => {
          const answer = await api<Authenticated>(
            'POST',
            '/v1/mfa/recover',
            { mfaToken, recoveryCode: input.value.trim() },
            { auth: false },
          );
          await done(answer, false);
        },
        onError: fatal,
        after: factors.length
          ? [
              button('Use my second step instead', () => renderChoice(), {
                class: 'link',
                'data-testid': 'use-factor',
              }),
            ]
          : [],
      }),
    );
    picker?.setAttribute('hidden', '');
    useRecovery.hidden = true;
    input.focus();
  };

  const picker =
    factors.length > 1
      ? h(
          'fieldset',
          { class: 'choices', 'data-testid': 'factor-picker' },
          h('legend', {}, 'Choose how to verify'),
          factors.map((factor, index) => {
            const radio = h('input', {
              type: 'radio',
              name: 'factor',
              id: uid('factor'),
              value: factor.id,
              checked: index === 0,
              'data-testid': `factor-option-${factor.type}`,
              onchange: () => renderFactor(factor),
            });
            return h('div', { class: 'check' }, radio, h('label', { for: radio.id }, factorSummary(factor)));
          }),
        )
      : undefined;

  const useRecovery = button('Use a recovery code instead', renderRecovery, {
    class: 'link',
    'data-testid': 'use-recovery',
  });

  const renderChoice = () => {
    picker?.removeAttribute('hidden');
    useRecovery.hidden = false;
    if (selected) renderFactor(selected);
  };

  const intro = reset
    ? factors.length === 0
      ? 'Your code was right. Your organisation no longer allows the second steps you have, so confirm it is you with one of your recovery codes.'
      : `Your code was right. Now confirm it is you with ${factors.length > 1 ? 'one of your second steps' : 'your second step'}.`
    : factors.length > 1
      ? 'Your password was right. Now confirm it is you with one of your second steps.'
      : 'Your password was right. Now confirm it is you with your second step.';
  show(
    'Two-step verification',
    h('p', {}, intro),
    reset
      ? h(
          'p',
          { class: 'warning', 'data-testid': 'reset-pending' },
          'Your new password takes effect only when this step succeeds; until then your old password still works. Then every other device is signed out.',
        )
      : null,
    picker,
    panel,
    h(
      'div',
      { class: 'actions' },
      useRecovery,
      button(
        'Cancel',
        () =>
          restart(reset ? 'Password reset cancelled. Your old password still works.' : 'Sign-in cancelled.'),
        { class: 'link' },
      ),
    ),
  );
  if (selected) renderFactor(selected);
  // Nothing to pick: the recovery code is the way on.
  else renderRecovery();
}
