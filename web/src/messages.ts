import type { EventType, Factor, FactorType } from './types.ts';

/** "45 seconds", "15 minutes", "1 hour and 5 minutes". */
export function duration(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (s < 60) return plural(s, 'second');
  const minutes = Math.ceil(s / 60);
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${plural(hours, 'hour')} and ${plural(rest, 'minute')}` : plural(hours, 'hour');
}

interface ErrorLike {
  code: string;
  message: string;
  body: {
    attemptsRemaining?: number;
    retryAfter?: number;
    clockSkewSeconds?: number;
    reason?: string;
    details?: { path: string; message: string }[];
  };
}

const isApiError = (error: unknown): error is ErrorLike =>
  typeof error === 'object' && error !== null && 'code' in error && 'body' in error;

/**
 * What a person reads for each `error.code` of API.md. `context` picks a wording where one
 * code means different things on different screens: an emailed sign-up code (`signup`) or
 * password-reset code (`password-reset`) cannot be sent again once it is spent, so those
 * screens say how to start over instead of "ask for a new code".
 */
export function describe(error: unknown, context?: string): string {
  if (!isApiError(error)) return 'Something went wrong. Try again.';
  const { attemptsRemaining, retryAfter, reason, details, clockSkewSeconds } = error.body;
  const wait = retryAfter ? duration(retryAfter) : 'a moment';
  const emailed = context === 'signup' || context === 'password-reset';
  const startOver = context === 'signup' ? 'Start over to get a new code.' : 'Ask for a new code.';
  switch (error.code) {
    case 'invalid_credentials':
      return context === 'password'
        ? 'That password is not right.'
        : 'The email address or password is incorrect.';
    case 'code_invalid':
      if (attemptsRemaining === 0 && emailed)
        return `That code is not right, and no attempts are left. ${startOver}`;
      if (attemptsRemaining === 0)
        return error.message === 'This code was already used.'
          ? 'That code was already used. Wait for the next code in your app.'
          : 'That code is not right, and no attempts are left. Ask for a new code.';
      if (clockSkewSeconds)
        return `That code is not right. ${clockAdvice(clockSkewSeconds)} ${left(attemptsRemaining)}`.trim();
      return `That code is not right. ${
        attemptsRemaining === undefined
          ? 'Check it and try again.'
          : `${attemptsRemaining} ${attemptsRemaining === 1 ? 'attempt' : 'attempts'} left.`
      }`;
    case 'challenge_expired':
      if (context === 'signup')
        return 'This code has expired, or a newer sign-up for this address replaced it. Start over to get a new code.';
      if (context === 'password-reset')
        return 'This code has expired or was already used. Ask for a new code.';
      return 'That code has expired or was replaced by a newer one. Ask for a new code.';
    case 'too_many_attempts':
      if (emailed) return `Too many wrong codes for this code. ${startOver}`;
      return context === 'totp-enroll'
        ? 'Too many wrong codes. Start again to get a new key.'
        : 'Too many wrong codes for this code. Ask for a new code.';
    case 'locked':
      return `Too many failed attempts. For your security, try again in ${wait}.`;
    case 'rate_limited':
      if (emailed) return `Too many codes were asked for this address. Try again in ${wait}.`;
      return `Too many requests. Try again in ${wait}.`;
    case 'resend_too_soon':
      return `Wait ${wait} before asking for another code.`;
    case 'delivery_failed':
      // 503 with a wait: the service paused text messages (its SMS budget), nothing failed here.
      if (retryAfter)
        return `Text messages are paused for a while. Try again in ${wait}, or choose another way.`;
      if (emailed) return 'The email could not be sent. Nothing was used up: try again in a moment.';
      return 'The code could not be delivered. Nothing was used up: try again, or choose another way.';
    case 'mfa_token_invalid':
      return 'This sign-in has expired or was already used. Sign in again.';
    case 'caller_mfa_required':
      if (context === 'join')
        return 'Sign in with your second step to join: joining lets the organisation’s admins set your MFA policy and reset your MFA.';
      return context === 'reset'
        ? "Sign in with multi-factor authentication before resetting someone's MFA: sign out, then sign in again with your second step."
        : 'Turn on MFA for your own account and sign in with it before requiring it for everyone. Every policy change needs a sign-in with MFA.';
    case 'mfa_required_by_policy':
      return 'Your organisation requires multi-factor authentication, so your last factor cannot be removed. Add another one first.';
    case 'factor_type_not_allowed':
      return 'Your organisation does not allow this kind of factor. Choose another one.';
    case 'invalid_phone_number':
      return 'That phone number is not valid for the chosen country. Check the number and the country.';
    case 'phone_number_not_mobile':
      return 'This number cannot receive text messages (a landline, premium-rate or toll-free number). Use a mobile number.';
    case 'country_not_allowed':
      return 'Text messages cannot be sent to this country. Use an authenticator app or another number.';
    case 'already_exists':
      return 'That is already one of your factors.';
    case 'factor_limit_reached':
      return 'You already have the maximum number of factors. Remove one first.';
    case 'factor_not_pending':
      return 'This factor is already set up (or expired). Start again.';
    case 'verification_required':
      return 'Confirm it is you with a current factor first.';
    case 'password_too_weak':
      return (reason && weakPassword[reason]) || error.message;
    case 'already_in_org':
      return context === 'create-org'
        ? 'You already belong to an organisation.'
        : 'That address already belongs to a member of this organisation.';
    case 'forbidden':
      // The server names the rule when there is one (only the owner weakens the policy, …).
      return error.message && error.message !== 'You are not allowed to do this.'
        ? error.message
        : 'You are not allowed to do this: only owners and admins can.';
    case 'not_found':
      return error.message && error.message !== 'Not found.'
        ? error.message
        : 'It no longer exists. Reload the page.';
    case 'unauthorized':
      return 'Your session has ended. Sign in again.';
    case 'payload_too_large':
      return 'That is too long.';
    case 'invalid_request':
      if (details?.length)
        return details
          .map(
            (detail) =>
              `${fieldName(detail.path)}: ${detail.message.replace(/^Too small: expected string to have >=1 characters$/, 'must not be empty').replace(/^Too small: expected string to have >=(\d+) characters$/, 'at least $1 characters')}`,
          )
          .join(' ');
      return error.message;
    default:
      return error.message || 'Something went wrong. Try again.';
  }
}

/**
 * The code was right for another time (seed 003): "Your phone's clock seems about 3 minutes
 * ahead: turn on automatic time".
 */
export function clockAdvice(skewSeconds: number): string {
  const minutes = Math.max(1, Math.round(Math.abs(skewSeconds) / 60));
  const direction = skewSeconds > 0 ? 'ahead' : 'behind';
  return `Your phone’s clock seems about ${minutes} ${minutes === 1 ? 'minute' : 'minutes'} ${direction}: turn on automatic date and time in its settings, then enter the new code.`;
}

const left = (attemptsRemaining: number | undefined): string =>
  attemptsRemaining === undefined
    ? ''
    : `${attemptsRemaining} ${attemptsRemaining === 1 ? 'attempt' : 'attempts'} left.`;

/** `password_too_weak` by `reason` (the rules of NIST SP 800-63B-4 the server applies). */
const weakPassword: Record<string, string> = {
  too_short:
    'That password is too short: use at least 15 characters. A few unrelated words make a long password that is easy to type.',
  too_long: 'That password is too long: use at most 128 characters.',
  common:
    'That password is too common or too easy to guess. A few unrelated words make a strong one; no need for symbols.',
  context:
    'That password is built from your email address or the name of this service. Choose one that has nothing to do with either.',
};

/** Beside every authenticator code field (seed 003): a phone whose clock is off shows wrong codes. */
export const CLOCK_HINT =
  'If codes are refused, check that your phone sets its date and time automatically: the codes depend on its clock.';

/** The hint under every new-password field (sign-up, reset, change). */
export const PASSWORD_HINT =
  'At least 15 characters. A few unrelated words make a strong password that is easy to type; common passwords and ones built from your email address are refused.';

function fieldName(path: string): string {
  const name = path.replace(/^body\./, '');
  const names: Record<string, string> = {
    email: 'Email address',
    password: 'Password',
    newPassword: 'New password',
    currentPassword: 'Current password',
    phoneNumber: 'Phone number',
    name: 'Name',
    code: 'Code',
    confirm: 'Organisation name',
    label: 'Name',
  };
  return names[name] ?? name;
}

export const factorNames: Record<FactorType, string> = {
  totp: 'Authenticator app',
  sms: 'Text message (SMS)',
  email: 'Email',
};

/** "Text message to +*******4567" */
export function factorKind(factor: Pick<Factor, 'type' | 'destination'>): string {
  if (factor.type === 'totp') return 'Authenticator app';
  if (factor.type === 'sms') return `Text message to ${factor.destination ?? 'your phone'}`;
  return `Email to ${factor.destination ?? 'your address'}`;
}

const defaultLabels = ['authenticator app', 'phone', 'email'];

/**
 * "Work phone: text message to +*******4567": the name the person gave first, so two phones or
 * two authenticator apps can be told apart wherever one is picked.
 */
export function factorSummary(factor: Pick<Factor, 'type' | 'destination'> & { label?: string }): string {
  const kind = factorKind(factor);
  const label = factor.label?.trim();
  if (!label || defaultLabels.includes(label.toLowerCase())) return kind;
  return `${label}: ${kind.charAt(0).toLowerCase()}${kind.slice(1)}`;
}

// Every type the contract names has its words: a new one fails the type check until it has them.
const eventNames: Record<EventType, string> = {
  'user.created': 'Account created (email address confirmed)',
  'password.reset': 'Password reset with an emailed code',
  'password.changed': 'Password changed',
  'account.reported': 'Account secured with “This wasn’t me”: every device signed out',
  'session.created': 'Signed in',
  'session.revoked': 'Signed out (session ended)',
  'mfa.challenge_sent': 'Sign-in code sent',
  'mfa.verified': 'Second step passed',
  'mfa.failed': 'Wrong code entered',
  'mfa.locked': 'Two-step verification locked after too many wrong codes',
  'password.locked': 'Password sign-in locked after too many wrong passwords',
  'factor.added': 'Factor being set up',
  'factor.activated': 'Factor added',
  'factor.removed': 'Factor removed',
  'factor.replaced': 'Phone number or email address changed',
  'factor.renamed': 'Sign-in method renamed',
  'recovery_codes.generated': 'New recovery codes created',
  'recovery_code.used': 'Recovery code used',
  'device.remembered': 'Device remembered',
  'device.revoked': 'Remembered device revoked',
  'mfa.reset': 'Multi-factor authentication reset by an admin',
  'org.policy_changed': 'MFA policy changed',
  'org.member_invited': 'Member invited',
  'org.invitation_revoked': 'Invitation withdrawn',
  'org.member_added': 'Member joined',
  'org.action_refused': 'Refused',
};

export function eventName(type: string, details: Record<string, unknown>): string {
  const name = eventNames[type as EventType] ?? type;
  const kind = details.type ?? details.method;
  const kinds: Record<string, string> = {
    totp: 'authenticator app',
    otp: 'authenticator app',
    sms: 'text message',
    email: 'email',
    recovery: 'recovery code',
  };
  if (type === 'factor.renamed' && typeof details.from === 'string' && typeof details.to === 'string')
    return `${name}: “${details.from}” to “${details.to}”`;
  if (typeof kind === 'string' && kinds[kind]) return `${name} (${kinds[kind]})`;
  if (type === 'org.policy_changed' && typeof details.to === 'object' && details.to && 'mode' in details.to)
    return `${name} to "${String(details.to.mode)}"`;
  // Invitations name the address (it may have no account, so no user to show instead).
  const address = typeof details.email === 'string' ? `: ${details.email}` : '';
  if (type.startsWith('org.member_') && typeof details.role === 'string')
    return `${name}${address} as ${details.role}`;
  if (type === 'org.invitation_revoked') return `${name}${address}`;
  if (type === 'org.action_refused' && typeof details.reason === 'string') {
    const whom = typeof details.targetEmail === 'string' ? ` (about ${details.targetEmail})` : '';
    return `${name}: ${details.reason}${whom}`;
  }
  return name;
}
