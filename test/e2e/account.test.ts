import { describe, expect, it } from 'vitest';
import { call, logIn, uniqueEmail } from '../support/api.ts';
import { account, enrollSms, enrollTotp, smsCount } from '../support/mfa.ts';
import {
  appCodeNow,
  E2E,
  enrollTotpInUi,
  expectScreen,
  keepRecoveryCodes,
  listedFactors,
  nextSmsCode,
  open,
  PHONE,
  screenshot,
  seeEnrolled,
  signInInUi,
  signOutInUi,
  signUpInUi,
  skipOffer,
  useBrowser,
  WAIT,
} from './support.ts';

/** Eight random digits: unique phone numbers keep parallel tests from reading each other's SMS. */
const digits = (count: number) => String(Math.floor(Math.random() * 10 ** count)).padStart(count, '0');

describe('the demo client: a person and their own factors', E2E, () => {
  const browser = useBrowser();

  it('signs up, enrolls an authenticator app from the QR screen and signs in with it', async () => {
    const { page, problems, close } = await open(browser());
    const email = uniqueEmail('e2e-totp');
    await signUpInUi(page, email);
    await skipOffer(page);
    await expect.poll(() => page.getByTestId('mfa-status').textContent(), WAIT).toContain('Off');

    await page.getByTestId('add-totp').click();
    await expectScreen(page, 'Add an authenticator app');
    const secret = await enrollTotpInUi(page);
    await keepRecoveryCodes(page);
    expect(await seeEnrolled(page)).toContain('confirm it is you with an authenticator app');
    await expectScreen(page, 'My account');
    expect(await listedFactors(page)).toEqual([{ type: 'totp', destination: null }]);
    await expect.poll(() => page.getByTestId('mfa-status').textContent(), WAIT).toContain('On');
    expect(await page.getByTestId('recovery-remaining').textContent()).toContain('10 recovery codes left');

    await signOutInUi(page);
    await signInInUi(page, email);
    await expectScreen(page, 'Two-step verification');
    // One factor: no picker, the code field straight away (TOTP sends nothing).
    expect(await page.getByTestId('factor-picker').count()).toBe(0);
    expect(await page.getByTestId('send-code').count()).toBe(0);
    await page.getByTestId('code').fill(await appCodeNow(secret));
    await page.getByTestId('verify-submit').click();
    await expectScreen(page, 'My account');
    expect(await page.getByTestId('signed-in-as').textContent()).toContain('with two-step verification');
    expect(await listedFactors(page)).toEqual([{ type: 'totp', destination: null }]);
    // The login's own events come from its session's stream record a moment later: the page reads them again.
    await expect
      .poll(() => page.getByTestId('events').textContent(), WAIT)
      .toContain('Second step passed (authenticator app)');
    await screenshot(page, 'totp-login');
    expect(problems).toEqual([]);
    await close();
  });

  it('enrolls a phone by country and national number, signs in with a texted code and remembers the device', async () => {
    const { page, problems, close } = await open(browser(), PHONE);
    const email = uniqueEmail('e2e-sms');
    // 06-1…5 and 06-8 are Dutch mobile ranges (06-6 is pagers, which are refused).
    const national = `06 1${digits(3)} ${digits(4)}`;
    const e164 = `+31${national.replace(/\s/g, '').slice(1)}`;
    await signUpInUi(page, email);
    await skipOffer(page);

    await page.getByTestId('add-sms').click();
    await expectScreen(page, 'Add a phone');
    await page.getByTestId('password').fill('correct horse battery staple');
    await page.getByTestId('country').selectOption('NL');
    await page.getByTestId('phone-number').fill(national);
    await page.getByTestId('destination-step-submit').click();
    await expectScreen(page, 'Enter the code');
    expect(await page.getByTestId('resend').isDisabled()).toBe(true);
    expect(await page.getByTestId('resend-countdown').textContent()).toMatch(/new code in 0:[0-3]\d/);
    await page.getByTestId('code').fill(await nextSmsCode(e164, 0));
    await page.getByTestId('activate-submit').click();
    await keepRecoveryCodes(page);
    await seeEnrolled(page);
    await expectScreen(page, 'My account');

    // Masked to its last four digits; the number itself is nowhere on the page.
    const masked = `+${'*'.repeat(e164.length - 5)}${e164.slice(-4)}`;
    expect(await listedFactors(page)).toEqual([{ type: 'sms', destination: masked }]);
    const text = (await page.locator('body').textContent()) ?? '';
    expect(text).not.toContain(e164);
    expect(text).not.toContain(e164.slice(3, -4));

    await signOutInUi(page);
    await signInInUi(page, email);
    await expectScreen(page, 'Two-step verification');
    const sent = await smsCount(e164);
    await page.getByTestId('send-code').click();
    await expect.poll(() => page.getByTestId('code-sent').textContent(), WAIT).toContain(masked);
    // The resend countdown runs from the server's resendAvailableAt.
    expect(await page.getByTestId('resend').isDisabled()).toBe(true);
    expect(await page.getByTestId('resend-countdown').textContent()).toMatch(/new code in 0:[0-3]\d/);
    await screenshot(page, 'sms-challenge-phone');
    const code = await nextSmsCode(e164, sent);
    // Pasted with a space, as people copy it from a message: the client keeps the digits.
    await page.getByTestId('code').fill(`${code.slice(0, 3)} ${code.slice(3)}`);
    expect(await page.getByTestId('code').inputValue()).toBe(code);
    await page.getByTestId('remember-device').check();
    await page.getByTestId('verify-submit').click();
    await expectScreen(page, 'My account');
    expect(await page.getByTestId('device').count()).toBe(1);

    // Remembered: the password alone signs in on this browser.
    await signOutInUi(page);
    await signInInUi(page, email);
    await expectScreen(page, 'My account');
    expect(await page.getByTestId('signed-in-as').textContent()).toContain('with two-step verification');
    await screenshot(page, 'sms-login-phone');
    expect(problems).toEqual([]);
    await close();
  });

  it('signs in with a recovery code after a wrong app code, and shows how many are left', async () => {
    const user = await account();
    const { secret, recoveryCodes } = await enrollTotp(user);
    const { page, problems, close } = await open(browser());
    await signInInUi(page, user.email);
    await expectScreen(page, 'Two-step verification');

    const wrong = String((Number(await appCodeNow(secret)) + 500_000) % 1_000_000).padStart(6, '0');
    await page.getByTestId('code').fill(wrong);
    await page.getByTestId('verify-submit').click();
    await expect
      .poll(() => page.getByTestId('verify-error').textContent(), WAIT)
      .toMatch(/not right\. \d+ attempts left/);

    await page.getByTestId('use-recovery').click();
    await page.getByTestId('recovery-code').fill(recoveryCodes?.[3] ?? '');
    await page.getByTestId('recover-submit').click();
    await expectScreen(page, 'My account');
    expect(await page.getByTestId('status').textContent()).toContain(
      'Signed in with a recovery code. 9 recovery codes left',
    );
    expect(await page.getByTestId('recovery-remaining').textContent()).toContain('9 recovery codes left');
    expect(await page.getByTestId('events').textContent()).toContain('Recovery code used');
    await screenshot(page, 'recovery-code');
    expect(problems).toEqual([]);
    await close();
  });

  it('changes the phone number: a code to the old number, then the new number and its code', async () => {
    const user = await account();
    const old = await enrollSms(user);
    const { page, problems, close } = await open(browser());
    await signInInUi(page, user.email);
    await expectScreen(page, 'Two-step verification');
    let sent = await smsCount(old.phone);
    await page.getByTestId('send-code').click();
    await page.getByTestId('code').fill(await nextSmsCode(old.phone, sent));
    await page.getByTestId('verify-submit').click();
    await expectScreen(page, 'My account');

    await page.getByTestId('change-factor').click();
    await expectScreen(page, 'Change phone number');
    sent = await smsCount(old.phone);
    await page.getByTestId('send-old-code').click();
    await page.getByTestId('old-code').fill(await nextSmsCode(old.phone, sent));
    await page.getByTestId('old-code-step-submit').click();

    await expectScreen(page, 'Your new phone number');
    const national = `0470 ${digits(2)} ${digits(2)} ${digits(2)}`;
    const e164 = `+32${national.replace(/\s/g, '').slice(1)}`;
    await page.getByTestId('password').fill('correct horse battery staple');
    await page.getByTestId('country').selectOption('BE');
    await page.getByTestId('phone-number').fill(national);
    await page.getByTestId('destination-step-submit').click();
    await expectScreen(page, 'Enter the code');
    await page.getByTestId('code').fill(await nextSmsCode(e164, 0));
    await page.getByTestId('activate-submit').click();

    const masked = `+${'*'.repeat(e164.length - 5)}${e164.slice(-4)}`;
    expect(await seeEnrolled(page, 'Phone number changed')).toContain(
      `Sign-in codes now go only to ${masked}`,
    );
    await expectScreen(page, 'My account');
    // The new number replaced the old one in the same write: one factor, no recovery codes re-issued.
    expect(await listedFactors(page)).toEqual([{ type: 'sms', destination: masked }]);
    expect(await page.getByTestId('recovery-remaining').textContent()).toContain('10 recovery codes left');
    expect(await page.getByTestId('events').textContent()).toContain('Phone number or email address changed');
    // Replacing a factor signed every other session out: the API's session of this account is over.
    const refreshed = await call('POST', '/v1/sessions/refresh', {
      body: { refreshToken: user.refreshToken },
    });
    expect(refreshed.status).toBe(401);
    // A new login offers exactly the new number.
    const login = await logIn(user.email);
    expect(login.body.status).toBe('mfa_required');
    expect(login.body.factors.map((f: { destination: string }) => f.destination)).toEqual([masked]);
    await screenshot(page, 'change-phone');
    expect(problems).toEqual([]);
    await close();
  });
});
