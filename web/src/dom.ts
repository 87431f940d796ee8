import { serverNow } from './api.ts';
import { describe } from './messages.ts';
import { screenShown } from './nav.ts';

/**
 * Small DOM helpers. Text always goes in as text nodes (never innerHTML), so nothing the API
 * or a person typed can become markup; no inline styles, so the page keeps a strict CSP.
 */
type Child = Node | string | number | null | undefined | false;
type Listener = (event: Event) => void;
export type Attrs = Record<string, string | number | boolean | null | undefined | Listener>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) element.setAttribute(name, '');
    else if (value !== false && value !== null && value !== undefined)
      element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'number' ? String(child) : child);
  }
  return element;
}

const root = () => document.getElementById('app') as HTMLElement;
const statusRegion = () => document.getElementById('status') as HTMLElement;

let renderNav: () => void = () => {};
export function onScreenChange(callback: () => void): void {
  renderNav = callback;
}

/**
 * Replaces the screen. Focus moves to its heading, so screen readers announce the new screen
 * and keyboard users start at its top; the previous screen's notice is cleared.
 */
export function show(title: string, ...content: (Child | Child[])[]): HTMLElement {
  const heading = h('h1', { tabindex: -1, id: 'screen-title', 'data-testid': 'screen-title' }, title);
  const screen = h('section', { 'aria-labelledby': 'screen-title', class: 'screen' }, heading, ...content);
  root().replaceChildren(screen);
  screenShown();
  document.title = `${title} · Serverless MFA`;
  statusRegion().replaceChildren();
  renderNav();
  heading.focus();
  window.scrollTo(0, 0);
  return screen;
}

/** A polite notice above the screen ("Authenticator app added."), announced by screen readers. */
export function flash(text: string): void {
  statusRegion().replaceChildren(h('p', { class: 'notice' }, text));
}

/** An error line for one form; role="alert" makes screen readers say it when it is filled. */
export function errorBox(testid: string): HTMLElement {
  // Focusable from script: after a refused submit, focus moves here (not to <body>).
  return h('p', { class: 'error', role: 'alert', tabindex: -1, 'data-testid': testid });
}

export function showError(box: HTMLElement, error: unknown, context?: string): void {
  box.textContent = describe(error, context);
}

let ids = 0;
export const uid = (prefix: string) => `${prefix}-${++ids}`;

/** A labelled field; a hint is tied to the input with aria-describedby. */
export function field(
  label: string,
  input: HTMLInputElement | HTMLSelectElement,
  hint?: string | Node,
): HTMLElement {
  input.id ||= uid('field');
  const parts: Node[] = [h('label', { for: input.id }, label)];
  if (hint) {
    const hintId = `${input.id}-hint`;
    input.setAttribute('aria-describedby', hintId);
    parts.push(h('p', { id: hintId, class: 'hint' }, hint));
  }
  return h('div', { class: 'field' }, ...parts, input);
}

export function checkbox(
  label: string,
  attrs: Attrs = {},
): { wrapper: HTMLElement; input: HTMLInputElement } {
  const input = h('input', { type: 'checkbox', id: uid('check'), ...attrs });
  return { wrapper: h('div', { class: 'check' }, input, h('label', { for: input.id }, label)), input };
}

/**
 * A six-digit code field. The server takes exactly six ASCII digits and nothing else, so what
 * people paste ("123 456", "123-456") is reduced to its digits here, before the pattern check.
 * No maxlength: the browser would cut "123 456" to "123 45" before we could clean it.
 */
export function codeInput(testid = 'code'): HTMLInputElement {
  const input = h('input', {
    type: 'text',
    name: 'code',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    pattern: '[0-9]{6}',
    required: true,
    spellcheck: 'false',
    class: 'code-input',
    title: 'Six digits',
    'data-testid': testid,
  });
  input.addEventListener('input', () => {
    const digits = input.value.replace(/[^0-9]/g, '').slice(0, 6);
    if (digits !== input.value) input.value = digits;
  });
  return input;
}

/** A field for one recovery code (like 7K2D-M9QX-4TRW-H8CN); mobile keyboards start in capitals. */
export function recoveryCodeInput(): HTMLInputElement {
  return h('input', {
    type: 'text',
    name: 'recoveryCode',
    autocomplete: 'off',
    autocapitalize: 'characters',
    spellcheck: 'false',
    required: true,
    class: 'recovery-input',
    'data-testid': 'recovery-code',
  });
}

/** A factor's name ("Work phone"); the server takes 1 to 64 characters. */
export function labelInput(value = ''): HTMLInputElement {
  return h('input', {
    type: 'text',
    name: 'label',
    maxlength: 64,
    autocomplete: 'off',
    value,
    'data-testid': 'factor-name',
  });
}

