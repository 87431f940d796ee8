import * as z from '../zod.ts';

/** Shapes shared by several routes; route-specific schemas live beside their handlers. */
export const emailAddress = z.describe(
  z.email({ message: 'Must be an email address.' }).check(z.maxLength(254)),
  'Email address; compared case-insensitively.',
);

// Text a mail app turns into a link: a scheme, "www.", or a dot between letters (evil.example).
const LINK_LIKE = /:\/\/|www\.|[\p{L}\p{N}][.．。｡][\p{L}]{2,}/iu;

/**
 * A name people choose that others read: a factor's label (in the sign-in picker and security
 * emails) or an organisation's name (in invitations to strangers). Stored in NFC, so a name typed
 * again compares equal; no control or format characters (a bidi override reverses the text
 * after it, zero-width ones hide text; the joiner inside an emoji stays), no lone surrogates, no
 * web address (a name must not become a link in a genuine email), at most three combining marks
 * in a row.
 */
export function chosenName(max: number) {
  return z.string().check(
    z.overwrite((name) => name.normalize('NFC')),
    z.trim(),
    z.minLength(1, { message: 'Must not be empty.' }),
    z.maxLength(max),
    z.refine((name) => name.isWellFormed() && !/[\p{Cc}\p{Cf}]/u.test(name.replaceAll('\u200d', '')), {
      message: 'Control characters, direction marks and invisible characters are not allowed.',
    }),
    z.refine((name) => !LINK_LIKE.test(name), { message: 'Web addresses are not allowed in names.' }),
    z.refine((name) => !/\p{M}{4}/u.test(name), { message: 'Too many accents on one letter.' }),
  );
}

export const errorBody = z.describe(
  z.object({
    error: z.object({
      code: z.describe(z.string(), 'Stable machine-readable code from the catalogue.'),
      message: z.string(),
      details: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
      retryAfter: z.describe(z.optional(z.int()), 'Seconds to wait, on 429 answers.'),
      attemptsRemaining: z.optional(z.int()),
      clockSkewSeconds: z.describe(
        z.optional(z.int()),
        "On `code_invalid` for an authenticator-app code that is right for another time step within ±10 minutes: how far the phone's clock is off, positive when it is ahead. Still a wrong code (counted like any).",
      ),
      requestId: z.describe(z.optional(z.string()), 'On 5xx answers: quote it when reporting the problem.'),
    }),
  }),
  'Every error has this body.',
);

export const tokenPair = {
  accessToken: z.describe(
    z.string(),
    'JWT (RS256 by default), verify with the keys of /.well-known/openid-configuration; `scope` is `aal1`, or `aal1 aal2` after MFA.',
  ),
  refreshToken: z.describe(z.string(), 'Opaque, rotated on every use.'),
  expiresIn: z.describe(z.int(), 'Seconds until the access token expires.'),
};
