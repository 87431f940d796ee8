import { App, Validations } from 'aws-cdk-lib';
import nag from 'cdk-nag';
import { MfaStack, type MfaStackProps } from './stack.ts';

/**
 * Settings come from CDK context: defaults in cdk.json, overrides with `-c key=value`. Values
 * given with `-c` arrive as strings, so lists accept JSON or comma-separated text and numbers
 * accept numeric text; MfaStack then validates what the values mean.
 */
const app = new App();

function required(key: string): unknown {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined) throw new Error(`Missing context "${key}": set it in cdk.json or -c ${key}=…`);
  return value;
}

/** `null` in cdk.json lists a key that is unset by default. */
function optional(key: string): unknown {
  const value: unknown = app.node.tryGetContext(key);
  return value === null ? undefined : value;
}

function optionalText(key: string): string | undefined {
  const value = optional(key);
  if (value === undefined || typeof value === 'string') return value;
  throw new Error(`Context "${key}" must be a string, got ${JSON.stringify(value)}`);
}

function text(key: string): string {
  required(key);
  return optionalText(key) as string;
}

function list(key: string): string[] {
  const value = required(key);
  const parsed: unknown =
    typeof value !== 'string'
      ? value
      : value.trim().startsWith('[')
        ? JSON.parse(value)
        : value
            .split(',')
            .map((item) => item.trim())
            .filter(Boolean);
  if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) return parsed;
  throw new Error(`Context "${key}" must be a list of strings, got ${JSON.stringify(value)}`);
}

function number(key: string): number {
  const value = required(key);
  const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof parsed === 'number' && Number.isFinite(parsed)) return parsed;
  throw new Error(`Context "${key}" must be a number, got ${JSON.stringify(value)}`);
}

function optionalNumber(key: string): number | undefined {
  return optional(key) === undefined ? undefined : number(key);
}

function flag(key: string): boolean {
  const value = optional(key) ?? false;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`Context "${key}" must be true or false, got ${JSON.stringify(value)}`);
}

/** A JSON object given as text with -c or as an object in cdk.json; MfaService validates its entries. */
function jsonObject(key: string): unknown {
  const value = optional(key);
  try {
    return typeof value === 'string' ? JSON.parse(value) : value;
  } catch (error) {
    throw new Error(`Context "${key}" must be a JSON object: ${(error as Error).message}`);
  }
}

/** The `settings` object: JSON text with -c, an object in cdk.json; MfaService checks every entry
 * against shared/config.ts's schema. */
const settings = (key: string) => jsonObject(key) as MfaStackProps['settings'];

const breaker = ['smsPerHour', 'smsPerDay', 'smsPerCountryPerHour'].map(optionalNumber);
if (breaker.some((value) => value !== undefined) && breaker.some((value) => value === undefined)) {
  throw new Error(
    'Context smsPerHour, smsPerDay and smsPerCountryPerHour go together: set all three or none',
  );
}
const [smsPerHour, smsPerDay, smsPerCountryPerHour] = breaker;

const props: MfaStackProps = {
  stage: text('stage'),
  allowedOrigins: list('allowedOrigins'),
  sesSender: text('sesSender'),
  smsAllowedCountries: list('smsAllowedCountries'),
  tableRetention: text('tableRetention') as MfaStackProps['tableRetention'],
  logRetentionDays: number('logRetentionDays'),
  throttle: { rateLimit: number('throttleRate'), burstLimit: number('throttleBurst') },
  smsMonthlySpendLimitUsd: number('smsMonthlySpendLimitUsd'),
  tokenIssuer: optionalText('tokenIssuer'),
  tokenAudience: optionalText('tokenAudience'),
  logLevel: optionalText('logLevel') as MfaStackProps['logLevel'],
  appUrl: optionalText('appUrl'),
  alarmTopicArn: optionalText('alarmTopicArn'),
  alarmEmail: optionalText('alarmEmail'),
  api: (optionalText('api') ?? 'http') as MfaStackProps['api'],
  waf: flag('waf'),
  manageAccountSmsSettings: flag('manageAccountSmsSettings'),
  senderIdentity: optionalText('senderIdentity'),
  eventBusName: optionalText('eventBusName'),
  // On unless turned off: a key that never rotates is the one a leak keeps working with.
  signingKeyRotation: optional('signingKeyRotation') === undefined || flag('signingKeyRotation'),
  settings: settings('settings'),
  routeThrottles: jsonObject('routeThrottles') as MfaStackProps['routeThrottles'],
  smsBreaker:
    smsPerHour === undefined
      ? undefined
      : {
          perHour: smsPerHour,
          perDay: smsPerDay as number,
          perCountryPerHour: smsPerCountryPerHour as number,
        },
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
};

new MfaStack(app, `serverless-mfa-${props.stage}`, props);
Validations.of(app).addPlugins(new nag.AwsSolutionsChecks(app, { verbose: true }));
