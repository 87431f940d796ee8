import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { MfaStack, type MfaStackProps, repoRoot } from '../../infra/aws/stack.ts';

/** cdk.json's context (feature flags included), so tests synthesize what `cdk synth` does. */
const cdkJsonContext: Record<string, unknown> = JSON.parse(
  readFileSync(`${repoRoot}cdk.json`, 'utf8'),
).context;

export const props: MfaStackProps = {
  stage: 'test',
  allowedOrigins: ['https://app.example.com', 'http://localhost:3000'],
  sesSender: 'security@mail.example.com',
  smsAllowedCountries: ['NL', 'GB', 'US'],
  tableRetention: 'retain',
  logRetentionDays: 90,
  throttle: { rateLimit: 25, burstLimit: 60 },
  smsMonthlySpendLimitUsd: 10,
};

/** Bundling is skipped unless asked for: esbuild per function would dominate the run time. */
export function build(overrides: Partial<MfaStackProps> = {}, options: { bundle?: boolean } = {}) {
  const app = new App({
    context: { ...cdkJsonContext, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) },
  });
  return { app, stack: new MfaStack(app, 'Mfa', { ...props, ...overrides }) };
}

export const synth = (overrides: Partial<MfaStackProps> = {}) => Template.fromStack(build(overrides).stack);

/** Template JSON, walked by path and checked by the assertions. */
type Json = any;
type Resource = { Type: string; Properties: Record<string, Json> };

/** Follows the API: route key → integration → the function it invokes. */
export function functionFor(template: Template, routeKey: string): { id: string; fn: Resource } {
  const [route, ...others] = Object.values(
    template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } }),
  );
  if (!route || others.length > 0) throw new Error(`not exactly one API route with key "${routeKey}"`);
  const integrationId: string = route.Properties.Target['Fn::Join'][1][1].Ref;
  const integration = template.findResources('AWS::ApiGatewayV2::Integration')[integrationId];
  const id: string = integration?.Properties.IntegrationUri['Fn::GetAtt']?.[0];
  const fn = template.findResources('AWS::Lambda::Function')[id];
  if (!fn) throw new Error(`route "${routeKey}" does not target a function`);
  return { id, fn: fn as Resource };
}

/** Every Allow action on the function's role, and the Deny statements apart. */
export function roleStatements(template: Template, fn: Resource) {
  const [roleId] = fn.Properties.Role['Fn::GetAtt'];
  const policies = Object.values(
    template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } }),
  );
  const statements = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement as Json[]);
  const allowed = new Set(
    statements
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) => [statement.Action].flat()),
  );
  return { statements, allowed };
}
