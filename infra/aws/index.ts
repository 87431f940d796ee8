/**
 * The CDK construct library of the service: `MfaService` in a team's own stack, or `MfaStack`
 * (the service in a stack of its own, as `cdk deploy` of this repository builds it).
 */
export { MfaService, type MfaServiceProps, validateProps } from './service.ts';
export type { Settings, SettingValue } from './settings.ts';
export { MfaStack, type MfaStackProps } from './stack.ts';
