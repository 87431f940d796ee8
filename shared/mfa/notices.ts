import { notifyOwner } from '../auth/security-notice.ts';
import { recordEvent } from '../db/events.ts';
import { type Factor, publicFactor } from '../db/factors.ts';
import type { User } from '../db/users.ts';
import {
  factorActivated,
  factorRemoved,
  factorRenamed,
  factorReplaced,
  recoveryCodeUsed,
} from '../notify/templates.ts';
import type { RequestContext } from './guard.ts';
import type { Checked } from './proof.ts';

const templates = { factorActivated, factorRemoved, factorReplaced, factorRenamed };

/**
 * Emails the account owner about a change to one of their factors (never fails the request).
 * `previous`: the factor as it was (the replaced one, or before the rename).
 */
export async function tellOwner(
  user: User,
  what: keyof typeof templates,
  factor: Factor,
  context: RequestContext,
  previous?: Factor,
): Promise<void> {
  const notice = {
    at: new Date(),
    ...context,
    factorType: factor.type,
    label: factor.label,
    ...(factor.destination ? { destination: publicFactor(factor).destination as string } : {}),
    ...(previous?.destination ? { previousDestination: publicFactor(previous).destination as string } : {}),
    previousLabel: previous?.label ?? factor.label,
  };
  await notifyOwner(user, (reportUrl) => templates[what]({ ...notice, reportUrl }), what);
}

/** A recovery code spent as a `verification` is reported like one spent at login. */
export async function reportRecoveryUse(user: User, proof: Checked, context: RequestContext): Promise<void> {
  if (proof.method !== 'recovery') return;
  const remaining = proof.recoveryCodesRemaining ?? 0;
  await recordEvent({
    type: 'recovery_code.used',
    userId: user.userId,
    orgId: user.orgId,
    ...context,
    details: { remaining },
  });
  await notifyOwner(
    user,
    (reportUrl) => recoveryCodeUsed({ at: new Date(), ...context, remaining, reportUrl }),
    'recovery_code.used',
  );
}
