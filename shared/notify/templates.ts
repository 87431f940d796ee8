import { config } from '../config.ts';
import type { FactorType } from '../mfa/factor-types.ts';
import { maskEmail, maskPhone } from '../mfa/phone.ts';

/**
 * Every message the service sends, in plain language. Pure functions of their input (and of the
 * service name / support URL settings). Security notices never take a code or token, and mask any
 * destination again, so a caller's mistake cannot put a full phone number or address in an inbox.
 */
export interface Message {
  subject: string;
  /** The primary part; `html` says the same, escaped. */
  text: string;
  html: string;
}

/** When and from where something happened: the request's source IP and user agent, when there was one. */
export interface Occurrence {
  at: Date;
  ip?: string;
  userAgent?: string;
  /** The "This wasn't me" link of a security notice (single use), when there is one. */
  reportUrl?: string;
}

export interface FactorNotice extends Occurrence {
  factorType: FactorType;
  /** The name the user gave the factor: user text, shown only through `labelOf`. */
  label: string;
  /** Already masked (`+*******4567`, `c***e@example.com`); absent for TOTP. */
  destination?: string;
}

/** What a member meets after an MFA reset, from the organisation's policy at the time of it. */
export type AfterReset =
  | { mode: 'off' }
  | { mode: 'optional' }
  /** `skipUntil`: the end of a grace period still running. */
  | { mode: 'required'; skipUntil?: Date };

// ---------------------------------------------------------------- codes

/** One SMS segment: ≤ 160 GSM-7 characters (3GPP TS 23.038), the code early so previews show it. */
export function smsCode(input: { code: string; minutes: number }): string {
  return `Your ${config().serviceName} code is ${input.code}. It expires in ${minutes(input.minutes)}. Never share it: we will never ask for it.`;
}

/** The code is kept out of the subject: subjects show on lock screens and in notification previews. */
export function emailCode(input: { code: string; minutes: number }): Message {
  const name = config().serviceName;
  return codeEmail(input.code, `Your ${name} code is`, `Your ${name} verification code`, [
    `It expires in ${minutes(input.minutes)}. Enter it only on the page where you asked for it. Never share it: we will never ask for it.`,
    "If you didn't ask for this code, ignore this email and don't give the code to anyone.",
  ]);
}

/** The code that proves a new account's address; what happens without it is said plainly. */
export function signupCode(input: { code: string; minutes: number }): Message {
  return accountCode(input, 'confirm your email address', [
    'Enter it on the page where you are creating your account.',
    "If you didn't create an account, ignore this email: without the code, nothing is created.",
  ]);
}

export function resetCode(input: { code: string; minutes: number }): Message {
  return accountCode(input, 'reset your password', [
    'Enter it on the page where you asked to reset your password, together with your new password.',
    "If you didn't ask for this, ignore this email: your password stays as it is.",
  ]);
}

/** A sign-up for an address that already has an account: the owner hears of it, nobody else. */
export function signupExisting(n: Occurrence): Message {
  return occurrenceNotice(n, 'someone tried to create an account with your address', [
    'Someone tried to create a new account with this email address, which already has an account with us. Nothing was changed.',
    'If it was you: sign in instead, or reset your password if you forgot it.',
  ]);
}

/** A password reset for an address without an account (told only to the mailbox, never to the requester). */
export function resetNoAccount(n: Occurrence): Message {
  return occurrenceNotice(n, 'password reset requested', [
    'Someone asked to reset the password of an account with this email address, but no account uses this address.',
    'If it was you, you may have signed up with another address, or you can create an account with this one. Otherwise you can ignore this email.',
  ]);
}

/** An organisation invited an address that has no account yet: the invitation waits for a sign-up. */
export function orgSignupInvitation(
  n: Occurrence & { orgName: string; role: string; days: number },
): Message {
  return occurrenceNotice(n, 'you were invited to an organisation', [
    `You were invited to join the organisation "${orgNameOf(n.orgName)}" as ${n.role === 'admin' ? 'an admin' : 'a member'}. ${NAMES_UNCHECKED}`,
    `To accept, create an account with this email address within ${n.days} ${n.days === 1 ? 'day' : 'days'}; the invitation then appears in your security settings. Its owner and admins will be able to set your multi-factor authentication policy and reset your sign-in methods. Accept only if you know this organisation.`,
  ]);
}

