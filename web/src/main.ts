import { ApiError, api, endSession, orgId, restore, signedIn, whenSignedOut } from './api.ts';
import { button, h, onScreenChange, show } from './dom.ts';
import { describe } from './messages.ts';
import { currentPath, setRenderer } from './nav.ts';
import { accountScreen } from './views/account.ts';
import { signInScreen, signUpScreen } from './views/auth.ts';
import { orgScreen } from './views/org.ts';
import { resetRequestScreen } from './views/password-reset.ts';

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
window.addEventListener('hashchange', () => void render());

// A refresh token in this tab's sessionStorage (a reload) signs the person straight back in.
await restore();
if (signedIn() && (currentPath() === '/' || currentPath() === '/login'))
  history.replaceState(null, '', '#/account');
await render();
