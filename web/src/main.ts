import {
  ApiError,
  api,
  endSession,
  orgId,
  restore,
  signedIn,
  whenEnrollmentRequired,
  whenSignedOut,
} from './api.ts';
import { button, h, onScreenChange, show } from './dom.ts';
import { describe } from './messages.ts';
import { currentPath, setRenderer } from './nav.ts';
import { accountScreen } from './views/account.ts';
import { signInScreen, signUpScreen } from './views/auth.ts';
import { enrollmentOffer } from './views/enroll.ts';
import { orgScreen } from './views/org.ts';
import { resetRequestScreen } from './views/password-reset.ts';
import { isSecurePath, secureScreen } from './views/secure.ts';

/**
 * The demo client: every screen a person sees when signing in with MFA, managing their
 * factors and running an organisation's MFA policy, on the API of API.md alone.
 */
const nav = document.getElementById('nav') as HTMLElement;

function renderNav(): void {
  if (!signedIn()) {
    nav.replaceChildren();
    return;
  }
  const path = currentPath();
  const link = (href: string, label: string, testid: string) =>
    h(
      'a',
      { href: `#${href}`, 'data-testid': testid, ...(path === href ? { 'aria-current': 'page' } : {}) },
      label,
    );
  nav.replaceChildren(
    link('/account', 'My account', 'nav-account'),
    orgId() ? link('/org', 'Organisation', 'nav-org') : '',
    button(
      'Sign out',
      async () => {
        await api('DELETE', '/v1/sessions/current').catch(() => undefined);
        endSession();
        history.pushState(null, '', '#/login');
        signInScreen('You are signed out.');
      },
      { class: 'link', 'data-testid': 'sign-out' },
    ),
  );
}

async function render(): Promise<void> {
  const path = currentPath();
  try {
    // "This wasn't me" from a security email: with or without a session in this tab.
    if (isSecurePath(path)) return secureScreen(path);
    if (path === '/signup') return signUpScreen();
    if (path === '/forgot') return resetRequestScreen();
    if (path === '/login' || !signedIn()) {
      if (path !== '/login') history.replaceState(null, '', '#/login');
      return signInScreen();
    }
    if (path === '/org') return await orgScreen();
    if (path !== '/account') history.replaceState(null, '', '#/account');
    return await accountScreen();
  } catch (error) {
    // A refused token already brought up the sign-in screen (whenSignedOut): leave it there.
    if (error instanceof ApiError && error.code === 'unauthorized' && !signedIn()) return;
    show(
      'Something went wrong',
      h('p', { role: 'alert', 'data-testid': 'page-error' }, describe(error)),
      button('Try again', () => void render(), { class: 'primary' }),
    );
  }
}

onScreenChange(renderNav);
setRenderer(render);
whenSignedOut((message) => {
  history.pushState(null, '', '#/login');
  signInScreen(message);
});
// A refresh found that the organisation now requires MFA and the user has none: the session
// ended, and the enrollment screens come at once (no Skip), as after such a login.
whenEnrollmentRequired((allowed) => enrollmentOffer({ required: true, allowed }));
window.addEventListener('hashchange', () => void render());

// A refresh token in this tab's sessionStorage (a reload) signs the person straight back in.
const restored = await restore();
if (restored !== 'enrollment' || isSecurePath(currentPath())) {
  if (signedIn() && (currentPath() === '/' || currentPath() === '/login'))
    history.replaceState(null, '', '#/account');
  await render();
}
