import { settingsSchema } from '../../shared/config.ts';
import * as z from '../../shared/zod.ts';

/**
 * The `settings` context: every runtime setting of shared/config.ts, by its environment
 * variable name (the names the README's tables use), e.g.
 * `-c settings='{"CODE_TTL_SECONDS":600,"SMS_ALLOWED_COUNTRIES":["NL","BE"]}'`.
 * Validated at synth by the schema the functions parse their environment with, so a bad value
 * fails `cdk synth` with the setting's name instead of the first request after a deploy.
 */

/** Set by the stack from the resources it creates; never by hand. */
export const stackOwnedSettings = ['TABLE_NAME', 'KMS_KEY_ID', 'EVENT_BUS_NAME'] as const;

/** A setting's value as JSON gives it: lists may be arrays or comma-separated text. */
export type SettingValue = string | number | boolean | readonly string[];
export type Settings = Readonly<Record<string, SettingValue>>;

const settableSchema = z.strictObject(
  z.omit(settingsSchema, { TABLE_NAME: true, KMS_KEY_ID: true, EVENT_BUS_NAME: true }).shape,
);

/** The environment-variable text of a setting's value, as the functions will read it. */
const asEnv = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.join(',')
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : value;

/**
 * The settings as Lambda environment variables, or every problem at once, each starting with
 * `settings.<NAME>`: unknown names, names the stack owns, values of the wrong type or range.
 */
export function settingsEnvironment(settings: unknown): { env: Record<string, string>; problems: string[] } {
  if (settings === undefined || settings === null) return { env: {}, problems: [] };
  if (typeof settings !== 'object' || Array.isArray(settings)) {
    return { env: {}, problems: [`settings must be a JSON object of setting names to values`] };
  }
  const entries = Object.entries(settings);
  const problems: string[] = [];
  for (const [name, value] of entries) {
    if ((stackOwnedSettings as readonly string[]).includes(name)) {
      problems.push(`settings.${name} is set by the stack`);
    } else if (!(typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) {
      if (!(Array.isArray(value) && value.every((item) => typeof item === 'string'))) {
        problems.push(`settings.${name} must be a string, a number or a list of strings`);
      }
    }
  }
  const env = Object.fromEntries(
    entries
      .filter(([name]) => !(stackOwnedSettings as readonly string[]).includes(name))
      .map(([name, value]) => [name, asEnv(value)]),
  );
  const parsed = settableSchema.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) problems.push(`settings.${key} is not a setting of shared/config.ts`);
      } else if (!problems.some((problem) => problem.startsWith(`settings.${String(issue.path[0])} `))) {
        problems.push(`settings.${issue.path.join('.')}: ${issue.message}`);
      }
    }
  }
  return { env: problems.length ? {} : (env as Record<string, string>), problems };
}

/** The value every setting takes in the functions given these variables (defaults filled in). */
export function effectiveSettings(env: Record<string, string>): z.output<typeof settingsSchema> {
  return settingsSchema.parse({ TABLE_NAME: '-', KMS_KEY_ID: '-', ...env });
}
