import { ApiError, api, forgetSession, signedIn } from '../api.ts';
import { button, errorBox, h, show, showError } from '../dom.ts';
import { go } from '../nav.ts';

/** `#/secure?token=…`, the "This wasn't me" link of every security email, and `#/secure` once read. */
export const isSecurePath = (path: string): boolean => path === '/secure' || path.startsWith('/secure?');

// The token, once read from the address: kept here only, never in the URL or the history.
let pending: string | undefined;

/**
 * "Secure your account": says what one click does, then `POST /v1/security-reports` (no
 * sign-in: the owner may be locked out of their own sessions). The token leaves the address
 * bar and the history entry at once (replaceState): a link that signs every device out is not
 * left lying around in the browser. A reload after that finds no token: the email's link,
 * unused, still works.
 */
export function secureScreen(path: string): void {
  const query = path.includes('?') ? path.slice(path.indexOf('?') + 1) : '';
  const fromLink = new URLSearchParams(query).get('token');
  if (fromLink !== null) {
    pending = fromLink;
    history.replaceState(null, '', '#/secure');
  }
  const token = pending;
  if (!token || !/^[A-Za-z0-9_-]{16,128}$/.test(token)) {
    pending = undefined;
    incomplete();
    return;
  }

  const box = errorBox('secure-error');
  const confirm = button(
    'Secure my account',
    async () => {
      confirm.disabled = true;
      box.textContent = '';
      try {
        await api('POST', '/v1/security-reports', { token }, { auth: false });
        pending = undefined;
        // Every session of the account was ended, this tab's too if it is the same account.
        await forgetSession();
        secured();
      } catch (error) {
        if (error instanceof ApiError && error.code === 'challenge_expired') {
          pending = undefined;
          return spent();
        }
        confirm.disabled = false;
        showError(box, error);
      }
    },
    { class: 'primary danger', 'data-testid': 'secure-confirm' },
  );
  show(
    'Secure your account',
    h(
      'p',
      {},
      'You followed the “This wasn’t you?” link of one of our security emails. If something happened to your account that you did not do, secure it now:',
    ),
    h(
      'ul',
      { 'data-testid': 'secure-effects' },
      h('li', {}, 'every device and app signed in to your account is signed out, this browser too;'),
      h('li', {}, 'remembered devices are forgotten: each must do two-step verification again;'),
      h('li', {}, 'you get an email confirming it. The link works once.'),
    ),
    h('p', {}, 'Your password and sign-in methods stay as they are: we tell you next how to change them.'),
    box,
    h(
      'div',
      { class: 'actions' },
      confirm,
      button('Not now', () => void go(signedIn() ? '/account' : '/login'), {
        class: 'link',
        'data-testid': 'secure-cancel',
      }),
    ),
  );
}

/** What to do next: whoever did it may know the password, and may have added a factor. */
function secured(): void {
  show(
    'Your account is secured',
    h(
      'p',
      { 'data-testid': 'secured' },
      'Every device was signed out and remembered devices were forgotten. We emailed you a confirmation.',
    ),
    h('h2', {}, 'What to do next'),
    h(
      'ol',
      { 'data-testid': 'secure-next' },
      h(
        'li',
        {},
        'Reset your password: on the sign-in screen choose “Forgot your password?”. Someone else may know your current one.',
      ),
      h(
        'li',
        {},
        'Sign in and review your sign-in methods on My account: remove any phone, address or authenticator app you do not recognise, and create new recovery codes.',
      ),
      h('li', {}, 'If your account belongs to an organisation, tell its administrator.'),
    ),
    h(
      'div',
      { class: 'actions' },
      h('a', { href: '#/forgot', class: 'button-link', 'data-testid': 'secure-reset' }, 'Reset my password'),
      h('a', { href: '#/login', 'data-testid': 'secure-sign-in' }, 'Sign in'),
    ),
  );
}

function spent(): void {
  show(
    'This link no longer works',
    h(
      'p',
      { role: 'alert', 'data-testid': 'secure-spent' },
      'This link was already used or has expired. Each “This wasn’t you?” link works once.',
    ),
    nextSteps(),
  );
}

function incomplete(): void {
  show(
    'Secure your account',
    h(
      'p',
      { role: 'alert', 'data-testid': 'secure-incomplete' },
      'This link is incomplete. Open the “This wasn’t you?” link from the security email again (copy all of it if you paste it).',
    ),
    nextSteps(),
  );
}

const nextSteps = () => [
  h(
    'p',
    {},
    'If you still see activity you do not recognise, reset your password with “Forgot your password?”, then review your sign-in methods.',
  ),
  h(
    'div',
    { class: 'actions' },
    h('a', { href: '#/forgot', class: 'button-link', 'data-testid': 'secure-reset' }, 'Reset my password'),
    h('a', { href: '#/login' }, 'Sign in'),
  ),
];
