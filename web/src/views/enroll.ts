import { ApiError, api, email, endSession, refreshSession, signedIn, startSession } from '../api.ts';
import { smsCountries } from '../countries.ts';
import {
  actionForm,
  at,
  button,
  codeInput,
  errorBox,
  field,
  flash,
  h,
  labelInput,
  passwordInput,
  resendButton,
  show,
  showError,
} from '../dom.ts';
import { CLOCK_HINT, describe, factorKind, factorNames, factorSummary } from '../messages.ts';
import { go } from '../nav.ts';
import type {
  CodeSent,
  Factor,
  FactorActivated,
  FactorCreated,
  FactorList,
  FactorType,
  Verification,
} from '../types.ts';
import { FACTOR_TYPES } from '../types.ts';
import { signInScreen } from './auth.ts';
import { recoveryCodesScreen } from './recovery.ts';
import { codeResender, codeSender, confirmIdentity } from './verify.ts';

/** Where an enrollment returns to: the security settings, or the offer shown at login. */
export interface Flow {
  finish(message: string): Promise<void>;
  cancel(): void | Promise<void>;
}

export const fromSettings: Flow = {
  finish: async (message) => {
    await go('/account');
    if (message) flash(message);
  },
  cancel: () => go('/account'),
};

const value = (form: HTMLFormElement, name: string) =>
  (form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement).value;

/** `{ label }` when a name was typed: the server names the factor by its type otherwise. */
const labelOf = (form: HTMLFormElement): { label?: string } => {
  const label = value(form, 'label').trim();
  return label ? { label } : {};
};

/** Password re-entry; the hidden username tells password managers whose password it is. */
const reauth = () => [
  h('input', {
    type: 'text',
    name: 'username',
    autocomplete: 'username',
    value: email(),
    hidden: true,
    readonly: true,
  }),
  field('Your password', passwordInput()),
];

const cancelButton = (flow: Flow) =>
  button('Cancel', () => void flow.cancel(), { class: 'link', 'data-testid': 'cancel' });

/**
 * Login said `suggested` (optional policy: with Skip) or `mfa_enrollment_required` (required
 * policy: no Skip, only the types the organisation allows, with the enrollment token).
 */
export function enrollmentOffer(options: {
  required: boolean;
  allowed?: FactorType[];
  /** Where Skip (and a finished setup) lead; the account page unless said otherwise. */
  flow?: Flow;
  /** Why the offer is made now (after sign-up, on the organisation page). */
  reason?: string;
}): void {
  const allowed = options.allowed ?? FACTOR_TYPES;
  const back = options.flow ?? fromSettings;
  const flow: Flow = {
    finish: back.finish,
    cancel: () => enrollmentOffer(options),
  };
  const descriptions: Record<FactorType, string> = {
    totp: 'Recommended. Codes from an app such as Google Authenticator, Microsoft Authenticator or 1Password; works offline.',
    sms: 'Codes sent to your mobile phone by text message.',
    email: 'Codes sent to an email address.',
  };
  const choices = h(
    'ul',
    { class: 'options' },
    allowed.map((type) =>
      h(
        'li',
        {},
        button(
          `Set up ${factorNames[type].replace(/ \(SMS\)$/, '').toLowerCase()}`,
          () => enrollScreen(type, flow),
          {
            class: 'option',
            'data-testid': `choose-${type}`,
          },
        ),
        h('p', { class: 'hint' }, descriptions[type]),
      ),
    ),
  );
  show(
    options.required ? 'Set up two-step verification' : 'Protect your account',
    h(
      'p',
      { 'data-testid': 'enroll-reason' },
      options.reason ??
        (options.required
          ? 'Your organisation requires two-step verification. Choose a second way to confirm it is you; you need it to continue.'
          : 'Your organisation recommends two-step verification: besides your password, you confirm it is you with your phone or an app when you sign in.'),
    ),
    choices,
    h(
      'div',
      { class: 'actions' },
      options.required
        ? button(
            'Sign out',
            () => {
              endSession();
              signInScreen('Signed out. Two-step verification is needed before you can use your account.');
            },
            { class: 'link', 'data-testid': 'enroll-sign-out' },
          )
        : button('Skip for now', () => void back.cancel(), { class: 'link', 'data-testid': 'skip' }),
    ),
  );
}

/**
 * The first code turned the factor on. Forced enrollment answers full tokens (aal 2); in a full
 * session the server raised this session to aal 2, so a refresh brings a token that says so
 * (with a fresh `auth_time`: adding another factor right after needs no code). Then the
 * recovery codes of a first factor, shown even if the session is somehow over.
 */
