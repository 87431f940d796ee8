import { Capture, Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { routeList } from '../../functions/routes.ts';
import { workerList } from '../../functions/workers.ts';
import { localstackFreeTypes } from '../../infra/aws/localstack-free-types.ts';
import { pathRegex, wafGroups } from '../../infra/aws/waf.ts';
import { corsPolicy } from '../../shared/http/cors.ts';
import {
  build,
  functionFor,
  nagFindings,
  props,
  restMethodFor,
  restRouteKeys,
  synth,
  workerFunctionIds,
} from './support.ts';

/**
 * The two API front doors built from one route table (issue 12): `http` (HTTP API, payload 2.0)
 * and `rest` (REST API, Lambda proxy = payload 1.0; LocalStack's free plan, AWS WAF).
 */
const routeKey = (route: { method: string; path: string }) => `${route.method} ${route.path}`;
const http = synth();
const rest = synth({ api: 'rest' });
const restWaf = synth({ api: 'rest', waf: true });

const typesOf = (template: Template) =>
  new Set(Object.values(template.toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type));
const logGroupIdOf = (arn: { 'Fn::GetAtt': [string, string] }) => arn['Fn::GetAtt'][0];
const functionEnv = (template: Template) =>
  Object.values(template.findResources('AWS::Lambda::Function'))
    .map((fn) => fn.Properties.Environment?.Variables)
    .filter((variables) => variables?.TABLE_NAME);

describe('REST API (api=rest)', () => {
  it('has every route of the table, method and path exactly, and nothing else', () => {
    expect(restRouteKeys(rest).routes.sort()).toEqual(routeList.map(routeKey).sort());
  });

  it('invokes one function per route through a Lambda proxy integration (payload 1.0)', () => {
    const targets = new Set<string>();
    for (const route of routeList) {
      const { method, fnId } = restMethodFor(rest, routeKey(route));
      expect(method.Properties).toMatchObject({
        AuthorizationType: 'NONE',
        Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
      });
      expect(rest.findResources('AWS::Lambda::Function')[fnId]?.Properties.Description).toBe(routeKey(route));
      targets.add(fnId);
    }
    expect(targets.size).toBe(routeList.length);
    // The other functions are the workers (functions/workers.ts), which no request starts.
    expect(Object.keys(rest.findResources('AWS::Lambda::Function')).sort()).toEqual(
      [...targets, ...workerFunctionIds(rest)].sort(),
    );
    // API Gateway may invoke each function, only from its own method (no test-invoke grants);
    // the one other invoke grant is EventBridge's, for the signing key rotation schedule.
    const permissions = Object.values(rest.findResources('AWS::Lambda::Permission'));
    expect(
      permissions.filter((permission) => permission.Properties.Principal === 'apigateway.amazonaws.com'),
    ).toHaveLength(routeList.length);
    expect(
      permissions
        .filter((permission) => permission.Properties.Principal !== 'apigateway.amazonaws.com')
        .map((permission) => permission.Properties.Principal),
    ).toEqual(['events.amazonaws.com']);
  });

  it('answers CORS preflights on every route path with the HTTP API policy, only with origins set', () => {
    const paths = new Set(routeList.map((route) => route.path));
    const preflighted = new Set(restRouteKeys(rest).preflights.map((key) => key.replace('OPTIONS ', '')));
    for (const path of paths) expect(preflighted).toContain(path);
    const { method } = restMethodFor(rest, 'OPTIONS /v1/users');
    const [response] = method.Properties.Integration.IntegrationResponses;
    expect(response.ResponseParameters).toMatchObject({
      'method.response.header.Access-Control-Allow-Headers': `'${corsPolicy.allowHeaders.join(',')}'`,
      'method.response.header.Access-Control-Allow-Methods': `'${corsPolicy.allowMethods.join(',')}'`,
      'method.response.header.Access-Control-Max-Age': `'${corsPolicy.maxAgeSeconds}'`,
      'method.response.header.Vary': "'Origin'",
    });
    // Several origins: the first is the static answer, the template echoes any other listed one
    // (a browser refuses an answer naming an origin other than its own).
    expect(response.ResponseParameters['method.response.header.Access-Control-Allow-Origin']).toBe(
      `'${props.allowedOrigins[0]}'`,
    );
    const template = JSON.stringify(response.ResponseTemplates);
    for (const origin of props.allowedOrigins.slice(1)) expect(template).toContain(`== \\"${origin}\\"`);
    expect(response.ResponseParameters['method.response.header.Access-Control-Expose-Headers']).toBe(
      `'${corsPolicy.exposeHeaders.join(',')}'`,
    );
    expect(restRouteKeys(synth({ api: 'rest', allowedOrigins: [] })).preflights).toEqual([]);
  });

  it('throttles the whole stage and writes JSON access logs with retention', () => {
    const destination = new Capture();
    const format = new Capture();
    rest.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: props.stage,
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: props.throttle.rateLimit,
          ThrottlingBurstLimit: props.throttle.burstLimit,
        }),
      ]),
      AccessLogSetting: { DestinationArn: destination, Format: format },
    });
    const group = rest.findResources('AWS::Logs::LogGroup')[logGroupIdOf(destination.asObject() as never)];
    expect(group?.Properties.RetentionInDays).toBe(props.logRetentionDays);
    expect(JSON.parse(format.asString())).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
    });
  });

  it("answers API Gateway's own refusals in the catalogue's shape: unknown path 404, throttling 429", () => {
    rest.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
      StatusCode: '404',
      ResponseTemplates: { 'application/json': '{"error":{"code":"not_found","message":"Not found."}}' },
    });
    rest.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'THROTTLED',
      StatusCode: '429',
      ResponseParameters: Match.objectLike({
        'gatewayresponse.header.Cache-Control': "'no-store'",
        'gatewayresponse.header.X-Content-Type-Options': "'nosniff'",
        'gatewayresponse.header.Retry-After': "'1'",
      }),
      ResponseTemplates: {
        'application/json': '{"error":{"code":"rate_limited","message":"Too many requests."}}',
      },
    });
  });

  it('names the one allowed origin on those refusals, so a browser can read them', () => {
    const single = synth({ api: 'rest', allowedOrigins: ['https://app.example.com'] });
    single.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'THROTTLED',
      ResponseParameters: Match.objectLike({
        'gatewayresponse.header.Access-Control-Allow-Origin': "'https://app.example.com'",
      }),
    });
  });

  it('traces every function with X-Ray (active tracing)', () => {
    for (const fn of Object.values(rest.findResources('AWS::Lambda::Function')).filter(
      (resource) => resource.Properties.Environment?.Variables?.TABLE_NAME,
    ))
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
  });

  it('leaves the account-wide API Gateway CloudWatch role alone', () => {
    rest.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  it('uses only resource types of LocalStack free plan services, and no API Gateway v2', () => {
    // With every optional part that LocalStack's free plan can run, WAF excepted.
    const full = synth({
      api: 'rest',
      alarmEmail: 'ops@example.com',
      senderIdentity: 'mail.example.com',
      manageAccountSmsSettings: true,
    });
    for (const template of [rest, full]) {
      const types = [...typesOf(template)];
      expect(types.filter((type) => type.startsWith('AWS::ApiGatewayV2::'))).toEqual([]);
      expect(types.filter((type) => !localstackFreeTypes.includes(type))).toEqual([]);
    }
  });

  it('has no WAF unless asked for, and refuses WAF on the HTTP API', () => {
    for (const template of [rest, http]) {
      expect([...typesOf(template)].filter((type) => type.startsWith('AWS::WAFv2::'))).toEqual([]);
    }
    expect(() => synth({ waf: true })).toThrow(/waf needs api rest/);
  });
});

