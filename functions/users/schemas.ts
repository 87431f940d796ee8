import { emailAddress } from '../../shared/http/schemas.ts';
import { otpCode } from '../../shared/mfa/schemas.ts';
import * as z from '../../shared/zod.ts';
import { challengeTimes } from '../mfa/schemas.ts';

// A new password: its rules (NIST SP 800-63B-4 §3.1.1.2) are checked by assertStrongPassword,
// which counts code points after NFKC; this bound only keeps the input (and argon2) small.
export const password = z.describe(
  z.string().check(z.minLength(1), z.maxLength(1024)),
  '15 to 128 characters (Unicode code points after NFKC), not a common or easily guessed password and not built from the email address or the service name; else 400 `password_too_weak` with `reason`.',
);

const id = z.string().check(z.minLength(1), z.maxLength(64));

export const createUserBody = z.strictObject({ email: emailAddress, password });

export const verificationStarted = z.describe(
  z.object({
    verificationId: z.describe(z.string(), 'Send it back with the emailed code to POST /v1/users/verify.'),
    ...challengeTimes,
  }),
  'The same for every address, with or without an account: only the owner of the address can finish.',
);

export const verifyUserBody = z.strictObject({ verificationId: id, code: otpCode });
export const resendVerificationBody = z.strictObject({ verificationId: id });
export const verificationResent = z.object(challengeTimes);

export const createResetBody = z.strictObject({ email: emailAddress });
export const resetStarted = z.describe(
  z.object({
    resetId: z.describe(z.string(), 'Send it back with the emailed code and the new password.'),
    expiresAt: challengeTimes.expiresAt,
  }),
  'The same for every address: only a verified account gets a code.',
);
export const resetParams = z.strictObject({ resetId: id });
export const confirmResetBody = z.strictObject({ code: otpCode, newPassword: password });