async function activated(
  answer: FactorActivated,
  flow: Flow,
  message: string,
  replaced?: Factor,
): Promise<void> {
  if (answer.accessToken && answer.refreshToken) startSession(answer as Required<FactorActivated>, email());
  else if (signedIn() && (await refreshSession()) === 'enrollment') return;
  const first = Boolean(answer.recoveryCodes?.length);
  const next = signedIn()
    ? async () => enrolledScreen(answer.factor, { first, message, flow, ...(replaced ? { replaced } : {}) })
    : async () => signInScreen(`${message} Sign in again.`);
  if (answer.recoveryCodes?.length) return recoveryCodesScreen(answer.recoveryCodes, next);
  return next();
}

/**
 * What changed, said once on its own screen (seed 001): the new way to sign in, the email that
 * confirms it, and the other sessions that ended. Continue goes back where the setup began.
 */
function enrolledScreen(
  factor: Factor,
  options: { first: boolean; message: string; flow: Flow; replaced?: Factor },
): void {
  // "Work phone: text message to …" keeps its capital; "Authenticator app" reads in a sentence.
  const summary = factorSummary(factor);
  const kind = `${summary.charAt(0).toLowerCase()}${summary.slice(1)}`;
  const how = summary === factorKind(factor) ? `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind}` : summary;
  const proceed = button('Continue', () => void options.flow.finish(''), {
    class: 'primary',
    'data-testid': 'enrolled-continue',
  });
  show(
    options.replaced
      ? options.message
      : options.first
        ? 'Two-step verification is on'
        : `${factor.label} was added`,
    h(
      'ul',
      { class: 'done-list', 'data-testid': 'enrolled-changes' },
      options.replaced
        ? h(
            'li',
            {},
            `Sign-in codes now go only to ${factor.destination}; ${options.replaced.destination} no longer gets them.`,
          )
        : h(
            'li',
            {},
            options.first
              ? `From now on, when you sign in, you enter your password and then confirm it is you with ${how}.`
              : `You can now also confirm it is you with ${how}.`,
          ),
      options.first
        ? h('li', {}, 'Your recovery codes work if you ever cannot use it: keep them safe.')
        : null,
      h('li', {}, 'Every other browser or app signed in to your account was signed out.'),
      h('li', { 'data-testid': 'enrolled-email' }, `We sent a confirmation email to ${email()}.`),
    ),
    h('div', { class: 'actions' }, proceed),
  );
}

/**
 * `POST /v1/mfa/factors`. Once the user has MFA, adding a factor needs a proof of a current one
 * or a session that proved one in the last minutes (aal 2, fresh `auth_time`): the password
 * alone must not add a factor. On `verification_required` (the password was right) the page
 * asks "Confirm it is you" and sends the same request again with the `verification`.
 */
async function addFactor(
  body: Record<string, unknown>,
  what: string,
  flow: Flow,
  next: (created: FactorCreated) => void,
): Promise<void> {
  try {
    next(await api<FactorCreated>('POST', '/v1/mfa/factors', body));
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'verification_required') throw error;
    const { factors } = await api<FactorList>('GET', '/v1/mfa/factors');
    confirmIdentity({
      title: 'Confirm it is you',
      explain: `You already use two-step verification, so confirm it is you before adding ${what}.`,
      submit: 'Continue',
      factors,
      cancel: () => void flow.cancel(),
      act: async (verification) =>
        next(await api<FactorCreated>('POST', '/v1/mfa/factors', { ...body, verification })),
    });
  }
}

export function enrollScreen(type: FactorType, flow: Flow): void {
  if (type === 'totp') totpPassword(flow);
  // The country list comes from the service: if it cannot be read, say so where the person is.
  else void destinationForm(type, flow).catch((error) => flash(describe(error)));
}

function totpPassword(flow: Flow): void {
  show(
    'Add an authenticator app',
    h('p', {}, 'First, confirm your password.'),
    actionForm({
      testid: 'password-step',
      submit: 'Continue',
      context: 'password',
      fields: [
        ...reauth(),
        field(
          'Name',
          labelInput(),
          'Optional. Tells your apps apart, e.g. “Phone authenticator” or “1Password”.',
        ),
      ],
      after: [cancelButton(flow)],
      action: (form) =>
        addFactor(
          { type: 'totp', password: value(form, 'password'), ...labelOf(form) },
          'an authenticator app',
          flow,
          (created) => totpScan(created, flow),
        ),
    }),
  );
}