// ---------------------------------------------------------------- security notices

// A pending factor is not emailed: it proves nothing until its first code, and its activation is.
export function factorActivated(n: FactorNotice): Message {
  return notice(
    'a sign-in method is now active',
    [
      `${capitalise(factorPhrase(n))} was confirmed and can now be used to sign in to your account.`,
      LABELS_UNCHECKED,
    ],
    n,
  );
}

export function factorRemoved(n: FactorNotice): Message {
  return notice(
    'a sign-in method was removed',
    [
      `${capitalise(factorPhrase(n))} was removed from your account and can no longer be used to sign in.`,
      LABELS_UNCHECKED,
    ],
    n,
  );
}

/** A changed phone number or email address: the new factor replaced the old one in one step. */
export function factorReplaced(n: FactorNotice & { previousDestination?: string }): Message {
  const what = n.factorType === 'sms' ? 'phone number' : 'email address';
  const from = n.previousDestination ? ` from ${safeDestination(n.previousDestination)}` : '';
  const to = n.destination ? ` to ${safeDestination(n.destination)}` : '';
  return notice(
    'a sign-in method was changed',
    [
      `The ${what} that receives your sign-in codes was changed${from}${to}, now named "${labelOf(n.label)}". Codes now go only to the new one.`,
      LABELS_UNCHECKED,
    ],
    n,
  );
}

/** The name is what the user picks a factor by at login: a new one is news to the owner. */
export function factorRenamed(n: FactorNotice & { previousLabel: string }): Message {
  return notice(
    'a sign-in method was renamed',
    [
      `${capitalise(factorPhrase({ ...n, label: n.previousLabel }))} was renamed to "${labelOf(n.label)}". It works as before.`,
      LABELS_UNCHECKED,
    ],
    n,
  );
}

export function recoveryCodesRegenerated(n: Occurrence): Message {
  return notice(
    'new recovery codes were created',
    ['New recovery codes were created for your account. The previous recovery codes no longer work.'],
    n,
  );
}

export function recoveryCodeUsed(n: Occurrence & { remaining: number }): Message {
  const left =
    n.remaining === 0
      ? 'You have no recovery codes left: create new ones in your security settings.'
      : `You have ${n.remaining} recovery ${n.remaining === 1 ? 'code' : 'codes'} left; each works once.`;
  return notice(
    'a recovery code was used',
    [`A recovery code was used to sign in to your account. ${left}`],
    n,
  );
}

export function mfaLocked(n: Occurrence & { until: Date }): Message {
  return notice(
    'sign-in paused after too many wrong codes',
    [
      `Too many wrong verification codes were entered for your account, so sign-in codes are not accepted until ${iso(n.until)}.`,
      'Codes are only asked for after the correct password: if this was not you, someone knows your password.',
    ],
    n,
  );
}

export function passwordLocked(n: Occurrence & { until: Date }): Message {
  return notice(
    'sign-in paused after too many wrong passwords',
    [
      `Too many wrong passwords were entered for your account, so signing in with a password is paused until ${iso(n.until)}.`,
    ],
    n,
  );
}

/** Says what the member will really meet, from the organisation's policy when it was done. */
export function mfaReset(n: Occurrence & { after: AfterReset }): Message {
  return notice(
    'your multi-factor authentication was reset',
    [
      'An administrator of your organisation reset the two-step verification (multi-factor authentication, MFA) of your account: its sign-in methods, recovery codes and remembered devices were removed, and every device was signed out.',
      afterReset(n.after),
    ],
    n,
  );
}

function afterReset(after: AfterReset): string {
  switch (after.mode) {
    case 'off':
      return 'You can sign in with your password alone; you can set it up again in your security settings.';
    case 'optional':
      return 'You will be invited to set it up again when you sign in, and you may skip.';
    case 'required':
      return after.skipUntil
        ? `Your organisation requires it: you will be invited to set it up again when you sign in, and you may skip until ${iso(after.skipUntil)}; after that you will have to set it up to sign in.`
        : 'You will have to set up two-step verification again the next time you sign in.';
  }
}

