import * as z from 'zod';

/** Shapes shared by several routes; route-specific schemas live beside their handlers. */
export const emailAddress = z
  .email({ message: 'Must be an email address.' })
  .max(254)
  .describe('Email address; compared case-insensitively.');

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
  return z
    .string()
    .overwrite((name) => name.normalize('NFC'))
    .trim()
    .min(1, { message: 'Must not be empty.' })
    .max(max)
    .refine((name) => name.isWellFormed() && !/[\p{Cc}\p{Cf}]/u.test(name.replaceAll('\u200d', '')), {
      message: 'Control characters, direction marks and invisible characters are not allowed.',
    })
    .refine((name) => !LINK_LIKE.test(name), { message: 'Web addresses are not allowed in names.' })
    .refine((name) => !/\p{M}{4}/u.test(name), { message: 'Too many accents on one letter.' });
}

export const errorBody = z
  .object({
    error: z.object({
      code: z.string().describe('Stable machine-readable code from the catalogue.'),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
      retryAfter: z.number().int().optional().describe('Seconds to wait, on 429 answers.'),
      attemptsRemaining: z.number().int().optional(),
      clockSkewSeconds: z
        .number()
        .int()
        .optional()
        .describe(
          "On `code_invalid` for an authenticator-app code that is right for another time step within ±10 minutes: how far the phone's clock is off, positive when it is ahead. Still a wrong code (counted like any).",
        ),
      requestId: z.string().optional().describe('On 5xx answers: quote it when reporting the problem.'),
    }),
  })
  .describe('Every error has this body.');

export const tokenPair = {
  accessToken: z
    .string()
    .describe(
      'JWT (RS256 by default), verify with the keys of /.well-known/openid-configuration; `scope` is `aal1`, or `aal1 aal2` after MFA.',
    ),
  refreshToken: z.string().describe('Opaque, rotated on every use.'),
  expiresIn: z.number().int().describe('Seconds until the access token expires.'),
};
