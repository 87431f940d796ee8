import * as z from 'zod';

/** Shapes shared by several routes; route-specific schemas live beside their handlers. */
export const emailAddress = z
  .email({ message: 'Must be an email address.' })
  .max(254)
  .describe('Email address; compared case-insensitively.');

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
  accessToken: z.string().describe('ES256 JWT, verify with /.well-known/jwks.json.'),
  refreshToken: z.string().describe('Opaque, rotated on every use.'),
  expiresIn: z.number().int().describe('Seconds until the access token expires.'),
};