/** Joining gives the organisation's admins power over the account's MFA: the user decides. */
export function orgInvitation(n: Occurrence & { orgName: string; role: string }): Message {
  return notice(
    'you were invited to an organisation',
    [
      `You were invited to join the organisation "${orgNameOf(n.orgName)}" as ${n.role === 'admin' ? 'an admin' : 'a member'}. Nothing changes unless you accept it in your security settings.`,
      NAMES_UNCHECKED,
      'Its owner and admins will be able to set your multi-factor authentication policy and reset your sign-in methods. Accept only if you know this organisation.',
    ],
    n,
  );
}

export function passwordChanged(n: Occurrence): Message {
  return notice(
    'your password was changed',
    ['The password of your account was changed. Every other device was signed out.'],
    n,
  );
}

/** The confirmation of "This wasn't me": what happened, and what the owner does next. */
export function accountSecured(n: Occurrence): Message {
  return occurrenceNotice(n, 'your account was secured', [
    'You reported that a change to your account was not made by you. Every device was signed out and remembered devices were forgotten.',
    'Now reset your password ("Forgot your password?" on the sign-in page), then review your sign-in methods and recovery codes, and contact your administrator or support if anything looks wrong.',
  ]);
}

export function passwordWasReset(n: Occurrence): Message {
  return notice(
    'your password was reset',
    [
      'The password of your account was reset with a code sent to this address. Every device was signed out, and remembered devices must complete two-step verification again.',
    ],
    n,
  );
}

/** Joining gave an organisation power over this account's MFA: the owner hears of it. */
export function orgJoined(n: Occurrence & { orgName: string; role: string }): Message {
  return notice(
    'you joined an organisation',
    [
      `Your account joined the organisation "${orgNameOf(n.orgName)}" as ${n.role === 'admin' ? 'an admin' : 'a member'}. Its owner and admins can now set your multi-factor authentication policy and reset your sign-in methods.`,
    ],
    n,
  );
}

// ---------------------------------------------------------------- building blocks

function accountCode(input: { code: string; minutes: number }, purpose: string, lines: string[]): Message {
  const name = config().serviceName;
  return codeEmail(input.code, `Your ${name} code to ${purpose} is`, `${name}: your code to ${purpose}`, [
    `It expires in ${minutes(input.minutes)}. ${lines[0]}`,
    ...lines.slice(1),
    'Never share it: we will never ask for it.',
  ]);
}

function codeEmail(code: string, intro: string, subject: string, paragraphs: string[]): Message {
  const text = [`${intro}: ${code}`, ...paragraphs, footer()].join('\n\n');
  const html = page(subject, [
    `<p>${escapeHtml(intro)}:</p>`,
    `<p style="font-size:28px;letter-spacing:4px;font-family:monospace"><strong>${escapeHtml(code)}</strong></p>`,
    ...paragraphs.map(paragraph),
    footerHtml(),
  ]);
  return { subject, text, html };
}

/** A notice about a request someone made for this address, with when and from where, without "reset your password". */
function occurrenceNotice(o: Occurrence, what: string, lines: string[]): Message {
  const name = config().serviceName;
  const subject = `${name}: ${what}`;
  const shown = occurrenceDetails(o);
  const text = [...lines, shown.map(([label, value]) => `${label}: ${value}`).join('\n'), footer()].join(
    '\n\n',
  );
  const html = page(subject, [...lines.map(paragraph), detailsHtml(shown), footerHtml()]);
  return { subject, text, html };
}

function occurrenceDetails(o: Occurrence): [string, string][] {
  const details: [string, string | undefined][] = [
    ['When', iso(o.at)],
    ['IP address', o.ip && clean(o.ip, 64)],
    ['Device', o.userAgent && clean(o.userAgent, 200)],
  ];
  return details.filter((d): d is [string, string] => Boolean(d[1]));
}

function detailsHtml(shown: [string, string][]): string {
  return `<p>${shown.map(([label, value]) => `${escapeHtml(label)}: <strong>${escapeHtml(value)}</strong>`).join('<br>')}</p>`;
}

const NAMES_UNCHECKED = 'Organisation names are chosen by whoever creates them; we do not check them.';

const LABELS_UNCHECKED =
  'Names in quotes are the ones given to sign-in methods in your account, not written by us.';

/**
 * A name people chose, as emails show it: only letters, digits, spaces and a little punctuation
 * (no quotes to break out of, no ':' or '/' for a link, no markup), so it cannot pose as the
 * service's own words; bounded in length.
 */
