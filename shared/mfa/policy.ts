import { config } from '../config.ts';
import type { Factor } from '../db/factors.ts';
import { defaultPolicy, getOrg, type MfaPolicy } from '../db/orgs.ts';
import type { User } from '../db/users.ts';
import type { FactorType } from './factor-types.ts';

/**
 * What an organisation's MFA policy means for one user at login. Users outside an
 * organisation get the service defaults (MFA off, every factor type allowed).
 */
export async function policyFor(user: User): Promise<MfaPolicy> {
  const org = user.orgId ? await getOrg(user.orgId) : undefined;
  return org?.policy ?? defaultPolicy(config().rememberDeviceDays);
}

export type LoginStep =
  | { kind: 'mfa'; factors: Factor[] }
  | { kind: 'password_only'; suggested: boolean }
  | { kind: 'enrollment_required'; allowedFactorTypes: FactorType[] };

export function inGracePeriod(policy: MfaPolicy, now: Date): boolean {
  if (policy.mode !== 'required' || !policy.graceDays || !policy.requiredSince) return false;
  return Date.parse(policy.requiredSince) + policy.graceDays * 86_400_000 > now.getTime();
}

/**
 * A user with an active factor of an allowed type is asked for it whatever the mode (they
 * chose MFA). Otherwise: `off` logs in, `optional` logs in and suggests enrolling, `required`
 * suggests during the grace period and then insists. A factor of a type the policy no longer
 * allows is not offered; a user left with only such factors must enroll an allowed one.
 */
export function loginStep(policy: MfaPolicy, active: Factor[], now: Date): LoginStep {
  const allowed = active.filter((factor) => policy.allowedFactorTypes.includes(factor.type));
  if (allowed.length > 0) return { kind: 'mfa', factors: allowed };
  // A user who has MFA only of types the policy no longer allows must enroll an allowed one
  // whatever the mode: a policy may make MFA stronger, never switch a user's MFA off.
  const disallowedOnly = active.length > 0;
  if (disallowedOnly || (policy.mode === 'required' && !inGracePeriod(policy, now))) {
    return { kind: 'enrollment_required', allowedFactorTypes: policy.allowedFactorTypes };
  }
  return { kind: 'password_only', suggested: policy.mode !== 'off' };
}

/** Whether a remembered device still stands in for MFA under the policy (0 days: never). */
export function deviceHonoured(policy: MfaPolicy, device: { createdAt: string }, now: Date): boolean {
  return (
    policy.rememberDeviceDays > 0 &&
    Date.parse(device.createdAt) + policy.rememberDeviceDays * 86_400_000 > now.getTime()
  );
}

const MODES = ['off', 'optional', 'required'] as const;

/** What the new policy lets members do that the old one did not (empty: as strict or stricter). */
export function weakenings(old: MfaPolicy, next: Omit<MfaPolicy, 'requiredSince'>): string[] {
  return [
    MODES.indexOf(next.mode) < MODES.indexOf(old.mode) && `mode ${old.mode} → ${next.mode}`,
    next.allowedFactorTypes.some((type) => !old.allowedFactorTypes.includes(type)) && 'more factor types',
    next.rememberDeviceDays > old.rememberDeviceDays && 'longer remembered devices',
    next.graceDays > old.graceDays && 'a longer grace period',
  ].filter((reason): reason is string => typeof reason === 'string');
}
