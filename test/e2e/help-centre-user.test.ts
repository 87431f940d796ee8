import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { call, emailTexts, PASSWORD, uniqueEmail } from '../support/api.ts';
import { account, appCode, enrollTotp } from '../support/mfa.ts';
import {
  appCodeNow,
  E2E,
  enrollTotpInUi,
  expectScreen,
  focusedTestId,
  keepRecoveryCodes,
  nextEmailCode,
  open,
  PHONE,
  screenshot,
  seeEnrolled,
  signInInUi,
  signUpInUi,
  useBrowser,
  WAIT,
} from './support.ts';

/**
 * What the people of the five help-centre pages (../shared/seeds) meet, one test per item of
 * the issue "What the help-centre users meet" (items 1, 3, 5–7, 9–14 here; the organisation's
 * items in help-centre-org.test.ts). Each starts from a fresh account and checks what the person
 * sees; every screen reached through expectScreen also passes axe-core's WCAG 2.2 AA rules.
 */

describe('the demo client: what the help-centre users meet (their own account)', E2E, () => {
  const browser = useBrowser();

  it('item 1: an organisation created in this session is still there after a reload', async () => {
    const user = await account();
    const { page, problems, close } = await open(browser());
    await signInInUi(page, user.email);
    await expectScreen(page, 'My account');
    const name = `Reload ${randomUUID().slice(0, 8)}`;
    await page.getByTestId('org-name').fill(name);
    await page.getByTestId('create-org-submit').click();
    await expectScreen(page, name);

    await page.reload();
    await expectScreen(page, name);
    expect(page.url()).toMatch(/#\/org$/);
    expect(await page.getByTestId('nav-org').count()).toBe(1);
    await page.getByTestId('nav-account').click();
    await expectScreen(page, 'My account');
    expect(await page.locator('#org-title + p').textContent()).toContain(`You belong to ${name} as owner`);
    expect(await page.getByTestId('create-org').count()).toBe(0);
    await screenshot(page, 'item01-org-after-reload');
    expect(problems).toEqual([]);
    await close();
  });

  it('item 3: "My account" leaves a flow, and Back never shows a signed-in user the sign-in form', async () => {
    const user = await account();
    const { page, problems, close } = await open(browser());
    await signInInUi(page, user.email);
    await expectScreen(page, 'My account');

    await page.getByTestId('add-sms').click();
    await expectScreen(page, 'Add a phone');
    await page.getByTestId('nav-account').click();
    await expectScreen(page, 'My account');

    await page.getByTestId('add-email').click();
    await expectScreen(page, 'Add an email address');
    await page.goBack();
    await expectScreen(page, 'My account');
    // Further back is the sign-in page of before: a signed-in user is shown the account instead.
    for (let i = 0; i < 3; i++) {
      await page.goBack().catch(() => undefined);
      await expectScreen(page, 'My account');
      expect(await page.getByTestId('login').count()).toBe(0);
    }
    await page.goForward();
    await expectScreen(page, 'My account');
    await screenshot(page, 'item03-back-stays-signed-in');
    expect(problems).toEqual([]);
    await close();
  });

  it('item 5: two authenticator apps get names, one is renamed, and the sign-in picker and the email use the names', async () => {
    const user = await account();
    const { page, problems, close } = await open(browser());
    await signInInUi(page, user.email);
    await expectScreen(page, 'My account');

    await page.getByTestId('add-totp').click();
    await page.getByTestId('factor-name').fill('Old phone');
    const first = await enrollTotpInUi(page);
    await keepRecoveryCodes(page);
    expect(await seeEnrolled(page)).toContain('Old phone');
    await expectScreen(page, 'My account');
    // Right after the first factor, this session proved it minutes ago: no code asked again.
    await page.getByTestId('add-totp').click();
    await page.getByTestId('factor-name').fill('New phone');
    await enrollTotpInUi(page);
    await seeEnrolled(page, 'New phone was added');
    await expectScreen(page, 'My account');
    expect(await page.getByTestId('factor-label').allTextContents()).toEqual(['Old phone', 'New phone']);

    const before = (await emailTexts(user.email)).length;
    const old = page.locator('[data-testid="factor"]', { hasText: 'Old phone' });
    await old.getByTestId('rename-factor').click();
    await expectScreen(page, 'Rename Old phone');
    await page.getByTestId('factor-name').fill('Work iPhone');
    // This session proved a factor minutes ago (the activation): the step-up asks for nothing.
    await page.getByTestId('rename-submit').click();
    await expectScreen(page, 'My account');
    expect(await page.getByTestId('status').textContent()).toContain('Old phone is now called Work iPhone');
    expect(await page.getByTestId('factor-label').allTextContents()).toEqual(['Work iPhone', 'New phone']);
    await expect
      .poll(async () => (await emailTexts(user.email)).slice(before).join('\n'), WAIT)
      .toMatch(/renamed[\s\S]*Old phone[\s\S]*Work iPhone/);

    await page.getByTestId('sign-out').click();
    await signInInUi(page, user.email);
    await expectScreen(page, 'Two-step verification');
    const options = await page.getByTestId('factor-picker').locator('label').allTextContents();
    expect(options).toEqual(['Work iPhone: authenticator app', 'New phone: authenticator app']);
    await screenshot(page, 'item05-named-factors-picker');
    await page.getByTestId('code').fill(await appCodeNow(first));
    await page.getByTestId('verify-submit').click();
    await expectScreen(page, 'My account');
    expect(problems).toEqual([]);
    await close();
  });

  it('item 6: a changed address shows the old and the new one differently, on the page and in the email', async () => {
    const user = await account();
    const tag = randomUUID().slice(0, 8);
    const oldAddress = `c-${tag}-a@example.com`;
    const newAddress = `c-${tag}-z@example.com`;
    const { page, problems, close } = await open(browser());
    await signInInUi(page, user.email);
    await expectScreen(page, 'My account');
    await page.getByTestId('add-email').click();
    await page.getByTestId('password').fill(PASSWORD);
    await page.getByTestId('factor-email').fill(oldAddress);
    await page.getByTestId('destination-step-submit').click();
    await expectScreen(page, 'Enter the code');
    await page.getByTestId('code').fill(await nextEmailCode(oldAddress, 0));
    await page.getByTestId('activate-submit').click();
    await keepRecoveryCodes(page);
    await seeEnrolled(page);
    await expectScreen(page, 'My account');
    expect(await page.getByTestId('factor-destination').textContent()).toBe('c***a@example.com');

    await page.getByTestId('change-factor').click();
    await expectScreen(page, 'Change email address');
    await page.getByTestId('send-old-code').click();
    await page.getByTestId('old-code').fill(await nextEmailCode(oldAddress, 1));
    await page.getByTestId('old-code-step-submit').click();
    await expectScreen(page, 'Your new email address');
    await page.getByTestId('password').fill(PASSWORD);
    await page.getByTestId('factor-email').fill(newAddress);
    await page.getByTestId('destination-step-submit').click();
    await expectScreen(page, 'Enter the code');
    await page.getByTestId('code').fill(await nextEmailCode(newAddress, 0));
    await page.getByTestId('activate-submit').click();
    const changes = await seeEnrolled(page, 'Email address changed');
    expect(changes).toContain(
      'Sign-in codes now go only to c***z@example.com; c***a@example.com no longer gets them.',
    );
    await expectScreen(page, 'My account');
    expect(await page.getByTestId('factor-destination').textContent()).toBe('c***z@example.com');
    await expect
      .poll(async () => (await emailTexts(user.email)).join('\n'), WAIT)
      .toContain('from c***a@example.com to c***z@example.com');
    await screenshot(page, 'item06-masked-change');
    expect(problems).toEqual([]);
    await close();
  });

  it('item 7: a cancelled setup is listed as "Setup not finished" with Remove, and no email says a method was added', async () => {
    const user = await account();
    const { page, problems, close } = await open(browser());
    await signInInUi(page, user.email);
    await expectScreen(page, 'My account');
    const before = (await emailTexts(user.email)).length;
    await page.getByTestId('add-totp').click();
    await page.getByTestId('password').fill(PASSWORD);
    await page.getByTestId('password-step-submit').click();
    await expectScreen(page, 'Scan the QR code');
    await page.getByTestId('cancel').click();
    await expectScreen(page, 'My account');

    expect(await page.getByTestId('factor-list').count()).toBe(0);
    expect(await page.getByTestId('mfa-status').textContent()).toContain('Off');
    const unfinished = page.getByTestId('unfinished');
    expect(await unfinished.textContent()).toContain('Setup not finished');
    expect(await unfinished.getByTestId('setup-unfinished').count()).toBe(1);
    await screenshot(page, 'item07-setup-not-finished');
    await unfinished.getByTestId('remove-factor').click();
    await expect.poll(() => page.getByTestId('status').textContent(), WAIT).toContain('unfinished setup');
    expect(await page.getByTestId('unfinished').count()).toBe(0);
    // Nothing was added that could sign in: no "a sign-in method was added" email, before or after.
    await new Promise((done) => setTimeout(done, 500));
    expect((await emailTexts(user.email)).slice(before).join('\n')).not.toMatch(/sign-in method/);
    expect(problems).toEqual([]);
    await close();
  });

  it('item 9: the phone country list is exactly what the service texts, the browser’s country first', async () => {
    const user = await account();
    const config = await call('GET', '/v1/config');
    expect(config.status).toBe(200);
    const allowed: string[] = config.body.smsCountries;
    const { page, problems, close } = await open(browser());
    await signInInUi(page, user.email);
    await expectScreen(page, 'My account');
    await page.getByTestId('add-sms').click();
    await expectScreen(page, 'Add a phone');
    const codes = await page
      .getByTestId('country')
      .locator('option')
      .evaluateAll((options) => options.map((option) => option.getAttribute('value') ?? ''));
    expect([...codes].sort()).toEqual([...allowed].sort());
    expect(codes).not.toContain('PL');
    // The browser says en-GB: the United Kingdom comes first, and is chosen.
    expect(codes[0]).toBe('GB');
    expect(await page.getByTestId('country').inputValue()).toBe('GB');
    expect(await page.getByTestId('country').locator('option').first().textContent()).toBe(
      'United Kingdom (+44)',
    );
    await screenshot(page, 'item09-allowed-countries');
    expect(problems).toEqual([]);
    await close();
  });

  it('item 10: the focus ring has 3:1 contrast, and a refused submit puts the focus on the error', async () => {
    const { page, problems, close } = await open(browser());
    await expectScreen(page, 'Sign in');
    await page.getByTestId('email').focus();
    await page.keyboard.press('Tab');
    // WCAG's contrast ratio between the ring and the card it sits on, computed in the page.
    const ratio = (await page.evaluate(`(() => {
      const rgb = (color) => (color.match(/\\d+(\\.\\d+)?/g) || []).slice(0, 3).map(Number);
      const channel = (v) => { const s = v / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4; };
      const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
      const focused = document.activeElement;
      const ring = getComputedStyle(focused).outlineColor;
      let behind = focused.parentElement;
      while (behind && getComputedStyle(behind).backgroundColor === 'rgba(0, 0, 0, 0)') behind = behind.parentElement;
      const background = getComputedStyle(behind || document.body).backgroundColor;
      const [a, b] = [luminance(rgb(ring)), luminance(rgb(background))].sort((x, y) => y - x);
      return (a + 0.05) / (b + 0.05);
    })()`)) as number;
    expect(ratio).toBeGreaterThanOrEqual(3);

    await page.getByTestId('email').fill(uniqueEmail('nobody'));
    await page.getByTestId('password').fill('not the password at all, surely');
    await page.getByTestId('login-submit').click();
    await expect.poll(() => page.getByTestId('login-error').textContent(), WAIT).toContain('incorrect');
    expect(await focusedTestId(page)).toBe('login-error');
    await screenshot(page, 'item10-error-focused');
    expect(problems).toEqual([]);
    await close();
  });

  it('item 11: the offer right after sign-up, then a banner that can be dismissed and comes back after 30 days', async () => {
    const email = uniqueEmail('e2e-offer');
    const { page, problems, close } = await open(browser(), PHONE);
    await signUpInUi(page, email);
    await expectScreen(page, 'Protect your account');
    expect(await page.getByTestId('enroll-reason').textContent()).toContain(
      'Your email address is confirmed',
    );
    await screenshot(page, 'item11-offer-after-signup-phone');
    await page.getByTestId('skip').click();
    await expectScreen(page, 'My account');

    const banner = page.getByTestId('mfa-banner');
    expect(await banner.textContent()).toContain('Protect your account with two-step verification');
    await page.getByTestId('banner-dismiss').click();
    expect(await banner.count()).toBe(0);
    await page.reload();
    await expectScreen(page, 'My account');
    expect(await page.getByTestId('mfa-banner').count()).toBe(0);

    // 31 days later (the dismissal's date moved back), the banner is there again.
    await page.evaluate(() => {
      for (const key of Object.keys(localStorage))
        if (key.startsWith('serverless-mfa.mfaBannerDismissed.'))
          localStorage.setItem(key, new Date(Date.now() - 31 * 86_400_000).toISOString());
    });
    await page.reload();
    await expectScreen(page, 'My account');
    expect(await page.getByTestId('mfa-banner').count()).toBe(1);
    await page.getByTestId('banner-setup').click();
    await expectScreen(page, 'Protect your account');
    expect(problems).toEqual([]);
    await close();
  });

  it('item 12: after enrolling, a screen says what changed and that a confirmation email was sent', async () => {
    const user = await account();
    const { page, problems, close } = await open(browser());
    await signInInUi(page, user.email);
    await expectScreen(page, 'My account');
    await page.getByTestId('add-totp').click();
    await enrollTotpInUi(page);
    // Shown only this once: Back does not leave the recovery codes before they are recorded.
    await expectScreen(page, 'Save your recovery codes');
    await page.goBack();
    await expectScreen(page, 'Save your recovery codes');
    expect(await page.getByTestId('status').textContent()).toContain('These codes are shown only this once');
    expect(await focusedTestId(page)).toBe('codes-recorded');
    await keepRecoveryCodes(page);
    await expectScreen(page, 'Two-step verification is on');
    const changes = (await page.getByTestId('enrolled-changes').textContent()) ?? '';
    expect(changes).toContain('you enter your password and then confirm it is you with an authenticator app');
    expect(changes).toContain(`We sent a confirmation email to ${user.email}.`);
    await screenshot(page, 'item12-enrolled');
    await expect
      .poll(async () => (await emailTexts(user.email)).join('\n'), WAIT)
      .toMatch(/sign-in method is now active/);
    await page.getByTestId('enrolled-continue').click();
    await expectScreen(page, 'My account');
    expect(await page.getByTestId('mfa-status').textContent()).toContain('On');
    expect(problems).toEqual([]);
    await close();
  });

  it("item 13: an app code from a phone whose clock is 3 minutes ahead says to fix the phone's clock", async () => {
    const user = await account();
    const { secret } = await enrollTotp(user);
    const { page, problems, close } = await open(browser());
    await signInInUi(page, user.email);
    await expectScreen(page, 'Two-step verification');
    expect(await page.locator('.hint', { hasText: 'date and time automatically' }).count()).toBe(1);
    await page.getByTestId('code').fill(appCode(secret, new Date(Date.now() + 180_000)));
    await page.getByTestId('verify-submit').click();
    await expect
      .poll(() => page.getByTestId('verify-error').textContent(), WAIT)
      .toMatch(/Your phone’s clock seems about 3 minutes ahead: turn on automatic date and time/);
    expect(await page.getByTestId('verify-error').textContent()).toMatch(/\d attempts? left/);
    await screenshot(page, 'item13-clock-ahead');
    await page.getByTestId('code').fill(await appCodeNow(secret));
    await page.getByTestId('verify-submit').click();
    await expectScreen(page, 'My account');
    expect(problems).toEqual([]);
    await close();
  });

  it('item 14: on a phone, "Open in authenticator app" carries the otpauth:// link; on a desktop it is not shown', async () => {
    const user = await account();
    const { page, problems, close } = await open(browser(), PHONE);
    await signInInUi(page, user.email);
    await expectScreen(page, 'My account');
    await page.getByTestId('add-totp').click();
    await page.getByTestId('password').fill(PASSWORD);
    await page.getByTestId('password-step-submit').click();
    await expectScreen(page, 'Scan the QR code');
    const link = page.getByTestId('open-authenticator');
    expect(await link.isVisible()).toBe(true);
    const href = (await link.getAttribute('href')) ?? '';
    const secret = ((await page.getByTestId('totp-secret').textContent()) ?? '').replace(/\s/g, '');
    expect(href).toMatch(/^otpauth:\/\/totp\//);
    expect(new URL(href).searchParams.get('secret')).toBe(secret);
    await screenshot(page, 'item14-open-in-app-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await link.isVisible()).toBe(false);
    expect(problems).toEqual([]);
    await close();
  });
});
