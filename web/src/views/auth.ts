import { api, deviceTokenFor, orgId, startEnrollment, startSession } from '../api.ts';
import { actionForm, field, flash, h, passwordInput, show } from '../dom.ts';
import { go } from '../nav.ts';
import type { LoginAnswer, Org } from '../types.ts';
import { challengeScreen } from './challenge.ts';
import { enrollmentOffer } from './enroll.ts';

const emailInput = () =>
  h('input', {
    type: 'email',
    name: 'email',
    autocomplete: 'username',
    required: true,
    'data-testid': 'email',
  });

const value = (form: HTMLFormElement, name: string) =>
  (form.elements.namedItem(name) as HTMLInputElement).value;

/**
 * Every answer of `POST /v1/sessions`: signed in (maybe with MFA suggested), an MFA challenge,
 * or enrollment the organisation requires.
 */
export async function afterPassword(answer: LoginAnswer, email: string): Promise<void> {
  if (answer.status === 'authenticated') {
    startSession(answer, email);
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
  startEnrollment(answer.enrollmentToken, email);
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

export function signInScreen(notice?: string): void {
  const form = actionForm({
    testid: 'login',
    submit: 'Sign in',
    fields: [field('Email address', emailInput()), field('Password', passwordInput('current-password'))],
    action: (form) => logIn(value(form, 'email').trim(), value(form, 'password')),
  });
  show(
    'Sign in',
    form,
    h('p', {}, 'New here? ', h('a', { href: '#/signup', 'data-testid': 'to-signup' }, 'Create an account')),
  );
  if (notice) flash(notice);
}

export function signUpScreen(): void {
  const form = actionForm({
    testid: 'signup',
    submit: 'Create account',
    context: 'signup',
    fields: [
      field('Email address', emailInput()),
      field(
        'Password',
        Object.assign(passwordInput('new-password'), { minLength: 12, maxLength: 128 }),
        '12 to 128 characters. A few unrelated words make a strong password that is easy to type.',
      ),
    ],
    action: async (form) => {
      const email = value(form, 'email').trim();
      const password = value(form, 'password');
      await api('POST', '/v1/users', { email, password }, { auth: false });
      await logIn(email, password);
    },
  });
  show(
    'Create an account',
    form,
    h('p', {}, 'Already have an account? ', h('a', { href: '#/login' }, 'Sign in')),
  );
}
