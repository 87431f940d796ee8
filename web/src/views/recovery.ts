import { email } from '../api.ts';
import { button, checkbox, flash, h, show } from '../dom.ts';
import { holdScreen } from '../nav.ts';

/**
 * Recovery codes, shown this once (after the first factor, or when regenerated). Continue stays
 * disabled until the person says they recorded them: afterwards nobody can show them again.
 */
export function recoveryCodesScreen(
  codes: string[],
  onContinue: () => Promise<void>,
  regenerated = false,
): void {
  const text = [
    `Recovery codes for ${email() || 'your account'} (Serverless MFA)`,
    `Created ${new Date().toISOString()}`,
    '',
    ...codes,
    '',
    'Each code works once. Keep them somewhere safe, apart from your phone.',
    '',
  ].join('\n');
  const list = h(
    'ol',
    { class: 'codes', 'data-testid': 'recovery-codes' },
    codes.map((code) => h('li', {}, h('code', {}, code))),
  );
  const copied = h('p', { class: 'hint', role: 'status', 'data-testid': 'copy-status' });

  const copy = button(
    'Copy codes',
    async () => {
      try {
        await navigator.clipboard.writeText(text);
        copied.textContent = 'Copied to the clipboard.';
      } catch {
        // No clipboard permission: select the codes so the person can copy them themselves.
        const range = document.createRange();
        range.selectNodeContents(list);
        getSelection()?.removeAllRanges();
        getSelection()?.addRange(range);
        copied.textContent = 'The codes are selected: copy them with Ctrl+C (⌘C on a Mac).';
      }
    },
    { 'data-testid': 'copy-codes' },
  );
  const download = button(
    'Download',
    () => {
      const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
      const link = h('a', { href: url, download: 'recovery-codes.txt', class: 'visually-hidden' });
      document.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
      copied.textContent = 'Saved as recovery-codes.txt.';
    },
    { 'data-testid': 'download-codes' },
  );

  const proceed = h(
    'button',
    { type: 'button', class: 'primary', disabled: true, 'data-testid': 'continue' },
    'Continue',
  );
  const recorded = checkbox('I have safely recorded these codes', { 'data-testid': 'codes-recorded' });
  recorded.input.addEventListener('change', () => {
    proceed.disabled = !recorded.input.checked;
  });
  proceed.addEventListener('click', async () => {
    proceed.disabled = true;
    await onContinue();
  });

  show(
    regenerated ? 'Your new recovery codes' : 'Save your recovery codes',
    h(
      'p',
      {},
      'If you lose your phone or cannot use your second step, sign in with one of these codes. Each code works once.',
    ),
    h(
      'p',
      { class: 'warning' },
      regenerated
        ? 'Your old recovery codes no longer work. These are shown only this once.'
        : 'They are shown only this once. Print them, download them, or keep them in a password manager.',
    ),
    list,
    h('div', { class: 'actions' }, copy, download),
    copied,
    h('div', { class: 'confirm' }, recorded.wrapper),
    h('div', { class: 'actions' }, proceed),
  );
  holdScreen(() => {
    if (recorded.input.checked) return false;
    flash('These codes are shown only this once: record them and tick the box before you leave this screen.');
    recorded.input.focus();
    return true;
  });
}