function totpScan(created: FactorCreated, flow: Flow): void {
  const secret = created.secret ?? '';
  const input = codeInput('code');
  const form = actionForm({
    testid: 'activate',
    submit: 'Turn on',
    context: 'totp-enroll',
    fields: [
      field('Code from the app', input, `Six digits. A new code appears every 30 seconds. ${CLOCK_HINT}`),
    ],
    after: [cancelButton(flow)],
    action: async () => {
      const answer = await api<FactorActivated>(
        'POST',
        `/v1/mfa/factors/${encodeURIComponent(created.factor.id)}/activate`,
        { code: input.value },
      );
      await activated(answer, flow, `${answer.factor.label} added.`);
    },
    onError: (error, box) => {
      showError(
        box,
        error,
        error instanceof ApiError && error.code === 'not_found' ? 'enroll' : 'totp-enroll',
      );
      if (
        error instanceof ApiError &&
        ['too_many_attempts', 'not_found', 'factor_not_pending'].includes(error.code)
      )
        box.append(
          ' ',
          button('Start again', () => totpPassword(flow), { class: 'link' }),
        );
      return true;
    },
  });
  show(
    'Scan the QR code',
    h(
      'ol',
      { class: 'steps' },
      h('li', {}, 'Open your authenticator app and add an account (often a “+” button).'),
      h(
        'li',
        {},
        'Scan this QR code with it:',
        h(
          'figure',
          { class: 'qr' },
          h('img', {
            src: created.qrCode ?? '',
            alt: 'QR code for your authenticator app',
            width: 220,
            height: 220,
            'data-testid': 'totp-qr',
          }),
          h(
            'figcaption',
            {},
            // On the phone itself there is nothing to scan: the app opens the otpauth:// link.
            created.otpauthUri
              ? h(
                  'p',
                  { class: 'phone-only' },
                  h(
                    'a',
                    { href: created.otpauthUri, class: 'button-link', 'data-testid': 'open-authenticator' },
                    'Open in authenticator app',
                  ),
                )
              : null,
            'Cannot scan it? Choose “enter a setup key” in the app and type this key (time-based):',
            h(
              'code',
              {
                class: 'secret',
                'data-testid': 'totp-secret',
                'aria-label': `Setup key: ${secret.split('').join(' ')}`,
              },
              secret.match(/.{1,4}/g)?.join(' ') ?? secret,
            ),
          ),
        ),
      ),
      h('li', {}, 'Enter the 6-digit code the app now shows:', form),
    ),
  );
}

async function countrySelect(): Promise<HTMLSelectElement> {
  const { countries, preferred } = await smsCountries();
  return h(
    'select',
    { name: 'country', autocomplete: 'tel-country-code', 'data-testid': 'country' },
    countries.map((country) =>
      h(
        'option',
        { value: country.code, selected: country.code === preferred },
        country.dial ? `${country.name} (${country.dial})` : country.name,
      ),
    ),
  );
}

/**
 * Password and the new phone number or email address; `replaces` + `verification` when it
 * changes an existing factor (the proof of the old one travels with this request).
 */
async function destinationForm(
  type: 'sms' | 'email',
  flow: Flow,
  change?: { old: Factor; verification: Verification; back: (error: unknown) => void },
): Promise<void> {
  const isSms = type === 'sms';
  const fields = isSms
    ? [
        field('Country', await countrySelect()),
        field(
          'Mobile number',
          h('input', {
            type: 'tel',
            name: 'phoneNumber',
            autocomplete: 'tel-national',
            inputmode: 'tel',
            required: true,
            'data-testid': 'phone-number',
          }),
          'The national number, like 06 12345678; or the full number starting with +.',
        ),
      ]
    : [
        field(
          'Email address for codes',
          h('input', {
            type: 'email',
            name: 'email',
            autocomplete: 'email',
            required: true,
            'data-testid': 'factor-email',
          }),
          'Your account address or another one you can read.',
        ),
      ];
  show(
    change
      ? isSms
        ? 'Your new phone number'
        : 'Your new email address'
      : isSms
        ? 'Add a phone'
        : 'Add an email address',
    h(
      'p',
      {},
      isSms
        ? 'We will text a 6-digit code to the number to check it. Standard message rates may apply.'
        : 'We will email a 6-digit code to the address to check it.',
    ),
    actionForm({
      testid: 'destination-step',
      submit: 'Send code',
      context: 'password',
      fields: [
        ...reauth(),
        ...fields,
        change
          ? null
          : field(
              'Name',
              labelInput(),
              isSms
                ? 'Optional, e.g. “Work phone”: tells your phones apart.'
                : 'Optional, e.g. “Personal email”.',
            ),
      ],
      after: [cancelButton(flow)],
      action: async (form) => {
        const body = {
          type,
          password: value(form, 'password'),
          ...(change ? {} : labelOf(form)),
          ...(isSms
            ? { phoneNumber: value(form, 'phoneNumber').trim(), country: value(form, 'country') }
            : { email: value(form, 'email').trim() }),
        };
        const next = (created: FactorCreated) =>
          codeStep(
            created,
            flow,
            change
              ? `${isSms ? 'Phone number' : 'Email address'} changed`
              : `${created.factor.label} ${created.factor.destination} added.`,
            change?.old,
          );
        // A change carries the proof of the old number or address; an addition may need one.
        if (change)
          next(
            await api<FactorCreated>('POST', '/v1/mfa/factors', {
              ...body,
              replaces: change.old.id,
              verification: change.verification,
            }),
          );
        else await addFactor(body, isSms ? 'a phone' : 'an email address', flow, next);
      },
      onError: (error, box) => {
        // The code for the old number/address was wrong or used up: back to that step.
        if (
          change &&
          error instanceof ApiError &&
          ['code_invalid', 'challenge_expired', 'verification_required', 'too_many_attempts'].includes(
            error.code,
          )
        ) {
          change.back(error);
          return true;
        }
        showError(box, error, 'password');
        return true;
      },
    }),
  );
}

