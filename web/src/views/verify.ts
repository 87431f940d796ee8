import { ApiError, api } from '../api.ts';
import {
  actionForm,
  at,
  button,
  codeInput,
  errorBox,
  field,
  h,
  recoveryCodeInput,
  resendButton,
  show,
  showError,
  uid,
} from '../dom.ts';
import { CLOCK_HINT, factorSummary } from '../messages.ts';
import type { CodeSent, Factor, Verification } from '../types.ts';

/** The part of a form that proves a current factor: what `verification` of API.md carries. */
export interface ProofChooser {
  element: HTMLElement;
  /** The verification as entered; throws (shown in the form's alert) while a code is still to be sent. */
  verification(): Verification;
  /** After a refusal: a texted or emailed code that is used up asks for a new one. */
  refused(error: unknown): void;
}

/** A code that cannot be tried again: only a new one (Send a new code) helps. */
const codeSpent = (error: unknown) =>
  error instanceof ApiError &&
  (error.code === 'challenge_expired' ||
    error.code === 'too_many_attempts' ||
    (error.code === 'code_invalid' && error.body.attemptsRemaining === 0));

/**
 * "Confirm with": a code from the app, a code sent to a phone or address (`/codes`), or a
 * recovery code. Goes inside a form (every button in it is `type="button"`); the form's
 * submit reads `verification()`. Used by "Confirm it is you" and by the password change.
 */
export function proofChooser(factors: Factor[], options: { onSent?: () => void } = {}): ProofChooser {
  const active = factors.filter((factor) => factor.status === 'active');
  const panel = h('div', { class: 'panel', 'data-testid': 'verify-panel' });
  type Choice = Factor | 'recovery';
  let current: Choice | undefined;
  let read: () => Verification | undefined = () => undefined;

  const render = (choice: Choice, error?: unknown) => {
    current = choice;
    if (choice === 'recovery') {
      const input = recoveryCodeInput();
      read = () => ({ recoveryCode: input.value.trim() });
      panel.replaceChildren(field('Recovery code', input, 'It is used up by this change.'));
      return;
    }
    if (choice.type === 'totp') {
      const input = codeInput('code');
      read = () => ({ factorId: choice.id, code: input.value });
      panel.replaceChildren(field('Code from your authenticator app', input, `Six digits. ${CLOCK_HINT}`));
      return;
    }
    read = () => undefined;
    const box = errorBox('send-error');
    if (error) showError(box, error);
    const send = codeSender(choice.id, box, 'send-code', (sent) => sentForm(choice, sent));
    if (error) send.textContent = 'Send a new code';
    panel.replaceChildren(
      h('p', {}, `We will send a 6-digit code to ${choice.destination}.`),
      h('div', { class: 'actions' }, send),
      box,
    );
  };

  const sentForm = (factor: Factor, sent: CodeSent) => {
    let challengeId = sent.challengeId;
    const input = codeInput('code');
    const note = h('p', { 'data-testid': 'code-sent' });
    const describeSent = (expiresAt: string) => {
      note.textContent = `We sent a code to ${factor.destination}. It works until ${at(expiresAt)}.`;
    };
    describeSent(sent.expiresAt);
    const { resend, resendError } = codeResender(factor.id, sent, (again) => {
      challengeId = again.challengeId;
      describeSent(again.expiresAt);
    });
    read = () => ({ challengeId, code: input.value });
    options.onSent?.();
    panel.replaceChildren(
      note,
      field(`Code sent to ${factor.destination}`, input, 'Six digits. You can paste it.'),
      resend.element,
      resendError,
    );
    input.focus();
  };

  const choices: Choice[] = [...active, 'recovery'];
  const picker = h(
    'fieldset',
    { class: 'choices' },
    h('legend', {}, 'Confirm with'),
    choices.map((choice, index) => {
      const radio = h('input', {
        type: 'radio',
        name: 'proof',
        id: uid('proof'),
        checked: index === 0,
        'data-testid': `proof-${choice === 'recovery' ? 'recovery' : choice.type}`,
        onchange: () => render(choice),
      });
      return h(
        'div',
        { class: 'check' },
        radio,
        h('label', { for: radio.id }, choice === 'recovery' ? 'A recovery code' : factorSummary(choice)),
      );
    }),
  );
  const first = choices[0];
  if (first) render(first);
  return {
    element: h('div', { class: 'proof' }, picker, panel),
    verification() {
      const verification = read();
      if (verification) return verification;
      throw new ApiError(0, {
        code: 'code_not_sent',
        message: 'Send a code first (“Send code”), then enter it.',
      });
    },
    refused(error) {
      if (current && current !== 'recovery' && current.type !== 'totp' && codeSpent(error))
        render(current, error);
    },
  };
}

/**
 * "Confirm it is you" before a sensitive change (remove a factor, new recovery codes, add a
 * factor once MFA is on): `act` gets the `verification` of API.md and performs the change.
 */
export function confirmIdentity(options: {
  title: string;
  explain: string;
  submit: string;
  factors: Factor[];
  act: (verification: Verification) => Promise<void>;
  cancel: () => void;
}): void {
  // A sent code makes the form's "Send a code first" stale.
  const proof = proofChooser(options.factors, { onSent: () => clearAlert(form) });
  const form = actionForm({
    testid: 'confirm',
    submit: options.submit,
    fields: [proof.element],
    after: [button('Cancel', options.cancel, { class: 'link', 'data-testid': 'cancel' })],
    action: () => options.act(proof.verification()),
    onError: (error, box) => {
      showError(box, error);
      proof.refused(error);
      return true;
    },
  });
  show(options.title, h('p', {}, options.explain), form);
}

/** Empties a form's own alert line (`<testid>-error` of actionForm). */
export function clearAlert(form: HTMLFormElement | undefined): void {
  const box = form?.querySelector(`[data-testid="${form.dataset.testid}-error"]`);
  if (box) box.textContent = '';
}

/** "Resend code" for a code sent by `/codes` to an active factor; reports each new challenge. */
export function codeResender(factorId: string, sent: CodeSent, onNew: (again: CodeSent) => void) {
  const resendError = errorBox('resend-error');
  const resend = resendButton('Resend code', async () => {
    resendError.textContent = '';
    try {
      const again = await api<CodeSent>('POST', `/v1/mfa/factors/${encodeURIComponent(factorId)}/codes`);
      onNew(again);
      resend.wait(again.resendAvailableAt);
    } catch (error) {
      showError(resendError, error);
      if (error instanceof ApiError && error.body.retryAfter)
        resend.wait(Date.now() + error.body.retryAfter * 1000);
    }
  });
  resend.wait(sent.resendAvailableAt);
  return { resend, resendError };
}

/** "Send code" for an active factor (`/codes`): errors go to `box`, and the button stays usable after one. */
export function codeSender(
  factorId: string,
  box: HTMLElement,
  testid: string,
  onSent: (sent: CodeSent) => void,
): HTMLButtonElement {
  const send = button(
    'Send code',
    async () => {
      send.disabled = true;
      box.textContent = '';
      try {
        const sent = await api<CodeSent>('POST', `/v1/mfa/factors/${encodeURIComponent(factorId)}/codes`);
        onSent(sent);
      } catch (error) {
        showError(box, error);
        send.disabled = false;
      }
    },
    { class: 'primary', 'data-testid': testid },
  );
  return send;
}
