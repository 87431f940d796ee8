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
import type { Factor } from '../db/factors.ts';
import { type Window, withAllowances } from '../db/rate.ts';
import { ApiError } from '../http/errors.ts';
import { sendEmail } from '../notify/email.ts';
import { sendSms } from '../notify/sms.ts';
import { emailCode, smsCode } from '../notify/templates.ts';
import { codeDigest, newOtpCode } from './codes.ts';

/**
 * Sending codes. Order matters for "a failed send spends nothing" (DESIGN principle 6):
 * take the send allowances, write the code, send; if the provider fails, give the
 * allowances back and undo the write before answering `delivery_failed`.
 */
function allowances(factor: Factor): Window[] {
  const { sendsPerFactorPerHour, sendsPerDestinationPerDay, sendsPerUserPerDay } = config();
  return [
    { scope: 'send-factor', key: factor.factorId, seconds: 3600, limit: sendsPerFactorPerHour },
    // Per user: adding and deleting pending factors must not become a way to send without end.
    { scope: 'send-user', key: factor.userId, seconds: 86_400, limit: sendsPerUserPerDay },
    // Per destination too: several accounts (or re-enrollments) cannot flood one phone.
    {
      scope: 'send-destination',
      key: factor.destination ?? '',
      seconds: 86_400,
      limit: sendsPerDestinationPerDay,
    },
  ];
}

async function deliver(factor: Factor, code: string): Promise<void> {
  const minutes = Math.round(config().codeTtlSeconds / 60);
  if (factor.type === 'sms') await sendSms(factor.destination as string, smsCode({ code, minutes }));
  else await sendEmail(factor.destination as string, emailCode({ code, minutes }));
}

/** A new challenge for a factor; SMS and email factors get a code, TOTP factors none. */
export async function startChallenge(
  factor: Factor,
  owner: Owner,
  now = new Date(),
  challengeId = newChallengeId(),
): Promise<Challenge> {
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
  const code = newOtpCode();
  challenge.codeDigest = await codeDigest(challengeId, code);
  await withAllowances(allowances(factor), now, async () => {
    await putChallenge(challenge);
    try {
      await deliver(factor, code);
    } catch (error) {
      await deleteChallenge(challengeId);
      throw error;
    }
  });
  return challenge;
}

/** A fresh code on the same challenge: the old code dies, the attempt count stays. */
export async function resendChallenge(factor: Factor, challengeId: string, owner: Owner, now = new Date()) {
  if (factor.type === 'totp') {
    throw new ApiError('invalid_request', {
      message: 'Authenticator-app codes are not sent: nothing to resend.',
      extra: { details: [{ path: 'challengeId', message: 'Not an SMS or email challenge.' }] },
    });
  }
  const code = newOtpCode();
  const newDigest = await codeDigest(challengeId, code);
  return withAllowances(allowances(factor), now, async () => {
    const replaced = await replaceCode(challengeId, owner, newDigest, now);
    try {
      await deliver(factor, code);
    } catch (error) {
      await restoreCode(replaced.previous, replaced.next);
      throw error;
    }
    return replaced.next;
  });
}