/** The code sent to a pending SMS/email factor, with a resend countdown. */
function codeStep(created: FactorCreated, flow: Flow, message: string, replaced?: Factor): void {
  const factor = created.factor;
  let challengeId = created.challengeId ?? '';
  const sent = h('p', { 'data-testid': 'code-sent' });
  const describeSent = (expiresAt: string | undefined, again: boolean) => {
    sent.textContent = `${again ? 'We sent a new code' : 'We sent a 6-digit code'} to ${factor.destination}.${
      expiresAt ? ` It works until ${at(expiresAt)}.` : ''
    }`;
  };
  describeSent(created.expiresAt, false);
  const resendError = errorBox('resend-error');
  const resend = resendButton('Resend code', async () => {
    resendError.textContent = '';
    try {
      const again = await api<CodeSent>('POST', `/v1/mfa/factors/${encodeURIComponent(factor.id)}/resend`);
      challengeId = again.challengeId;
      describeSent(again.expiresAt, true);
      resend.wait(again.resendAvailableAt);
    } catch (error) {
      showError(resendError, error, 'enroll');
      if (error instanceof ApiError && error.body.retryAfter)
        resend.wait(Date.now() + error.body.retryAfter * 1000);
    }
  });
  if (created.resendAvailableAt) resend.wait(created.resendAvailableAt);
  const input = codeInput('code');
  show(
    'Enter the code',
    sent,
    actionForm({
      testid: 'activate',
      submit: 'Confirm',
      fields: [field('Code', input, 'Six digits. You can paste it.')],
      after: [cancelButton(flow)],
      action: async () => {
        const answer = await api<FactorActivated>(
          'POST',
          `/v1/mfa/factors/${encodeURIComponent(factor.id)}/activate`,
          { code: input.value, challengeId },
        );
        await activated(answer, flow, message, replaced);
      },
      context: 'enroll',
    }),
    resend.element,
    resendError,
  );
}

/**
 * Changing a phone number or email address: a code to the OLD one first (proof that the
 * person still has it), then the new one and its own code. Activating the new factor removes
 * the old one in the same write.
 */
export function changeDestination(old: Factor, flow: Flow = fromSettings, reason?: unknown): void {
  const isSms = old.type === 'sms';
  const box = errorBox('send-old-error');
  if (reason) showError(box, reason);
  const panel = h('div', { class: 'panel' });
  const send = codeSender(old.id, box, 'send-old-code', (sent) => showCodeForm(sent));
  const showCodeForm = (sent: CodeSent) => {
    let challengeId = sent.challengeId;
    const input = codeInput('old-code');
    const { resend, resendError } = codeResender(old.id, sent, (again) => {
      challengeId = again.challengeId;
    });
    send.hidden = true;
    panel.replaceChildren(
      h('p', {}, `We sent a code to ${old.destination}. It works until ${at(sent.expiresAt)}.`),
      actionForm({
        testid: 'old-code-step',
        submit: 'Continue',
        fields: [field(`Code sent to ${old.destination}`, input, 'Six digits. You can paste it.')],
        after: [cancelButton(flow)],
        // Checked by the server with the next step, together with the new number.
        action: async () =>
          destinationForm(old.type as 'sms' | 'email', flow, {
            old,
            verification: { challengeId, code: input.value },
            back: (error) => changeDestination(old, flow, error),
          }),
      }),
      resend.element,
      resendError,
    );
    input.focus();
  };
  show(
    isSms ? 'Change phone number' : 'Change email address',
    h(
      'p',
      {},
      `First, confirm you still have ${old.destination}: we will send a code to it. Then enter the new ${
        isSms ? 'number' : 'address'
      }.`,
    ),
    h('div', { class: 'actions' }, send, cancelButton(flow)),
    box,
    panel,
  );
}
