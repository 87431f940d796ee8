import { config } from '../config.ts';
import {
  type Challenge,
  deleteChallenge,
  newChallengeId,
  type Owner,
  putChallenge,
  replaceCode,
  restoreCode,
  windows,
} from '../db/challenges.ts';
import { claimSendSlot, type Factor, releaseSendSlot, type SendSlot } from '../db/factors.ts';
import { type Window, withAllowances } from '../db/rate.ts';
import { ApiError, tooMany } from '../http/errors.ts';
import { log } from '../http/logger.ts';
import { count, countCodeSend, metricNames } from '../metrics.ts';
import { sendEmail } from '../notify/email.ts';
import { codeSendsFromIp, SMS_BREAKER_OPEN } from '../notify/send-budget.ts';
import { sendSms } from '../notify/sms.ts';
import { emailCode, smsCode } from '../notify/templates.ts';
import { codeDigest, newOtpCode } from './codes.ts';
import { mfaLockedUntil } from './guard.ts';

/**
 * Sending codes. Order matters for "a failed send spends nothing" (DESIGN principle 6): claim
 * the factor's send slot (one cooldown per factor), take the send allowances, write the code,
 * send; if the provider fails, give everything back and undo the write before answering
 * `delivery_failed`. Nothing is sent while the user's MFA is locked: codes no one may enter are
 * only cost (and a way to spam the owner's phone).
 */
export interface SendContext {
  /** The client's address (API Gateway's sourceIp): one client cannot send without end. */
  ip: string;
  now?: Date;
}

function allowances(factor: Factor, ip: string, enrolling: boolean): Window[] {
  const c = config();
  const own: Window[] = [
    { scope: 'send-factor', key: factor.factorId, seconds: 3600, limit: c.sendsPerFactorPerHour },
    // Per user: adding and deleting pending factors must not become a way to send without end.
    { scope: 'send-user', key: factor.userId, seconds: 86_400, limit: c.sendsPerUserPerDay },
    // Per destination too: several accounts (or re-enrollments) cannot flood one phone.
    {
      scope: 'send-destination',
      key: factor.destination ?? '',
      seconds: 86_400,
      limit: c.sendsPerDestinationPerDay,
    },
    // Per client: many accounts from one address (SMS pumping across numbers).
    codeSendsFromIp(ip),
  ];
  if (factor.type !== 'sms') return own;
  // A new number is where pumping pays (every number a premium or partner route): an account
  // gets few first codes to new phones a day, however many pending factors it adds and drops.
  const newNumbers: Window[] = enrolling
    ? [
        {
          scope: 'sms-enroll-user',
          key: factor.userId,
          seconds: 86_400,
          limit: c.newPhoneNumbersPerUserPerDay,
        },
      ]
    : [];
  return [...own, ...newNumbers, ...smsBreaker(factor)];
}

// The deployment's SMS budget, taken last (a refusal above spends none of it).
const BREAKER_SCOPES = new Set(['sms-all-hour', 'sms-all-day', 'sms-country-hour']);
function smsBreaker(factor: Factor): Window[] {
  const c = config();
  return [
    { scope: 'sms-all-hour', key: 'all', seconds: 3600, limit: c.smsPerHour },
    { scope: 'sms-all-day', key: 'all', seconds: 86_400, limit: c.smsPerDay },
    {
      scope: 'sms-country-hour',
      key: factor.country ?? 'unknown',
      seconds: 3600,
      limit: c.smsPerCountryPerHour,
    },
  ];
}

/**
 * The allowances of a send. The SMS circuit breaker answers 503 `delivery_failed` with
 * Retry-After (sends are paused for everyone, this user did nothing wrong), and says so in the
 * log, and counts `SmsBreakerOpen`, which the stack alarms on.
 */
function underAllowances<T>(
  factor: Factor,
  send: { ip: string; now: Date; enrolling: boolean },
  work: () => Promise<T>,
): Promise<T> {
  return withAllowances(allowances(factor, send.ip, send.enrolling), send.now, work, (window, refusal) => {
    if (!BREAKER_SCOPES.has(window.scope)) return refusal;
    log.error(SMS_BREAKER_OPEN, { window: window.scope, key: window.key, limit: window.limit });
    count(metricNames.smsBreakerOpen);
    return new ApiError('delivery_failed', {
      status: 503,
      message: 'Text messages are paused for a while; try again later or use another method.',
      extra: { retryAfter: refusal.extra.retryAfter },
    });
  });
}