function shownName(name: string, max: number): string {
  // Emoji stay (with the joiner and the variation selector, a mark, that build them): no link.
  return (
    clean(name, max)
      .replace(/(?!\u200d)[^\p{L}\p{M}\p{N}\p{Extended_Pictographic} .,&'’()+!#_…-]/gu, ' ')
      // A dot between letters (evil.example) is what mail apps link: names made before the API
      // refused web addresses lose it here.
      .replace(/([\p{L}\p{N}])\.(?=\p{L}{2})/gu, '$1 ')
  );
}

/** An organisation's name: what a new name may have anyway (older ones may have more). */
function orgNameOf(name: string): string {
  return shownName(name, 100);
}

/** A factor's label: any text its owner (or whoever held the account) typed, up to 64 characters. */
function labelOf(label: string): string {
  return shownName(label, 64);
}

const REPORT_LINE =
  "This wasn't you? Secure your account now: this link signs every device out, and works once:";

const IF_NOT_YOU =
  "If this wasn't you: reset your password, then review your sign-in methods, and contact your administrator or support";

function notice(what: string, lines: string[], o: Occurrence): Message {
  const name = config().serviceName;
  const subject = `${name}: ${what}`;
  const shown = occurrenceDetails(o);
  const support = config().supportUrl;
  const report = o.reportUrl && /^https?:\/\//.test(o.reportUrl) ? o.reportUrl : undefined;
  const text = [
    ...lines,
    shown.map(([label, value]) => `${label}: ${value}`).join('\n'),
    ...(report ? [`${REPORT_LINE} ${report}`] : []),
    support ? `${IF_NOT_YOU} (${support}).` : `${IF_NOT_YOU}.`,
    footer(),
  ].join('\n\n');
  const html = page(subject, [
    ...lines.map(paragraph),
    detailsHtml(shown),
    ...(report
      ? [`<p>${escapeHtml(REPORT_LINE)} <a href="${escapeHtml(report)}">Secure my account</a></p>`]
      : []),
    `<p>${escapeHtml(IF_NOT_YOU)}${support ? ` (<a href="${escapeHtml(support)}">${escapeHtml(support)}</a>)` : ''}.</p>`,
    footerHtml(),
  ]);
  return { subject, text, html };
}

// One singular noun phrase per method, named by its label, so "… was removed" reads right.
function factorPhrase(n: FactorNotice): string {
  const name = `"${labelOf(n.label)}"`;
  const at = n.destination ? `${safeDestination(n.destination)}, ` : '';
  switch (n.factorType) {
    case 'totp':
      return `your authenticator app ${name}`;
    case 'sms':
      return `your phone ${name} (${at}codes by text message)`;
    case 'email':
      return `your email address ${name} (${at}codes by email)`;
  }
}

/**
 * Masks again whatever does not have the shape of a mask: an address other than at most one
 * character, '***', at most one character, '@' (`c***e@`, `c***@`), or more than four digits.
 */
function safeDestination(destination: string): string {
  if (destination.includes('@'))
    return /^[^@*]?\*\*\*[^@*]?@/u.test(destination) ? destination : maskEmail(destination);
  return (destination.match(/\d/g)?.length ?? 0) > 4 ? maskPhone(destination) : destination;
}

/** ISO 8601 in UTC, to the second: unambiguous whatever the reader's time zone. */
function iso(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function minutes(count: number): string {
  return `${count} ${count === 1 ? 'minute' : 'minutes'}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// Request headers are attacker-chosen: control characters (Cc, which could fake new lines) and format
// characters (Cf: bidi overrides that reorder text in the mail client) become spaces; length is bounded.
function clean(value: string, max: number): string {
  // Format characters go (bidi overrides, zero-width spaces), but for the joiner inside an emoji.
  const plain = value.replace(/[\p{Cc}\u2028\u2029]|(?!\u200d)\p{Cf}/gu, ' ').trim();
  return plain.length > max ? `${plain.slice(0, max)}…` : plain;
}

function footer(): string {
  return `${config().serviceName}: this is an automatic security message; replies are not read.`;
}

function footerHtml(): string {
  return `<p style="color:#666;font-size:12px">${escapeHtml(footer())}</p>`;
}

function paragraph(text: string): string {
  return `<p>${escapeHtml(text)}</p>`;
}

function page(title: string, body: string[]): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif;line-height:1.5;color:#111">${body.join('')}</body></html>`;
}

function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}