describe('AWS WAF (api=rest, waf=true)', () => {
  it('is a regional web ACL associated with the REST stage', () => {
    const acl = new Capture();
    restWaf.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'REGIONAL', DefaultAction: { Allow: {} } });
    restWaf.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      WebACLArn: { 'Fn::GetAtt': [acl, 'Arn'] },
      ResourceArn: Match.anyValue(),
    });
    const [association] = Object.values(restWaf.findResources('AWS::WAFv2::WebACLAssociation'));
    const stageId = Object.keys(restWaf.findResources('AWS::ApiGateway::Stage'))[0];
    expect(JSON.stringify(association?.Properties.ResourceArn)).toContain(`"Ref":"${stageId}"`);
  });

  it("puts AWS's IP reputation list first", () => {
    restWaf.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        Match.objectLike({
          Priority: 0,
          OverrideAction: { None: {} },
          Statement: {
            ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesAmazonIpReputationList' },
          },
        }),
      ]),
    });
  });

  const [acl] = Object.values(restWaf.findResources('AWS::WAFv2::WebACL'));
  const rules = acl?.Properties.Rules as {
    Name: string;
    Action?: { Block: { CustomResponse: { ResponseCode: number } } };
    Statement: {
      RateBasedStatement?: {
        AggregateKeyType: string;
        Limit: number;
        EvaluationWindowSec: number;
        ScopeDownStatement: { RegexMatchStatement: { RegexString: string; FieldToMatch: unknown } };
      };
    };
  }[];

  it.each(wafGroups.map((group) => [group.name, group] as const))(
    'rate-limits %s per client IP on exactly its routes, answering 429',
    (name, group) => {
      const rule = rules.find((r) => r.Name === `${name}PerIp`);
      const rate = rule?.Statement.RateBasedStatement;
      expect(rate).toMatchObject({ AggregateKeyType: 'IP', EvaluationWindowSec: group.windowSeconds });
      expect(rate?.Limit).toBeGreaterThanOrEqual(10);
      expect(rule?.Action?.Block.CustomResponse.ResponseCode).toBe(429);
      expect(rate?.ScopeDownStatement.RegexMatchStatement.FieldToMatch).toEqual({ UriPath: {} });
      const regex = new RegExp(rate?.ScopeDownStatement.RegexMatchStatement.RegexString ?? '$^');
      // As WAF sees the path: with the stage in front (execute-api URL) or not (custom domain).
      const concrete = (path: string) => path.replace(/\{[^}]+\}/g, '01KABCDEF');
      for (const route of routeList) {
        for (const url of [concrete(route.path), `/${props.stage}${concrete(route.path)}`]) {
          expect(regex.test(url), `${name} ${url}`).toBe(group.matches(route));
        }
      }
    },
  );

  it('covers the sign-up, login, verification, password-reset and challenge routes', () => {
    const paths = (predicate: (path: string) => boolean) =>
      routeList.filter((route) => predicate(route.path) && wafGroups.some((group) => group.matches(route)));
    expect(paths((path) => path === '/v1/users')).toHaveLength(1);
    expect(paths((path) => path === '/v1/sessions')).toHaveLength(1);
    expect(paths((path) => path.endsWith('/verify'))).toHaveLength(2);
    expect(paths((path) => path.startsWith('/v1/password-resets'))).toHaveLength(2);
    expect(paths((path) => path.startsWith('/v1/mfa/challenges'))).toHaveLength(2);
  });

  it('follows the per-IP settings: twice the functions’ own limit per window', () => {
    const limited = synth({ api: 'rest', waf: true, settings: { IP_LOGINS_PER_MINUTE: 40 } });
    const [webAcl] = Object.values(limited.findResources('AWS::WAFv2::WebACL'));
    const login = webAcl?.Properties.Rules.find((rule: { Name: string }) => rule.Name === 'LoginPerIp');
    expect(login.Statement.RateBasedStatement.Limit).toBe(80);
  });

  it('builds anchored path regexes', () => {
    expect(pathRegex(['/v1/users', '/v1/password-resets/{resetId}/confirm'])).toBe(
      '^(/[^/]+)?(/v1/users|/v1/password-resets/[^/]+/confirm)/?$',
    );
  });
});