async function deliver(factor: Factor, code: string): Promise<void> {
  const minutes = Math.round(config().codeTtlSeconds / 60);
  if (factor.type === 'sms') {
    await countCodeSend('sms', () => sendSms(factor.destination as string, smsCode({ code, minutes })));
  } else {
    await countCodeSend('email', () => sendEmail(factor.destination as string, emailCode({ code, minutes })));
  }
}

async function assertNotLocked(userId: string, now: Date): Promise<void> {
  const until = await mfaLockedUntil(userId, now);
  if (until) throw tooMany('locked', (until.getTime() - now.getTime()) / 1000);
}

/**
 * A new challenge for a factor; SMS and email factors get a code, TOTP factors none. For a
 * factor whose last code is younger than the cooldown (any login, any purpose) → 429
 * `resend_too_soon`; the new challenge replaces the factor's previous one, whose code dies.
 */
export async function startChallenge(
  factor: Factor,
  owner: Owner,
  context: SendContext,
  challengeId = newChallengeId(),
): Promise<Challenge> {
  const now = context.now ?? new Date();
  const challenge: Challenge = {
    challengeId,
    userId: factor.userId,
    factorId: factor.factorId,
    factorType: factor.type,
    purpose: owner.purpose,
    ...(owner.loginDigest ? { loginDigest: owner.loginDigest } : {}),
    attempts: 0,
    sends: factor.type === 'totp' ? 0 : 1,
    ...windows(now, owner.purpose),
  };
  if (factor.type === 'totp') {
    await putChallenge(challenge);
    return challenge;
  }
  await assertNotLocked(factor.userId, now);
  const code = newOtpCode();
  challenge.codeDigest = await codeDigest(challengeId, code);
  // A pending factor's first code is no login's: it takes no slot (a sign-in right after
  // enrolling a phone must not wait), and its resends have their challenge's own cooldown.
  const previous = owner.purpose === 'enroll' ? {} : await claimSendSlot(factor, challengeId, now);
  try {
    await underAllowances(
      factor,
      { ip: context.ip, now, enrolling: owner.purpose === 'enroll' },
      async () => {
        await putChallenge(challenge);
        try {
          await deliver(factor, code);
        } catch (error) {
          await deleteChallenge(challengeId);
          throw error;
        }
      },
    );
  } catch (error) {
    if (owner.purpose !== 'enroll') await releaseSendSlot(factor, previous, challengeId, now);
    throw error;
  }
  // Sent: the factor's earlier challenge (another login's, an earlier /codes) stops working.
  if (previous.lastChallengeId && previous.lastChallengeId !== challengeId) {
    await deleteChallenge(previous.lastChallengeId);
  }
  return challenge;
}

/** A fresh code on the same challenge: the old code dies, the attempt count stays. */
export async function resendChallenge(
  factor: Factor,
  challengeId: string,
  owner: Owner,
  context: SendContext,
) {
  if (factor.type === 'totp') {
    throw new ApiError('invalid_request', {
      message: 'Authenticator-app codes are not sent: nothing to resend.',
      extra: { details: [{ path: 'challengeId', message: 'Not an SMS or email challenge.' }] },
    });
  }
  const now = context.now ?? new Date();
  await assertNotLocked(factor.userId, now);
  const code = newOtpCode();
  const newDigest = await codeDigest(challengeId, code);
  // A resend goes to the same number: it is no new number's first code.
  return underAllowances(factor, { ip: context.ip, now, enrolling: false }, async () => {
    // The challenge's own conditions first (live, this caller's, out of its cooldown): a
    // refusal there must not move the factor's slot.
    const replaced = await replaceCode(challengeId, owner, newDigest, now);
    let previous: SendSlot | undefined;
    try {
      if (owner.purpose !== 'enroll') previous = await claimSendSlot(factor, challengeId, now);
      await deliver(factor, code);
    } catch (error) {
      await restoreCode(replaced.previous, replaced.next);
      if (previous) await releaseSendSlot(factor, previous, challengeId, now);
      throw error;
    }
    return replaced.next;
  });
}
