import { z } from 'zod';
import { emailAddress, tokenPair } from '../../shared/http/schemas.ts';

export const createSessionBody = z.strictObject({
  email: emailAddress,
  // Not the sign-up rules: a login must answer `invalid_credentials`, never reveal the policy.
  password: z.string().min(1).max(1024),
  deviceToken: z.string().max(512).optional().describe('From an earlier "remember this device".'),
});

export const sessionAuthenticated = z.object({
  status: z.literal('authenticated'),
  ...tokenPair,
  mfa: z.object({
    enabled: z.boolean().describe('The user has an active factor.'),
    suggested: z
      .boolean()
      .describe('The org policy is optional and the user has no factor: offer enrollment with Skip.'),
  }),
});

export const refreshSessionBody = z.strictObject({ refreshToken: z.string().min(1).max(512) });

export const sessionRefreshed = z.object(tokenPair);