describe('HTTP API (api=http, the default)', () => {
  it('integrates every route with payload format 2.0', () => {
    const integrations = Object.values(http.findResources('AWS::ApiGatewayV2::Integration'));
    expect(integrations).toHaveLength(routeList.length);
    for (const integration of integrations) {
      expect(integration.Properties).toMatchObject({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
      });
    }
    expect([...typesOf(http)].filter((type) => type.startsWith('AWS::ApiGateway::'))).toEqual([]);
  });
});

describe.each([
  ['http', http],
  ['rest', rest],
] as const)('outputs (%s)', (kind, template) => {
  const outputs = template.toJSON().Outputs;

  it('ApiUrl and Issuer are the same URL, without a trailing slash, and the functions sign with it', () => {
    expect(outputs.Issuer.Value).toEqual(outputs.ApiUrl.Value);
    const value = JSON.stringify(outputs.Issuer.Value);
    expect(value).not.toMatch(/\/"\]\]\}$|\/"$/);
    for (const variables of functionEnv(template))
      expect(variables.TOKEN_ISSUER).toEqual(outputs.Issuer.Value);
    if (kind === 'rest') expect(value).toContain(`/${props.stage}`);
  });

  it('JwksUrl is under the API URL; TableName and DashboardUrl are there', () => {
    expect(JSON.stringify(outputs.JwksUrl.Value)).toContain('/.well-known/jwks.json');
    expect(outputs.TableName).toBeDefined();
    expect(JSON.stringify(outputs.DashboardUrl.Value)).toContain('#dashboards:name=serverless-mfa-test');
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'serverless-mfa-test' });
  });

  it('a given tokenIssuer is the Issuer output and the functions’ TOKEN_ISSUER', () => {
    const given = synth({ api: kind, tokenIssuer: 'https://auth.example.com' });
    expect(given.toJSON().Outputs.Issuer.Value).toBe('https://auth.example.com');
    for (const variables of functionEnv(given))
      expect(variables.TOKEN_ISSUER).toBe('https://auth.example.com');
    expect(() => synth({ api: kind, tokenIssuer: 'https://auth.example.com/' })).toThrow(/tokenIssuer/);
  });
});

