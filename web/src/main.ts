import {
  ApiError,
  api,
  endSession,
  enrolling,
  orgId,
  restore,
  signedIn,
  whenEnrollmentRequired,
  whenSignedOut,
} from './api.ts';
import { button, h, onScreenChange, show } from './dom.ts';
import { describe } from './messages.ts';
import { currentPath, go, rerender, setRenderer } from './nav.ts';
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
    // Back into the enrollment an organisation requires: it is the only way on (no Skip).
    const enrollment = enrolling();
    if (enrollment) return enrollmentOffer({ required: true, allowed: enrollment });
    if (!signedIn()) {
      if (path === '/signup') return signUpScreen();
      if (path === '/forgot') return resetRequestScreen();
      return signInScreen();
    }
    // Signed in: Back to the sign-in or sign-up page shows the account, never those forms.
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
whenSignedOut((message) => signInScreen(message));
// A refresh found that the organisation now requires MFA and the user has none: the session
// ended, and the enrollment screens come at once (no Skip), as after such a login.
whenEnrollmentRequired((allowed) => enrollmentOffer({ required: true, allowed }));
// Back, Forward and an address typed in: popstate fires for each (hashchange would repeat it).
window.addEventListener('popstate', () => void rerender());
// In-app links go through the router even to the page already shown: "My account" inside a
// flow leaves the flow, "Organisation" on the organisation page reloads it.
document.addEventListener('click', (event) => {
  const link = (event.target as Element | null)?.closest?.('a[href^="#/"]');
  if (!link || event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  void go((link.getAttribute('href') ?? '#/').slice(1));
});

// A refresh token in this tab's sessionStorage (a reload) signs the person straight back in.
const restored = await restore();
if (restored !== 'enrollment' || isSecurePath(currentPath())) {
  if (signedIn() && (currentPath() === '/' || currentPath() === '/login'))
    history.replaceState(null, '', '#/account');
  await render();
}
