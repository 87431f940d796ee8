import { api, deviceTokenFor, orgId, startEnrollment, startSession } from '../api.ts';
import { actionForm, emailInput, field, flash, h, newPasswordInput, passwordInput, show } from '../dom.ts';
import { PASSWORD_HINT } from '../messages.ts';
import { asPage, go } from '../nav.ts';
import type { LoginAnswer, Org, VerificationStarted } from '../types.ts';
import { challengeScreen } from './challenge.ts';
import { checkEmailScreen } from './email-code.ts';
import { enrollmentOffer } from './enroll.ts';
import { resetRequestScreen } from './password-reset.ts';

const value = (form: HTMLFormElement, name: string) =>
  (form.elements.namedItem(name) as HTMLInputElement).value;

/**
 * Every answer of `POST /v1/sessions` (and of the sign-up code and the password reset, which
 * answer the same): signed in (maybe with MFA suggested), an MFA challenge, enrollment the
 * organisation requires, or an address still to confirm with an emailed code.
 */
export async function afterPassword(
  answer: LoginAnswer,
  email: string,
  options: { newAccount?: boolean } = {},
): Promise<void> {
  if (answer.status === 'authenticated') {
    startSession(answer, email);
    // Seed 001: once the address is verified, the new account is asked to add extra protection.
    if (options.newAccount && !answer.mfa.enabled && !answer.mfa.suggested && !orgId())
      return enrollmentOffer({
        required: false,
        reason:
          'Your email address is confirmed and your account is ready. Add extra protection now: besides your password, you confirm it is you with your phone or an app when you sign in.',
      });
    if (answer.mfa.suggested) {
      // Offer only the types the organisation allows (the server refuses the others anyway).
      const id = orgId();
      const org = id
        ? await api<Org>('GET', `/v1/orgs/${encodeURIComponent(id)}`).catch(() => undefined)
        : undefined;
      return enrollmentOffer({ required: false, ...(org ? { allowed: org.policy.allowedFactorTypes } : {}) });
    }
    return go('/account');
  }
  if (answer.status === 'mfa_required') return challengeScreen(answer.mfaToken, answer.factors, email);
  if (answer.status === 'email_verification_required') return checkEmailScreen(email, answer, 'signin');
  startEnrollment(answer.enrollmentToken, email, answer.allowedFactorTypes);
  return enrollmentOffer({ required: true, allowed: answer.allowedFactorTypes });
}

export async function logIn(email: string, password: string): Promise<void> {
  const deviceToken = deviceTokenFor(email);
  const answer = await api<LoginAnswer>(
    'POST',
    '/v1/sessions',
    { email, password, ...(deviceToken ? { deviceToken } : {}) },
    { auth: false },
  );
  await afterPassword(answer, email);
}

export function signInScreen(notice?: string, prefill = ''): void {
  asPage('/login');
  const email = emailInput();
  email.value = prefill;
  const form = actionForm({
    testid: 'login',
    submit: 'Sign in',
    fields: [field('Email address', email), field('Password', passwordInput('current-password'))],
    action: (form) => logIn(value(form, 'email').trim(), value(form, 'password')),
  });
  // The address typed so far comes along to the reset screen.
  const forgot = h(
    'a',
    {
      href: '#/forgot',
      'data-testid': 'forgot-password',
      onclick: (event: Event) => {
        event.preventDefault();
        resetRequestScreen(email.value.trim());
      },
    },
    'Forgot your password?',
  );
  show(
    'Sign in',
    form,
    h('p', {}, forgot),
    h('p', {}, 'New here? ', h('a', { href: '#/signup', 'data-testid': 'to-signup' }, 'Create an account')),
  );
  if (notice) flash(notice);
}

/** The account exists once the address is confirmed with the emailed code (checkEmailScreen). */
export function signUpScreen(prefill = ''): void {
  asPage('/signup');
  const email = emailInput();
  email.value = prefill;
  const form = actionForm({
    testid: 'signup',
    submit: 'Create account',
    context: 'signup',
    fields: [
      field('Email address', email, 'We email a 6-digit code to it, to confirm it is yours.'),
      field('Password', newPasswordInput('password'), PASSWORD_HINT),
    ],
    action: async (form) => {
      const address = value(form, 'email').trim();
      const started = await api<VerificationStarted>(
        'POST',
        '/v1/users',
        { email: address, password: value(form, 'password') },
        { auth: false },
      );
      checkEmailScreen(address, started, 'signup');
    },
  });
  show(
    'Create an account',
    form,
    h('p', {}, 'Already have an account? ', h('a', { href: '#/login' }, 'Sign in')),
  );
}