describe('alarm email', () => {
  it('creates a topic with that email subscription, and every alarm notifies it (and alarmTopicArn)', () => {
    const topicArn = 'arn:aws:sns:eu-west-1:123456789012:on-call';
    const template = synth({ alarmEmail: 'ops@example.com', alarmTopicArn: topicArn });
    const topic = new Capture();
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: topic },
    });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual(
        expect.arrayContaining([topicArn, { Ref: topic.asString() }]),
      );
    }
    expect(() => synth({ alarmEmail: 'ops' })).toThrow(/alarmEmail/);
  });

  it('creates no topic without it', () => {
    http.resourceCountIs('AWS::SNS::Topic', 0);
  });
});

describe('sender identity', () => {
  it('a domain: an Easy DKIM identity and its three CNAME records as outputs', () => {
    const template = synth({ senderIdentity: 'mail.example.com' });
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'mail.example.com',
      DkimSigningAttributes: Match.absent(),
    });
    const outputs = template.toJSON().Outputs;
    for (const index of [1, 2, 3]) {
      const value = JSON.stringify(outputs[`DkimRecord${index}`].Value);
      expect(value).toContain(`DkimDNSTokenName${index}`);
      expect(value).toContain(`DkimDNSTokenValue${index}`);
      expect(value).toContain(' CNAME ');
    }
  });

  it('an email address: that identity, no DKIM outputs', () => {
    const template = synth({ senderIdentity: props.sesSender });
    template.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: props.sesSender });
    expect(Object.keys(template.toJSON().Outputs).filter((name) => name.startsWith('Dkim'))).toEqual([]);
  });

  it.each([
    ['another domain', 'example.org'],
    ['another address', 'other@mail.example.com'],
    ['no domain at all', 'mail'],
  ])('refuses %s than the sender’s', (_, identity) => {
    expect(() => synth({ senderIdentity: identity })).toThrow(/senderIdentity|sesSender/);
  });
});

