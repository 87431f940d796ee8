import * as z from 'zod';
import { FACTOR_TYPES } from '../../shared/mfa/schemas.ts';

const count = (description: string) => z.number().int().describe(description);

/** The settings a client (or a help page) adapts to; each one is the value the service enforces. */
export const publicConfig = z.object({
  smsCountries: z
    .array(z.string())
    .describe('ISO 3166-1 alpha-2 codes of the countries SMS codes go to (`SMS_ALLOWED_COUNTRIES`), sorted.'),
  factorTypes: z.array(z.enum(FACTOR_TYPES)).describe('The factor types the service offers.'),
  passwordMinLength: count('Fewest characters of a new password (Unicode code points after NFKC).'),
  passwordMaxLength: count('Most characters of a new password (Unicode code points after NFKC).'),
  codeLength: count('Digits of every one-time code (SMS, email, authenticator app).'),
  codeTtlSeconds: count('How long an SMS or email code works.'),
  maxActiveFactors: count('Most active factors per account.'),
  recoveryCodeCount: count('Recovery codes in a set.'),
  rememberDeviceMaxDays: count('The longest "remember this device" an organisation may allow.'),
});
