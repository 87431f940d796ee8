import { describe, expect, it } from 'vitest';
import { call, emailsTo, lastEmailCode, PASSWORD, uniqueEmail } from '../support/api.ts';
import { account, enrollTotp, otherThan } from '../support/mfa.ts';
import {
  appCodeNow,
  E2E,
  expectScreen,
  nextEmailCode,
  open,
  PHONE,
  screenshot,
  signInInUi,
  signOutInUi,
  skipOffer,
  startSignUpInUi,
  useBrowser,
  WAIT,
} from './support.ts';

/** Long enough for every password rule, and nothing like the old one. */
const NEW_PASSWORD = 'violet kettle under the orchard moon';

describe('the demo client: who owns an email address', E2E, () => {
  const browser = useBrowser();

  it('signs up with the emailed code: a wrong code says how many attempts are left, the right one signs in', async () => {
    const { page, problems, close } = await open(browser());
    const email = uniqueEmail('e2e-signup');
    await startSignUpInUi(page, email);
    // The resend countdown runs from the server's resendAvailableAt.
    expect(await page.getByTestId('resend').isDisabled()).toBe(true);
    expect(await page.getByTestId('resend-countdown').textContent()).toMatch(/new code in 0:[0-3]\d/);

    const code = await nextEmailCode(email, 0);
    await page.getByTestId('code').fill(otherThan(code));
    await page.getByTestId('verify-email-submit').click();
    await expect
      .poll(() => page.getByTestId('verify-email-error').textContent(), WAIT)
      .toBe('That code is not right. 4 attempts left.');
    await screenshot(page, 'signup-code');
    await page.setViewportSize(PHONE);
    await screenshot(page, 'signup-code-phone');

    // Pasted with a space, as people copy it from an email: the client keeps the digits.
    await page.getByTestId('code').fill(`${code.slice(0, 3)} ${code.slice(3)}`);
    expect(await page.getByTestId('code').inputValue()).toBe(code);
    await page.getByTestId('verify-email-submit').click();
    // Seed 001: the verified account is offered extra protection at once; Skip leads on.
    await expectScreen(page, 'Protect your account');
    expect(await page.getByTestId('status').textContent()).toContain('Your email address is confirmed.');
    await page.getByTestId('skip').click();
    await expectScreen(page, 'My account');
    expect(await page.getByTestId('signed-in-as').textContent()).toContain(email);
    expect(await page.getByTestId('events').textContent()).toContain('Account created');

    // Confirmed: from now on the password alone signs in.
    await signOutInUi(page);
    await signInInUi(page, email);
    await expectScreen(page, 'My account');
    expect(problems).toEqual([]);
    await close();
  });

  it('five wrong codes spend the sign-up code: "Start over" brings the form back, and a new code works', async () => {
    const { page, problems, close } = await open(browser());
    const email = uniqueEmail('e2e-spent');
    await startSignUpInUi(page, email);
    const code = await nextEmailCode(email, 0);
    for (let left = 4; left >= 1; left--) {
      await page.getByTestId('code').fill(otherThan(code));
      await page.getByTestId('verify-email-submit').click();
      await expect
        .poll(() => page.getByTestId('verify-email-error').textContent(), WAIT)
        .toBe(`That code is not right. ${left} ${left === 1 ? 'attempt' : 'attempts'} left.`);
    }
    await page.getByTestId('code').fill(otherThan(code));
    await page.getByTestId('verify-email-submit').click();
    // No attempts left, and a resend would not bring any back: only a new sign-up sends a new code.
    await expect
      .poll(() => page.getByTestId('code-spent').textContent(), WAIT)
      .toBe('That code is not right, and no attempts are left. Start over to get a new code.');
    expect(await page.getByTestId('code').count()).toBe(0);
    await page.getByTestId('start-over').click();
    await expectScreen(page, 'Create an account');
    expect(await page.getByTestId('email').inputValue()).toBe(email);
    await page.getByTestId('password').fill(PASSWORD);
    await page.getByTestId('signup-submit').click();
    await expectScreen(page, 'Check your email');
    await page.getByTestId('code').fill(await nextEmailCode(email, 1));
    await page.getByTestId('verify-email-submit').click();
    await expectScreen(page, 'Protect your account');
    expect(problems).toEqual([]);
    await close();
  });

  it('an account whose address is not confirmed yet gets the same code screen at sign-in', async () => {
    const email = uniqueEmail('e2e-unconfirmed');
    const started = await call('POST', '/v1/users', { body: { email, password: PASSWORD } });
    expect(started.status).toBe(202);
    const { page, problems, close } = await open(browser(), PHONE);
    await signInInUi(page, email);
    await expectScreen(page, 'Check your email');
    expect(await page.getByTestId('unconfirmed').textContent()).toContain('not confirmed yet');
    expect(await page.getByTestId('code-sent').textContent()).toContain(email);
    // Inside the resend cooldown the sign-in sends nothing new: the code of the sign-up works.
    await page.getByTestId('code').fill(await lastEmailCode(email));
    await page.getByTestId('verify-email-submit').click();
    // Confirming the address is what creates the account: the same offer as after sign-up.
    await skipOffer(page);
    expect(problems).toEqual([]);
    await close();
  });

  it('resets the password of a user with an authenticator app: the code, the new password, then the second step', async () => {
    const user = await account();
    const { secret } = await enrollTotp(user);
    const { page, problems, close } = await open(browser(), PHONE);

    // The address typed on the sign-in screen comes along.
    await expectScreen(page, 'Sign in');
    await page.getByTestId('email').fill(user.email);
    await page.getByTestId('forgot-password').click();
    await expectScreen(page, 'Reset your password');
    expect(await page.getByTestId('email').inputValue()).toBe(user.email);
    const before = (await emailsTo(user.email)).length;
    await page.getByTestId('reset-request-submit').click();

    await expectScreen(page, 'Choose a new password');
    expect(await page.getByTestId('code-sent').textContent()).toContain(user.email);
    const rules = (await page.getByTestId('reset-rules').textContent()) ?? '';
    expect(rules).toContain('the new password takes effect only after that step');
    expect(rules).toContain('every other device is signed out');
    expect(await page.getByTestId('new-password').getAttribute('autocomplete')).toBe('new-password');
    await page.getByTestId('code').fill(await nextEmailCode(user.email, before));
    await page.getByTestId('new-password').fill(NEW_PASSWORD);
    await screenshot(page, 'password-reset-phone');
    await page.getByTestId('reset-confirm-submit').click();

    await expectScreen(page, 'Two-step verification');
    expect(await page.getByTestId('reset-pending').textContent()).toContain(
      'Your new password takes effect only when this step succeeds',
    );
    // enrollTotp activated with the previous step's code: the current step is still free.
    await page.getByTestId('code').fill(await appCodeNow(secret));
    await screenshot(page, 'password-reset-mfa-phone');
    await page.getByTestId('verify-submit').click();
    await expectScreen(page, 'My account');
    expect(await page.getByTestId('status').textContent()).toContain(
      'Your new password is in force. Every other device was signed out.',
    );
    expect(await page.getByTestId('signed-in-as').textContent()).toContain('with two-step verification');
    expect(await page.getByTestId('events').textContent()).toContain('Password reset with an emailed code');
    // The session the account had before the reset is over.
    const refreshed = await call('POST', '/v1/sessions/refresh', {
      body: { refreshToken: user.refreshToken },
    });
    expect(refreshed.status).toBe(401);

    // The old password no longer signs in; the new one leads to the second step.
    await signOutInUi(page);
    await signInInUi(page, user.email, PASSWORD);
    await expect
      .poll(() => page.getByTestId('login-error').textContent(), WAIT)
      .toBe('The email address or password is incorrect.');
    await page.getByTestId('password').fill(NEW_PASSWORD);
    await page.getByTestId('login-submit').click();
    await expectScreen(page, 'Two-step verification');
    expect(await page.getByTestId('reset-pending').count()).toBe(0);
    expect(problems).toEqual([]);
    await close();
  });
});