describe('settings', () => {
  it('reach every function as environment variables, lists and numbers as the functions read them', () => {
    const env = functionEnv(
      synth({ settings: { CODE_TTL_SECONDS: 600, SERVICE_NAME: 'Acme ID', SMS_PER_HOUR: '50' } }),
    );
    expect(env).toHaveLength(routeList.length + workerList.length);
    for (const variables of env) {
      expect(variables).toMatchObject({
        CODE_TTL_SECONDS: '600',
        SERVICE_NAME: 'Acme ID',
        SMS_PER_HOUR: '50',
      });
    }
  });

  it('replace the dedicated props they overlap, where the stack builds on them too', () => {
    const template = synth({
      api: 'rest',
      settings: {
        SES_SENDER: 'id@acme.example',
        CORS_ALLOWED_ORIGINS: ['https://id.acme.example'],
        SMS_ALLOWED_COUNTRIES: 'BE,NL',
      },
    });
    for (const variables of functionEnv(template)) {
      expect(variables).toMatchObject({
        SES_SENDER: 'id@acme.example',
        CORS_ALLOWED_ORIGINS: 'https://id.acme.example',
        SMS_ALLOWED_COUNTRIES: 'BE,NL',
      });
    }
    expect(JSON.stringify(template.toJSON())).toContain('"ses:FromAddress":"id@acme.example"');
    const { method } = restMethodFor(template, 'OPTIONS /v1/users');
    expect(JSON.stringify(method.Properties.Integration.IntegrationResponses)).toContain(
      'https://id.acme.example',
    );
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['an unknown setting', { CODE_TTL: 600 }, /settings\.CODE_TTL is not a setting/],
    ['a lower-case name', { codeTtlSeconds: 600 }, /settings\.codeTtlSeconds is not a setting/],
    ['a number that is text', { CODE_TTL_SECONDS: 'ten minutes' }, /settings\.CODE_TTL_SECONDS/],
    ['a zero where positive is required', { MAX_ACTIVE_FACTORS: 0 }, /settings\.MAX_ACTIVE_FACTORS/],
    ['a remember-device beyond 90 days', { REMEMBER_DEVICE_DAYS: 365 }, /settings\.REMEMBER_DEVICE_DAYS/],
    ['an unknown log level', { LOG_LEVEL: 'verbose' }, /settings\.LOG_LEVEL/],
    ['a URL that is none', { SUPPORT_URL: 'help desk' }, /settings\.SUPPORT_URL/],
    ['a setting the stack owns', { TABLE_NAME: 'mine' }, /settings\.TABLE_NAME is set by the stack/],
    ['an object value', { SERVICE_NAME: { name: 'x' } }, /settings\.SERVICE_NAME/],
    ['a bad sender, checked like sesSender', { SES_SENDER: 'security' }, /sesSender/],
  ];
  it.each(bad)('fail synth with the setting’s name: %s', (_, settings, message) => {
    expect(() => synth({ settings: settings as never })).toThrow(message);
  });

  it('report every bad setting at once', () => {
    expect(() => synth({ settings: { NOPE: 1, CODE_TTL_SECONDS: -1 } })).toThrow(
      /settings\.NOPE[\s\S]*settings\.CODE_TTL_SECONDS|settings\.CODE_TTL_SECONDS[\s\S]*settings\.NOPE/,
    );
  });
});

describe('cdk-nag AwsSolutions on the optional parts', () => {
  it('finds no unacknowledged error or warning with api=rest, WAF, alarm email and sender identity', () => {
    expect(nagFindings(build({ api: 'rest' }).app)).toEqual([]);
    expect(
      nagFindings(
        build({ api: 'rest', waf: true, alarmEmail: 'ops@example.com', senderIdentity: 'mail.example.com' })
          .app,
      ),
    ).toEqual([]);
  });
});

// functionFor is the HTTP API's route → function walk; the REST one must agree with it.
describe('both front doors', () => {
  it('route each key to the function of the same module', () => {
    for (const route of routeList) {
      const viaHttp = functionFor(http, routeKey(route)).fn.Properties.Description;
      const viaRest = rest.findResources('AWS::Lambda::Function')[restMethodFor(rest, routeKey(route)).fnId];
      expect(viaRest?.Properties.Description).toBe(viaHttp);
    }
  });
});
