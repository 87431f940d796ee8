import { readFileSync } from 'node:fs';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import nag from 'cdk-nag';
import { workerList } from '../../functions/workers.ts';
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

/** cdk.json's context without bundling, for apps a test builds itself. */
export const testContext = { ...cdkJsonContext, 'aws:cdk:bundling-stacks': [] };

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

/** A worker's function (functions/workers.ts), found by the description the service gives it. */
export function workerFunction(template: Template, name: string): { id: string; fn: Resource } {
  const found = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([, fn]) =>
    String(fn.Properties.Description).startsWith(`${name}: `),
  );
  const [entry, ...others] = found;
  if (!entry || others.length > 0) throw new Error(`not exactly one function for worker "${name}"`);
  return { id: entry[0], fn: entry[1] as Resource };
}

/** The ids of every worker's function. */
export const workerFunctionIds = (template: Template) =>
  workerList.map((worker) => workerFunction(template, worker.name).id);

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

/** A REST resource's full path: its PathPart after its parent's (the root has no Ref). */
function restPath(template: Template): (resourceId: Json) => string {
  const resources = template.findResources('AWS::ApiGateway::Resource');
  const path = (id: Json): string => {
    const resource = id.Ref === undefined ? undefined : resources[id.Ref];
    return resource ? `${path(resource.Properties.ParentId)}/${resource.Properties.PathPart}` : '';
  };
  return (id) => path(id) || '/';
}

/** Every REST method as `VERB /path`, the CORS preflights (OPTIONS) apart. */
export function restRouteKeys(template: Template) {
  const path = restPath(template);
  const keys = Object.values(template.findResources('AWS::ApiGateway::Method')).map(
    (method) => `${method.Properties.HttpMethod} ${path(method.Properties.ResourceId)}`,
  );
  return {
    routes: keys.filter((key) => !key.startsWith('OPTIONS ')),
    preflights: keys.filter((key) => key.startsWith('OPTIONS ')),
  };
}

/** The REST method of one route key, and the function its integration invokes (none for a preflight). */
export function restMethodFor(template: Template, routeKey: string): { method: Resource; fnId: string } {
  const path = restPath(template);
  const [method, ...others] = Object.values(template.findResources('AWS::ApiGateway::Method')).filter(
    (m) => `${m.Properties.HttpMethod} ${path(m.Properties.ResourceId)}` === routeKey,
  );
  if (!method || others.length > 0) throw new Error(`not exactly one REST method "${routeKey}"`);
  // arn:…:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations
  const uri = JSON.stringify(method.Properties.Integration.Uri);
  const fnId = /"Fn::GetAtt":\["([^"]+)","Arn"\]/.exec(uri)?.[1];
  if (!fnId && !routeKey.startsWith('OPTIONS '))
    throw new Error(`REST method "${routeKey}" does not invoke a function`);
  return { method: method as Resource, fnId: fnId ?? '' };
}

/** Synthesizes with cdk-nag's AwsSolutions pack as `cdk synth` runs it; its unacknowledged findings. */
export function nagFindings(app: App): string[] {
  Validations.of(app).addPlugins(new nag.AwsSolutionsChecks(app));
  let directory: string;
  try {
    directory = app.synth().directory;
  } catch (error) {
    return [String(error)];
  }
  const report = JSON.parse(readFileSync(`${directory}/validation-report.json`, 'utf8'));
  return report.pluginReports
    .filter((plugin: { pluginName: string }) => plugin.pluginName === 'AwsSolutions')
    .flatMap((plugin: { violations: { ruleName: string; severity: string }[] }) =>
      plugin.violations.map((violation) => `${violation.severity} ${violation.ruleName}`),
    );
}
