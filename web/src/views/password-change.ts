import { ApiError, api, email, forgetDevice } from '../api.ts';
import { actionForm, button, field, h, newPasswordInput, passwordInput, show, showError } from '../dom.ts';
import { PASSWORD_HINT } from '../messages.ts';
import { go } from '../nav.ts';
import type { FactorList } from '../types.ts';
import { fromSettings } from './enroll.ts';
import { clearAlert, type ProofChooser, proofChooser } from './verify.ts';

/**
 * "Change your password" (`PUT /v1/me/password`): the current password, the new one and, when
 * the account has MFA, a proof of a current factor, all in one form. The server judges the new
 * password first, then the current one, then the proof, so a refused password spends no code.
 * Every other session ends and remembered devices must do two-step verification again.
 */
export function changePasswordScreen(list: FactorList): void {
  const current = Object.assign(passwordInput('current-password'), { name: 'currentPassword' });
  current.setAttribute('data-testid', 'current-password');
  const next = newPasswordInput('newPassword');
  // Tells password managers which account the new password belongs to.
  const username = h('input', {
    type: 'email',
    name: 'username',
    autocomplete: 'username',
    value: email(),
    readonly: true,
    hidden: true,
    tabindex: -1,
  });
  const onSent = () => clearAlert(form);
  let proof: ProofChooser | undefined = list.mfaEnabled ? proofChooser(list.factors, { onSent }) : undefined;
  const proofSlot = h(
    'div',
    {},
    proof
      ? [
          h('h2', {}, 'Confirm it is you'),
          h('p', { class: 'hint' }, 'You use two-step verification, so a password alone cannot change it.'),
          proof.element,
        ]
      : null,
  );
  const form = actionForm({
    testid: 'password-change',
    submit: 'Change password',
    fields: [
      username,
      field('Current password', current),
      field('New password', next, PASSWORD_HINT),
      proofSlot,
    ],
    after: [button('Cancel', () => void go('/account'), { class: 'link', 'data-testid': 'cancel' })],
    action: async () => {
      await api('PUT', '/v1/me/password', {
        currentPassword: current.value,
        newPassword: next.value,
        ...(proof ? { verification: proof.verification() } : {}),
      });
      // The server forgot this account's remembered devices with the old password.
      forgetDevice(email());
      await fromSettings.finish(
        'Your password was changed. Every other device was signed out, and remembered devices must do two-step verification again.',
      );
    },
    onError: (error, box) => {
      showError(box, error, 'password');
      if (!(error instanceof ApiError)) return true;
      if (error.code === 'invalid_credentials') current.select();
      else if (error.code === 'password_too_weak') next.select();
      else if (error.code === 'verification_required' && !proof) {
        // MFA was turned on meanwhile (another tab): ask for the proof now.
        void api<FactorList>('GET', '/v1/mfa/factors').then((fresh) => {
          proof = proofChooser(fresh.factors, { onSent });
          proofSlot.replaceChildren(h('h2', {}, 'Confirm it is you'), proof.element);
        });
      } else proof?.refused(error);
      return true;
    },
  });
  show(
    'Change your password',
    h(
      'p',
      {},
      'Your new password works at once. Every other device where you are signed in is signed out, and remembered devices must do two-step verification again. This browser stays signed in.',
    ),
    form,
  );
}
