import { ulid } from 'ulid';
import { checkPassword } from '../../shared/auth/password-check.ts';
import { stepUp } from '../../shared/auth/step-up.ts';
import { config } from '../../shared/config.ts';
import { deleteChallenge, newChallengeId } from '../../shared/db/challenges.ts';
import { eventPuts } from '../../shared/db/events.ts';
import {
  deletePendingFactor,
  type Factor,
  listFactors,
  pendingFactorPut,
  proofSpent,
  publicFactor,
  sealTotpSecret,
} from '../../shared/db/factors.ts';
import { transact } from '../../shared/db/transact.ts';
import { findUserById, normaliseEmail, sameMailbox } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { startChallenge } from '../../shared/mfa/delivery.ts';
import { reportRecoveryUse } from '../../shared/mfa/notices.ts';
import { normalisePhoneNumber } from '../../shared/mfa/phone.ts';
import { policyFor } from '../../shared/mfa/policy.ts';
import { type Checked, checkProof } from '../../shared/mfa/proof.ts';
import { base32Encode, newTotpSecret, otpauthUri, qrCodeDataUrl } from '../../shared/mfa/totp.ts';
import * as routes from '../routes/mfa.ts';

const defaultLabel = { totp: 'Authenticator app', sms: 'Phone', email: 'Email' } as const;

export const handler = http(routes.createFactor, async ({ body, auth, ip, userAgent }) => {
  const context = { ip, userAgent };
  const found = await findUserById(auth.sub);
  if (!found) throw new ApiError('unauthorized');
  const user = await checkPassword(found.email, found, body.password, context);

  if (!(await policyFor(user)).allowedFactorTypes.includes(body.type))
    throw new ApiError('factor_type_not_allowed');

  const factors = await listFactors(user.userId);
  const active = factors.filter((factor) => factor.status === 'active');
  if (!body.replaces && active.length >= config().maxActiveFactors)
    throw new ApiError('factor_limit_reached');
  // Pending factors expire, but unbounded ones would be a way to fan out code sends.
  if (factors.length - active.length >= config().maxActiveFactors) throw new ApiError('factor_limit_reached');

  const phone =
    body.type === 'sms'
      ? normalisePhoneNumber({
          phoneNumber: body.phoneNumber as string,
          ...(body.country ? { country: body.country } : {}),
        })
      : undefined;
  const destination =
    phone?.e164 ?? (body.type === 'email' ? normaliseEmail(body.email as string) : undefined);
  // The sign-in address is where a forgotten password is reset: codes to it are no second factor.
  if (body.type === 'email' && sameMailbox(destination ?? '', user.email)) {
    throw new ApiError('invalid_request', {
      message: 'Use another address than the one you sign in with.',
      extra: {
        details: [
          {
            path: 'body.email',
            message: 'A password reset already goes to this address: it cannot also be your second factor.',
          },
        ],
      },
    });
  }
  if (
    destination &&
    active.some((factor) => factor.type === body.type && factor.destination === destination)
  ) {
    throw new ApiError('already_exists', { message: 'This destination is already one of your factors.' });
  }

  // Changing a number or address: the old factor itself must be proven, by a code sent to it.
  // Any other addition, once the user has MFA, needs a proof of a current factor or a session
  // that just proved one (stepUp): the password alone must not mint a factor, and with it aal 2.
  const old = body.replaces ? active.find((factor) => factor.factorId === body.replaces) : undefined;
  if (body.replaces && (!old || old.type !== body.type)) throw new ApiError('not_found');
  let proof: Checked | undefined;
  if (old) {
    if (!body.verification) throw new ApiError('verification_required');
    proof = await checkProof(user, body.verification, { purpose: 'verify' }, context);
    if (proof.factor?.factorId !== old.factorId) {
      throw new ApiError('verification_required', {
        message: 'Prove the factor being replaced with a code sent to it.',
      });
    }
  } else {
    proof = await stepUp(user, auth, body.verification, context);
  }

  const factorId = ulid();
  const base = {
    factorId,
    userId: user.userId,
    type: body.type,
    label: body.label ?? defaultLabel[body.type],
    createdAt: new Date().toISOString(),
    ...(destination ? { destination } : {}),
    // For the per-country SMS budget (the circuit breaker).
    ...(phone ? { country: phone.country } : {}),
    ...(body.replaces ? { replaces: body.replaces } : {}),
  };
  // Recorded, not emailed: a pending factor signs nobody in until its first code, and the
  // activation (or, unused, nothing at all) is what the owner hears of.
  const added = eventPuts({
    type: 'factor.added',
    userId: user.userId,
    orgId: user.orgId,
    ...context,
    details: { factorId, type: body.type },
  });

  if (body.type === 'totp') {
    const secret = newTotpSecret();
    const { factor, put } = pendingFactorPut({
      ...base,
      sealedSecret: await sealTotpSecret(user.userId, factorId, secret),
    });
    await transact(
      [...(proof?.items ?? []), put, ...added],
      () => proof?.conflict ?? new ApiError('already_exists'),
      proof?.lost,
    );
    if (proof) await reportRecoveryUse(user, proof, context);
    const uri = otpauthUri({ secret, issuer: config().serviceName, account: user.email });
    return {
      status: 201,
      body: {
        factor: publicFactor(factor),
        secret: base32Encode(secret),
        otpauthUri: uri,
        qrCode: await qrCodeDataUrl(uri),
      },
    };
  }

  const challengeId = newChallengeId();
  const { factor, put } = pendingFactorPut({
    ...base,
    challengeId,
    ...(proof ? { awaitingProof: true } : {}),
  });
  await transact([put]);
  let challenge: Awaited<ReturnType<typeof startChallenge>>;
  try {
    challenge = await startChallenge(
      factor as Factor,
      { userId: user.userId, purpose: 'enroll' },
      { ip },
      challengeId,
    );
  } catch (error) {
    // Nothing is left behind when the code cannot be delivered (and the proof stays unspent).
    await deletePendingFactor(user.userId, factorId);
    throw error;
  }
  // Recorded, and the proof spent, only once the new code is on its way. A parallel request that
  // spent the same proof first wins; this one leaves nothing behind that could be activated.
  try {
    await transact(
      [...(proof?.items ?? []), ...(proof ? [proofSpent(factor)] : []), ...added],
      () => proof?.conflict ?? new ApiError('challenge_expired'),
      proof?.lost,
    );
  } catch (error) {
    await Promise.all([deletePendingFactor(user.userId, factorId), deleteChallenge(challengeId)]);
    throw error;
  }
  if (proof) await reportRecoveryUse(user, proof, context);
  return {
    status: 201,
    body: {
      factor: publicFactor(factor),
      challengeId,
      expiresAt: challenge.expiresAt,
      resendAvailableAt: challenge.resendAvailableAt,
    },
  };
});
