import { config } from '../config.ts';
import { eventPuts } from '../db/events.ts';
import { newSession } from '../db/sessions.ts';
import { type TransactItem, transact } from '../db/transact.ts';
import type { User } from '../db/users.ts';
import { issueAccessToken } from './tokens.ts';

export interface OpenSession {
  aal: 1 | 2;
  amr: string[];
  ip: string;
  userAgent: string;
  /** What the login used up (challenge, mfaToken, recovery code…): written with the session. */
  items?: TransactItem[];
  conflict?: (index: number) => Error;
}

/**
 * A new session and its tokens. The session, the `session.created` event and whatever the
 * login consumed are one transaction: either the user is logged in and the proof is spent,
 * or neither.
 */
export async function openSession(user: User, input: OpenSession, now = new Date()) {
  const { session, refreshToken, puts } = await newSession(
    {
      userId: user.userId,
      orgId: user.orgId,
      role: user.role,
      aal: input.aal,
      amr: input.amr,
      authTime: now,
      ip: input.ip,
      userAgent: input.userAgent,
    },
    now,
  );
  const event = eventPuts(
    {
      type: 'session.created',
      userId: user.userId,
      ip: input.ip,
      userAgent: input.userAgent,
      details: { aal: input.aal, amr: input.amr },
    },
    now,
  );
  await transact([...(input.items ?? []), ...puts, ...event], input.conflict);
  const accessToken = await issueAccessToken({
    userId: user.userId,
    sessionId: session.sessionId,
    orgId: user.orgId,
    role: user.role,
    aal: input.aal,
    amr: input.amr,
    authTime: now,
    scope: 'full',
  });
  return { accessToken, refreshToken, expiresIn: config().accessTokenTtlSeconds };
}

/**
 * `mfa_enrollment_required`: an access token with `scope: "mfa:enroll"` (usable on the factor
 * enrollment endpoints only), backed by a short session so it can be revoked, and no refresh
 * token: when it expires the user logs in again.
 */
export async function openEnrollmentSession(
  user: User,
  context: { ip: string; userAgent: string },
  now = new Date(),
) {
  const ttlSeconds = config().mfaTokenTtlSeconds;
  const { session, puts } = await newSession(
    { userId: user.userId, scope: 'mfa:enroll', ttlSeconds, aal: 1, amr: ['pwd'], authTime: now, ...context },
    now,
  );
  await transact(puts);
  const enrollmentToken = await issueAccessToken(
    {
      userId: user.userId,
      sessionId: session.sessionId,
      orgId: user.orgId,
      role: user.role,
      aal: 1,
      amr: ['pwd'],
      authTime: now,
      scope: 'mfa:enroll',
      ttlSeconds,
    },
    now,
  );
  return { enrollmentToken, expiresIn: ttlSeconds };
}
