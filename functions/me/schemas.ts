import { verification } from '../../shared/mfa/schemas.ts';
import * as z from '../../shared/zod.ts';
import { password } from '../users/schemas.ts';

export const sessionParams = z.strictObject({ sessionId: z.string().check(z.minLength(1), z.maxLength(64)) });

export const sessionList = z.object({
  sessions: z.array(
    z.object({
      id: z.string(),
      createdAt: z.string(),
      lastUsedAt: z.describe(z.nullable(z.string()), 'The last refresh; null until the first one.'),
      ip: z.describe(z.nullable(z.string()), 'Where the session was opened from.'),
      userAgent: z.nullable(z.string()),
      aal: z.union([z.literal(1), z.literal(2)]),
      current: z.describe(z.boolean(), 'The session of the token making this call.'),
    }),
  ),
});

export const changePasswordBody = z.strictObject({
  currentPassword: z.string().check(z.minLength(1), z.maxLength(1024)),
  newPassword: password,
  verification: z.describe(
    z.optional(verification),
    'Needed when the user has MFA, unless the token is aal 2 and fresh.',
  ),
});

export const securityReportBody = z.strictObject({
  token: z.describe(
    z.string().check(z.minLength(1), z.maxLength(128)),
    'From the "This wasn\'t me" link of a security email.',
  ),
});
