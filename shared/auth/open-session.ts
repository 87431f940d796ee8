import { config } from '../config.ts';
import { consumePendingLogin, type PendingLogin } from '../db/logins.ts';
import { newSession, revokeSession, type SessionProof } from '../db/sessions.ts';
import { allGuarded, type TransactItem, transact } from '../db/transact.ts';
import { authVersionOf, findUserById, type User } from '../db/users.ts';
import { ApiError } from '../http/errors.ts';
import { count, metricNames } from '../metrics.ts';
import { issueAccessToken } from './tokens.ts';

export interface OpenSession {
  aal: 1 | 2;
  amr: string[];
  ip: string;
  userAgent: string;
  /** What the login used up (challenge, mfaToken, recovery code…): written with the session. */
  items?: TransactItem[];
  /** The error for a failed item that carries none of its own (the proof's items carry theirs). */
  conflict?: () => Error;
  /** When the write does not happen: the proof among `items` gives its attempt back. */
  lost?: () => Promise<void>;
  /**
   * The password version this login was checked against (default: the user's as read). A
   * reset that completes with this session passes the version it sets.
   */
  authVersion?: number;
  /** The MFA step the login passed: its `mfa.verified` event is derived with `session.created`. */
  proof?: SessionProof;
  /**
   * The password-verified login this session completes: it is used up in the same write (the
   * session it named is created, conditional on its absence), so one login opens one session.
   */
  login?: PendingLogin;
}

/**
 * A session stands only if the password it was opened with is still the account's. A password
 * change lists and revokes sessions after its own commit; a login in flight across that commit
 * is caught here instead, by one consistent read after the session is written: whichever of
 * the two writes came second sees the other (no extra write and no contention on the profile).
 */
async function confirmPasswordVersion(userId: string, sessionId: string, version: number): Promise<void> {
  const current = await findUserById(userId);
  if (current && authVersionOf(current) === version) return;
  await revokeSession(sessionId, 'password_changed');
  throw new ApiError('invalid_credentials');
}

/**
 * A new session and its tokens. The session and whatever the login consumed are one
 * transaction: either the user is logged in and the proof is spent, or neither. Its audit
 * events (`session.created`, `mfa.verified`) are not in that transaction: the stream worker
 * derives them from the session's record (functions/events/publish.ts), at least once and
 * under ids fixed here, so they cost no transactional writes and can be neither lost nor doubled.
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
      ...(input.proof ? { proof: input.proof } : {}),
      ...(input.login?.sessionId ? { sessionId: input.login.sessionId } : {}),
    },
    now,
  );
  // A login used already (its session exists, or it was deleted): that, whatever else failed.
  const used = new ApiError('mfa_token_invalid');
  const completing = input.login
    ? [...allGuarded(consumePendingLogin(input.login), used), ...allGuarded(puts, used)]
    : puts;
  await transact([...(input.items ?? []), ...completing], input.conflict, input.lost);
  await confirmPasswordVersion(user.userId, session.sessionId, input.authVersion ?? authVersionOf(user));
  count(metricNames.logins);
  const accessToken = await issueAccessToken({
    userId: user.userId,
    sessionId: session.sessionId,
    orgId: user.orgId,
    role: user.role,
    aal: input.aal,
    amr: input.amr,
    authTime: now,
    kind: 'access',
  });
  return {
    tokens: { accessToken, refreshToken, expiresIn: config().accessTokenTtlSeconds },
    sessionId: session.sessionId,
  };
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
  await confirmPasswordVersion(user.userId, session.sessionId, authVersionOf(user));
  const enrollmentToken = await issueAccessToken(
    {
      userId: user.userId,
      sessionId: session.sessionId,
      orgId: user.orgId,
      role: user.role,
      aal: 1,
      amr: ['pwd'],
      authTime: now,
      kind: 'enrollment',
      ttlSeconds,
    },
    now,
  );
  return { enrollmentToken, expiresIn: ttlSeconds };
}
