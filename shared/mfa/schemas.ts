import * as z from '../zod.ts';

// Request shapes of the MFA endpoints that several routes share. Only zod here: the route
// table imports this, and every function bundle imports the route table.

/** Every one-time code, sent or from an authenticator app (whose apps honour only 6). */
export const CODE_DIGITS = 6;

/**
 * One-time codes are exactly six ASCII digits. No trimming and no Unicode digits: a code
 * that is not byte-for-byte what was sent is wrong (a lenient parser is one more way in).
 */
export const otpCode = z.describe(
  z
    .string()
    .check(z.regex(new RegExp(`^[0-9]{${CODE_DIGITS}}$`), { message: 'Must be exactly six digits 0-9.' })),
  'Six ASCII digits.',
);

export const recoveryCode = z.describe(
  z.string().check(z.minLength(1), z.maxLength(64)),
  'A recovery code, as shown: XXXX-XXXX-XXXX-XXXX.',
);

export const verification = z.describe(
  z.union([
    z.strictObject({ factorId: z.string().check(z.minLength(1), z.maxLength(64)), code: otpCode }),
    z.strictObject({ challengeId: z.string().check(z.minLength(1), z.maxLength(64)), code: otpCode }),
    z.strictObject({ recoveryCode }),
  ]),
  'Proof of a current factor: `{ factorId, code }` (TOTP), `{ challengeId, code }` (from /codes) or `{ recoveryCode }`.',
);
