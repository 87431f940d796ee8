import * as z from 'zod';
import { verification } from '../../shared/mfa/schemas.ts';
import { password } from '../users/schemas.ts';

export const sessionParams = z.strictObject({ sessionId: z.string().min(1).max(64) });

export const sessionList = z.object({
  sessions: z.array(
    z.object({
      id: z.string(),
      createdAt: z.string(),
      lastUsedAt: z.string().nullable().describe('The last refresh; null until the first one.'),
      ip: z.string().nullable().describe('Where the session was opened from.'),
      userAgent: z.string().nullable(),
      aal: z.union([z.literal(1), z.literal(2)]),
      current: z.boolean().describe('The session of the token making this call.'),
    }),
  ),
});

export const changePasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(1024),
  newPassword: password,
  verification: verification
    .optional()
    .describe('Needed when the user has MFA, unless the token is aal 2 and fresh.'),
});

export const securityReportBody = z.strictObject({
  token: z.string().min(1).max(128).describe('From the "This wasn\'t me" link of a security email.'),
});
