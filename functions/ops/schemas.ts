import { FACTOR_TYPES } from '../../shared/mfa/factor-types.ts';
import * as z from '../../shared/zod.ts';

const count = (description: string) => z.describe(z.int(), description);

/** The settings a client (or a help page) adapts to; each one is the value the service enforces. */
export const publicConfig = z.object({
  smsCountries: z.describe(
    z.array(z.string()),
    'ISO 3166-1 alpha-2 codes of the countries SMS codes go to (`SMS_ALLOWED_COUNTRIES`), sorted.',
  ),
  factorTypes: z.describe(z.array(z.enum(FACTOR_TYPES)), 'The factor types the service offers.'),
  passwordMinLength: count('Fewest characters of a new password (Unicode code points after NFKC).'),
  passwordMaxLength: count('Most characters of a new password (Unicode code points after NFKC).'),
  codeLength: count('Digits of every one-time code (SMS, email, authenticator app).'),
  codeTtlSeconds: count('How long an SMS or email code works.'),
  maxActiveFactors: count('Most active factors per account.'),
  recoveryCodeCount: count('Recovery codes in a set.'),
  rememberDeviceMaxDays: count('The longest "remember this device" an organisation may allow.'),
});

/** OpenID Connect Discovery 1.0 §3: the members a JWT verifier reads, and nothing this service does not do. */
export const discoveryDocument = z.object({
  issuer: z.describe(z.string(), '`iss` of every token: the public API URL, without a trailing slash.'),
  jwks_uri: z.describe(z.string(), 'The JSON Web Key Set that verifies the tokens.'),
  id_token_signing_alg_values_supported: z.describe(
    z.array(z.enum(['RS256', 'ES256'])),
    'Algorithms of the published keys (`RS256` by default; both while the algorithm changes).',
  ),
  token_endpoint_auth_methods_supported: z.array(z.literal('none')),
  scopes_supported: z.describe(
    z.array(z.string()),
    '`aal1` on every access token, `aal2` also on aal 2 sessions; `mfa:enroll` on enrollment tokens.',
  ),
  claims_supported: z.array(z.string()),
  response_types_supported: z.describe(z.array(z.string()), 'Empty: there is no authorization endpoint.'),
  subject_types_supported: z.array(z.literal('public')),
});
