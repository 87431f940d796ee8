import { ApiError, api } from '../api.ts';
import {
  actionForm,
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
import { factorSummary } from '../messages.ts';
import type { CodeSent, Factor, Verification } from '../types.ts';

/**
 * "Confirm it is you" before a sensitive change (remove a factor, new recovery codes): a code
 * from the app, a code sent to a phone or address (`/codes`), or a recovery code. `act` gets
 * the `verification` of API.md and performs the change.
 */
export function confirmIdentity(options: {
  title: string;
  explain: string;
  submit: string;
  factors: Factor[];
  act: (verification: Verification) => Promise<void>;
  cancel: () => void;
}): void {
  const active = options.factors.filter((factor) => factor.status === 'active');
  const panel = h('div', { class: 'panel', 'data-testid': 'verify-panel' });
  type Choice = Factor | 'recovery';

  const proofForm = (fields: Node[], verification: () => Verification) =>
    actionForm({
      testid: 'confirm',
      submit: options.submit,
      fields,
      after: [button('Cancel', options.cancel, { class: 'link', 'data-testid': 'cancel' })],
      action: () => options.act(verification()),
    });

  const render = (choice: Choice) => {
    if (choice === 'recovery') {
      const input = recoveryCodeInput();
      panel.replaceChildren(
        proofForm([field('Recovery code', input, 'It is used up by this change.')], () => ({
          recoveryCode: input.value.trim(),
        })),
      );
      return;
    }
    if (choice.type === 'totp') {
      const input = codeInput('code');
      panel.replaceChildren(
        proofForm([field('Code from your authenticator app', input, 'Six digits.')], () => ({
          factorId: choice.id,
          code: input.value,
        })),
      );
      return;
    }
    const box = errorBox('send-error');
    const send = codeSender(choice.id, box, 'send-code', (sent) => sentForm(choice, sent));
    panel.replaceChildren(
      h('p', {}, `We will send a 6-digit code to ${choice.destination}.`),
      h('div', { class: 'actions' }, send),
      box,
    );
  };

  const sentForm = (factor: Factor, sent: CodeSent) => {
    let challengeId = sent.challengeId;
    const input = codeInput('code');
    const { resend, resendError } = codeResender(factor.id, sent, (again) => {
      challengeId = again.challengeId;
    });
    panel.replaceChildren(
      proofForm(
        [field(`Code sent to ${factor.destination}`, input, 'Six digits. You can paste it.')],
        () => ({
          challengeId,
          code: input.value,
        }),
      ),
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
  show(options.title, h('p', {}, options.explain), picker, panel);
  const first = choices[0];
  if (first) render(first);
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