/** An email address that is also the account name, so password managers pair it with the password. */
export function emailInput(testid = 'email'): HTMLInputElement {
  return h('input', {
    type: 'email',
    name: 'email',
    autocomplete: 'username',
    required: true,
    spellcheck: 'false',
    'data-testid': testid,
  });
}

export function passwordInput(autocomplete = 'current-password'): HTMLInputElement {
  return h('input', {
    type: 'password',
    name: 'password',
    autocomplete,
    required: true,
    'data-testid': 'password',
  });
}

/**
 * A new password (sign-up, reset, change). `minlength` only spares a round trip: the server
 * counts Unicode code points after NFKC and judges guessability (`password_too_weak`). No
 * `maxlength`, which counts UTF-16 units and would cut a pasted password without a word.
 */
export function newPasswordInput(name: string): HTMLInputElement {
  return h('input', {
    type: 'password',
    name,
    autocomplete: 'new-password',
    required: true,
    minlength: 15,
    'data-testid': name === 'password' ? 'password' : 'new-password',
  });
}

export function button(label: string, onClick: (event: Event) => void, attrs: Attrs = {}): HTMLButtonElement {
  return h('button', { type: 'button', class: 'secondary', ...attrs, onclick: onClick }, label);
}

/**
 * A form whose submit runs `action` once at a time: the submit button is disabled while the
 * request is out, and any error is written to the form's alert line.
 */
export function actionForm(options: {
  testid: string;
  submit: string;
  fields: (Node | null | false)[];
  action: (form: HTMLFormElement) => Promise<void>;
  context?: string;
  /** Return true when the error was handled (shown elsewhere, screen changed). */
  onError?: (error: unknown, box: HTMLElement) => boolean;
  after?: Node[];
}): HTMLFormElement {
  const box = errorBox(`${options.testid}-error`);
  const submit = h('button', { type: 'submit', 'data-testid': `${options.testid}-submit` }, options.submit);
  const form = h(
    'form',
    { 'data-testid': options.testid },
    ...options.fields,
    box,
    h('div', { class: 'actions' }, submit, ...(options.after ?? [])),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    box.textContent = '';
    // A new attempt makes the last notice ("You are signed out.") stale.
    statusRegion().replaceChildren();
    const focused = document.activeElement;
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    try {
      await options.action(form);
    } catch (error) {
      if (!options.onError?.(error, box)) showError(box, error, options.context);
      // The refusal is where the person reads next (and a screen reader starts); a handler that
      // moved the focus elsewhere (a new screen, a code field) keeps its choice.
      const now = document.activeElement;
      if (box.isConnected && box.textContent && (now === focused || isLost(now))) box.focus();
    } finally {
      submit.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });
  return form;
}

/** Nothing useful has the focus: the body, or an element that left the page. */
const isLost = (element: Element | null): boolean =>
  !element || element === document.body || !element.isConnected;

/** "0:27", "4:59" */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * A "Resend code" button that counts down to the server's `resendAvailableAt` and stays
 * disabled until then. `wait(until)` restarts the countdown (after a resend, or a 429 with
 * `retryAfter`). The interval stops by itself once the button leaves the page.
 */
export function resendButton(
  label: string,
  onClick: () => Promise<void>,
  testid = 'resend',
): { element: HTMLElement; button: HTMLButtonElement; wait(until: string | number): void } {
  const button = h('button', { type: 'button', class: 'secondary', 'data-testid': testid }, label);
  const countdown = h('span', { class: 'countdown', 'data-testid': `${testid}-countdown` });
  let until = 0;
  let timer: number | undefined;
  let attached = false;
  const stop = () => {
    if (timer !== undefined) window.clearInterval(timer);
    timer = undefined;
  };
  const tick = () => {
    // Built before it is shown: only a button that was on the page and left it stops counting.
    if (button.isConnected) attached = true;
    else {
      if (attached) stop();
      return;
    }
    const left = (until - serverNow()) / 1000;
    if (left > 0) {
      button.disabled = true;
      countdown.textContent = `You can ask for a new code in ${clock(left)}`;
    } else {
      button.disabled = false;
      countdown.textContent = '';
      stop();
    }
  };
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await onClick();
    } finally {
      tick();
    }
  });
  return {
    element: h('div', { class: 'resend' }, button, countdown),
    button,
    wait(next) {
      until = typeof next === 'number' ? next : Date.parse(next);
      if (timer === undefined) timer = window.setInterval(tick, 250);
      // A countdown starts disabled even before the button is attached.
      button.disabled = until > serverNow();
      countdown.textContent = button.disabled
        ? `You can ask for a new code in ${clock((until - serverNow()) / 1000)}`
        : '';
    },
  };
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

export const when = (iso: string | null | undefined): string => (iso ? dateFormat.format(new Date(iso)) : '');
export const at = (iso: string): string => timeFormat.format(new Date(iso));

export function time(iso: string): HTMLTimeElement {
  return h('time', { datetime: iso }, when(iso));
}
