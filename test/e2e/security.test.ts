import { describe, expect, it } from 'vitest';
import { call, emailsTo, logIn, PASSWORD, uniqueEmail } from '../support/api.ts';
import { account, enrollTotp } from '../support/mfa.ts';
import {
  appCodeNow,
  E2E,
  enrollTotpInUi,
  expectScreen,
  keepRecoveryCodes,
  listedFactors,
  nextEmailCode,
  open,
  PHONE,
  screenshot,
  seeEnrolled,
  signInInUi,
  signInWithApp,
  useBrowser,
  WAIT,
} from './support.ts';

/** Long enough for every password rule, and nothing like the old one. */
const NEW_PASSWORD = 'maple lantern drifts past seven quiet harbours';

const refresh = (refreshToken: string) => call('POST', '/v1/sessions/refresh', { body: { refreshToken } });

/** The "This wasn't me" link of the newest security email to `address` that has one. */
async function reportLink(address: string): Promise<string> {
  let link: string | undefined;
  await expect
    .poll(async () => {
      const texts = (await emailsTo(address)).map((message) => message.Body.text_part).reverse();
      link = texts
        .map((text) => /(https?:\/\/\S+#\/secure\?token=[A-Za-z0-9_-]{43})/.exec(text)?.[1])
        .find(Boolean);
      return link;
    }, WAIT)
    .toBeTruthy();
  return link as string;
}

describe('the demo client: sessions, password change and "This wasn\'t me"', E2E, () => {
  const browser = useBrowser();

  it('lists where the account is signed in, signs out one other session, then every other one', async () => {
    const user = await account();
    const other = await logIn(user.email);
    expect(other.body.status).toBe('authenticated');
    const { page, problems, close } = await open(browser());
    await signInInUi(page, user.email);
    await expectScreen(page, 'My account');

    // This browser, the sign-up's session and the API login.
    const sessions = page.getByTestId('session');
    await expect.poll(() => sessions.count(), WAIT).toBe(3);
    const mine = page.locator('[data-testid="session"][data-current="true"]');
    expect(await mine.count()).toBe(1);
    expect(await mine.getByTestId('this-device').textContent()).toBe('This device');
    expect(await mine.locator('strong').textContent()).toBe('Chrome on Linux');
    expect(await mine.getByTestId('end-session').count()).toBe(0);
    expect(await mine.getByTestId('session-meta').textContent()).toMatch(/signed in .* · password only/);
    expect(await page.locator('[data-testid="session"][data-current="false"]').count()).toBe(2);
    await screenshot(page, 'sessions');
    await page.setViewportSize(PHONE);
    await screenshot(page, 'sessions-phone');

    // "Sign out" on the API login's session: its refresh token stops working at once.
    const listed = await call('GET', '/v1/me/sessions', { token: other.body.accessToken });
    const otherId = listed.body.sessions.find((s: { current: boolean }) => s.current).id as string;
    await page
      .locator(`[data-testid="session"][data-session-id="${otherId}"]`)
      .getByTestId('end-session')
      .click();
    await expect
      .poll(() => page.getByTestId('status').textContent(), WAIT)
      .toContain('That session was signed out');
    expect(await sessions.count()).toBe(2);
    expect((await refresh(other.body.refreshToken)).status).toBe(401);
    expect((await refresh(user.refreshToken)).status).toBe(200);

    // "Sign out everywhere else": only this browser is left, and it goes on.
    const remaining = await logIn(user.email);
    await page.reload();
    await expectScreen(page, 'My account');
    await expect.poll(() => sessions.count(), WAIT).toBe(3);
    await page.getByTestId('end-other-sessions').click();
    await expect
      .poll(() => page.getByTestId('status').textContent(), WAIT)
      .toContain('Every other session was signed out');
    expect(await sessions.count()).toBe(1);
    expect(await page.getByTestId('end-other-sessions').count()).toBe(0);
    expect((await refresh(remaining.body.refreshToken)).status).toBe(401);
    await page.reload();
    await expectScreen(page, 'My account');
    expect(problems).toEqual([]);
    await close();
  });

  it('changes the password from My account with an authenticator app: a verification, then only the new password works', async () => {
    const user = await account();
    const { secret, recoveryCodes } = await enrollTotp(user);
    const { page, problems, close } = await open(browser());
    // A recovery code signs in, so the app's current code is still free for the change.
    await signInInUi(page, user.email);
    await expectScreen(page, 'Two-step verification');
    await page.getByTestId('use-recovery').click();
    await page.getByTestId('recovery-code').fill(recoveryCodes?.[0] ?? '');
    await page.getByTestId('recover-submit').click();
    await expectScreen(page, 'My account');

    await page.getByTestId('change-password').click();
    await expectScreen(page, 'Change your password');
    expect(await page.getByTestId('new-password').getAttribute('autocomplete')).toBe('new-password');
    expect(await page.getByTestId('proof-totp').isChecked()).toBe(true);
    expect(await page.getByTestId('proof-recovery').count()).toBe(1);
    await page.getByTestId('current-password').fill(PASSWORD);
    await page.getByTestId('new-password').fill('passwordpassword');
    await page.getByTestId('code').fill(await appCodeNow(secret));
    await page.getByTestId('password-change-submit').click();
    // A refused password is judged before the code: the code stays usable.
    await expect
      .poll(() => page.getByTestId('password-change-error').textContent(), WAIT)
      .toContain('too common or too easy to guess');

    await page.getByTestId('new-password').fill(NEW_PASSWORD);
    await screenshot(page, 'change-password');
    await page.setViewportSize(PHONE);
    await screenshot(page, 'change-password-phone');
    await page.getByTestId('password-change-submit').click();
    await expectScreen(page, 'My account');
    expect(await page.getByTestId('status').textContent()).toContain(
      'Your password was changed. Every other device was signed out',
    );
    expect(await page.getByTestId('events').textContent()).toContain('Password changed');

    // The old password fails, the new one leads to the second step; the other session is over.
    const old = await logIn(user.email, PASSWORD);
    expect(old.status).toBe(401);
    expect(old.body.error.code).toBe('invalid_credentials');
    const fresh = await logIn(user.email, NEW_PASSWORD);
    expect(fresh.status).toBe(200);
    expect(fresh.body.status).toBe('mfa_required');
    expect((await refresh(user.refreshToken)).status).toBe(401);
    // This browser's session made the change and goes on.
    await page.reload();
    await expectScreen(page, 'My account');
    expect(problems).toEqual([]);
    await close();
  });

  it('"This wasn\'t me" from a security email signs every device out, once', async () => {
    const user = await account();
    // A factor turned on is emailed to the owner, with the link.
    const { secret } = await enrollTotp(user);
    const link = await reportLink(user.email);
    expect(link.startsWith(`${new URL(link).origin}/#/secure?token=`)).toBe(true);

    // Opened in a browser that is signed in to the account.
    const { page, problems, close } = await open(browser());
    await signInWithApp(page, user.email, secret);
    await page.goto(link);
    await expectScreen(page, 'Secure your account');
    // The token left the address bar (and this history entry) at once.
    expect(page.url()).not.toContain('token=');
    expect(page.url()).toMatch(/#\/secure$/);
    expect(await page.getByTestId('secure-effects').textContent()).toContain('every device');
    await screenshot(page, 'secure-account');

    await page.getByTestId('secure-confirm').click();
    await expectScreen(page, 'Your account is secured');
    expect(await page.getByTestId('secure-next').textContent()).toContain('Forgot your password?');
    // This tab is signed out too, and so is every other session of the account.
    expect(await page.getByTestId('sign-out').count()).toBe(0);
    expect((await refresh(user.refreshToken)).status).toBe(401);
    await screenshot(page, 'secure-account-done');
    await page.getByTestId('secure-reset').click();
    await expectScreen(page, 'Reset your password');

    // The link works once.
    const again = await open(browser());
    await again.page.goto(link);
    await expectScreen(again.page, 'Secure your account');
    await again.page.getByTestId('secure-confirm').click();
    await expectScreen(again.page, 'This link no longer works');
    expect(await again.page.getByTestId('secure-spent').textContent()).toContain(
      'This link was already used or has expired',
    );
    expect([...problems, ...again.problems]).toEqual([]);
    await again.close();
    await close();
  });

  it('turns MFA on, adds a second factor at once (the page refreshed to aal 2), and confirms new recovery codes with an emailed code', async () => {
    const user = await account();
    const codes = uniqueEmail('e2e-codes');
    const { page, problems, close } = await open(browser());
    await signInInUi(page, user.email);
    await expectScreen(page, 'My account');
    expect(await page.getByTestId('signed-in-as').textContent()).toContain('with your password only');

    await page.getByTestId('add-totp').click();
    await enrollTotpInUi(page);
    await keepRecoveryCodes(page);
    await seeEnrolled(page);
    await expectScreen(page, 'My account');
    // Activating the factor raised this session to aal 2, and the page refreshed its tokens.
    expect(await page.getByTestId('signed-in-as').textContent()).toContain('with two-step verification');
    expect(
      await page
        .locator('[data-testid="session"][data-current="true"]')
        .getByTestId('session-meta')
        .textContent(),
    ).toContain('with two-step verification');

    // Minutes after proving a factor, adding another needs no code: straight to the new address's code.
    await page.getByTestId('add-email').click();
    await expectScreen(page, 'Add an email address');
    await page.getByTestId('password').fill(PASSWORD);
    await page.getByTestId('factor-email').fill(codes);
    await page.getByTestId('destination-step-submit').click();
    await expectScreen(page, 'Enter the code');
    await page.getByTestId('code').fill(await nextEmailCode(codes, 0));
    await page.getByTestId('activate-submit').click();
    await seeEnrolled(page, 'Email was added');
    await expectScreen(page, 'My account');
    expect((await listedFactors(page)).map((factor) => factor.type).sort()).toEqual(['email', 'totp']);

    // New recovery codes always ask: here a code emailed to the second factor.
    await page.getByTestId('regenerate-codes').click();
    await expectScreen(page, 'Create new recovery codes');
    await page.getByTestId('proof-email').check();
    await page.getByTestId('confirm-submit').click();
    await expect
      .poll(() => page.getByTestId('confirm-error').textContent(), WAIT)
      .toContain('Send a code first');
    await page.getByTestId('send-code').click();
    await expect.poll(() => page.getByTestId('code-sent').textContent(), WAIT).toContain('We sent a code to');
    await page.getByTestId('code').fill(await nextEmailCode(codes, 1));
    await screenshot(page, 'confirm-identity');
    await page.getByTestId('confirm-submit').click();
    await expectScreen(page, 'Your new recovery codes');
    await keepRecoveryCodes(page);
    await expectScreen(page, 'My account');
    expect(await page.getByTestId('status').textContent()).toContain('New recovery codes are active');
    expect(problems).toEqual([]);
    await close();
  });
});
