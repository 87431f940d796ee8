import { readdirSync, readFileSync } from 'node:fs';
import { Capture, Match, type Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { routeList, routes } from '../../functions/routes.ts';
import { workerList } from '../../functions/workers.ts';
import { kmsPurposes, type MfaStackProps, repoRoot } from '../../infra/aws/stack.ts';
import { tableDefinition } from '../../shared/db/table.ts';
import { corsPolicy } from '../../shared/http/cors.ts';
import type { Permission, Route } from '../../shared/http/route.ts';
import * as z from '../../shared/zod.ts';
import {
  build,
  functionFor,
  nagFindings,
  props,
  roleStatements,
  synth,
  workerFunctionIds,
} from './support.ts';

/**
 * What each permission of the route table may turn into, and nothing more: no Scan, batch
 * write, DescribeTable or stream action (transactions are authorised per item action).
 * BatchGetItem reads named keys, as GetItem does: the code reads a login's items, a user's
 * sessions and members' addresses with it (without it, those reads are refused on AWS).
 */
const implied: Record<Permission, string[]> = {
  'table:read': [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:ConditionCheckItem',
  ],
  'table:write': [
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:ConditionCheckItem',
  ],
  'table:put': ['dynamodb:PutItem'],
  'kms:decrypt': ['kms:Decrypt'],
  'kms:generateDataKey': ['kms:GenerateDataKey'],
  'sns:publish': ['sns:Publish'],
  'ses:send': ['ses:SendEmail', 'ses:SendRawEmail'],
  'events:put': ['events:PutEvents'],
};
// Every function writes to its own log group, and only there.
const logActions = ['logs:CreateLogStream', 'logs:PutLogEvents'];
// Active tracing: each function sends its segments to X-Ray (the service takes no resource ARN).
const traceActions = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];

const routeKey = (route: { method: string; path: string }) => `${route.method} ${route.path}`;
const template = synth();

/** A route no entry of the table has yet, to prove the SMS and email grants. */
const notifier: Route & { name: string } = {
  ...routes.health,
  name: 'notifier',
  path: '/test/notify',
  permissions: ['sns:publish', 'ses:send'],
};

function logGroupOf(resources: Template, ref: { Ref: string } | { 'Fn::GetAtt': [string, string] }) {
  const id = 'Ref' in ref ? ref.Ref : ref['Fn::GetAtt'][0];
  return resources.findResources('AWS::Logs::LogGroup')[id];
}

describe('table', () => {
  it('is built from tableDefinition, on demand, with PITR and encryption at rest', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: tableDefinition.partitionKey, AttributeType: 'S' },
        { AttributeName: tableDefinition.sortKey, AttributeType: 'S' },
      ]),
      TimeToLiveSpecification: { AttributeName: tableDefinition.ttlAttribute, Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('streams new images (the event publisher reads them)', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
    });
  });

  it('keeps the logical ids it had before the stack became a construct (no replacement on update)', () => {
    // MfaStack puts the service under the id `Default`, which CDK leaves out of logical ids: the
    // table is `Table<hash>` as before, not `<service id>Table<hash>` (a new, empty table).
    const before = {
      'AWS::DynamoDB::Table': 'Table',
      'AWS::KMS::Key': 'Key',
      'AWS::ApiGatewayV2::Api': 'Api',
    };
    for (const [type, id] of Object.entries(before)) {
      expect(Object.keys(template.findResources(type)), type).toEqual([
        expect.stringMatching(new RegExp(`^${id}[0-9A-F]{8}$`)),
      ]);
    }
  });

  it('is deleted with the stack, key included, when tableRetention is destroy', () => {
    const destroyed = synth({ tableRetention: 'destroy' });
    destroyed.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
    destroyed.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });
});

describe('KMS key', () => {
  it('is symmetric, rotated, retained with the table, and named per stage', () => {
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ EnableKeyRotation: true, KeySpec: Match.absent() }),
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: `alias/serverless-mfa-${props.stage}` });
  });
});

describe('functions', () => {
  it('are exactly one per route, each behind its route key, and one per worker (plus the SMS settings provider when asked for)', () => {
    const routeTargets = new Set(routeList.map((route) => functionFor(template, routeKey(route)).id));
    expect(routeTargets.size).toBe(routeList.length);
    const workerIds = workerFunctionIds(template);
    expect(new Set(workerIds).size).toBe(workerList.length);
    expect(Object.keys(template.findResources('AWS::Lambda::Function')).sort()).toEqual(
      [...routeTargets, ...workerIds].sort(),
    );

    const managing = synth({ manageAccountSmsSettings: true });
    const provider = new Capture();
    managing.hasResourceProperties('Custom::AWS', { ServiceToken: { 'Fn::GetAtt': [provider, 'Arn'] } });
    const managingTargets = new Set(routeList.map((route) => functionFor(managing, routeKey(route)).id));
    for (const id of workerFunctionIds(managing)) managingTargets.add(id);
    const others = Object.keys(managing.findResources('AWS::Lambda::Function')).filter(
      (id) => !managingTargets.has(id),
    );
    expect(others).toEqual([provider.asString()]);
  });

  it.each(routeList)('$name runs its module on nodejs24.x/arm64 with settings and source maps', (route) => {
    const { fn } = functionFor(template, routeKey(route));
    expect(fn.Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Description: routeKey(route),
      Environment: {
        Variables: {
          TABLE_NAME: { Ref: expect.any(String) },
          KMS_KEY_ID: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
          TOKEN_ISSUER: { 'Fn::GetAtt': [expect.any(String), 'ApiEndpoint'] },
          TOKEN_AUDIENCE: 'serverless-mfa',
          CORS_ALLOWED_ORIGINS: props.allowedOrigins.join(','),
          SES_SENDER: props.sesSender,
          SMS_ALLOWED_COUNTRIES: props.smsAllowedCountries.join(','),
          LOG_LEVEL: 'info',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
    expect(logGroupOf(template, fn.Properties.LoggingConfig.LogGroup)?.Properties.RetentionInDays).toBe(
      props.logRetentionDays,
    );
  });

  it('give a full vCPU to the routes that hash a password (argon2id), less to the rest', () => {
    for (const route of routeList) {
      // zod core's object class: the routes' schemas are zod/mini, which no classic check sees.
      const password =
        route.body instanceof z.core.$ZodObject &&
        Object.keys(route.body._zod.def.shape).some((field) => /password/i.test(field));
      expect(functionFor(template, routeKey(route)).fn.Properties.MemorySize, route.name).toBe(
        password ? 1769 : 512,
      );
    }
  });

  it.each(routeList)('$name gets exactly the IAM actions of its permissions $permissions', (route) => {
    const { fn } = functionFor(template, routeKey(route));
    const { allowed } = roleStatements(template, fn);
    expect([...allowed].sort()).toEqual(
      [...new Set([...logActions, ...traceActions, ...route.permissions.flatMap((p) => implied[p])])].sort(),
    );
  });

  it.each(routeList.filter((route) => route.permissions.some((p) => p.startsWith('table:'))))(
    '$name reaches the table only, not its indexes or streams',
    (route) => {
      const { statements } = roleStatements(template, functionFor(template, routeKey(route)).fn);
      const onTable = statements.filter((statement) =>
        [statement.Action].flat().some((action: string) => action.startsWith('dynamodb:')),
      );
      expect(onTable.length).toBeGreaterThan(0);
      for (const statement of onTable) {
        expect(statement).toEqual({
          Effect: 'Allow',
          Action: expect.anything(),
          Resource: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
        });
      }
    },
  );

  it.each(routeList.filter((route) => route.permissions.some((p) => p.startsWith('kms:'))))(
    '$name may use the KMS key only with an encryption context purpose of the product',
    (route) => {
      const { statements } = roleStatements(template, functionFor(template, routeKey(route)).fn);
      const onKey = statements.filter((statement) =>
        [statement.Action].flat().some((action: string) => action.startsWith('kms:')),
      );
      expect(onKey.flatMap((statement) => [statement.Action].flat()).sort()).toEqual(
        route.permissions.flatMap((p) => (p.startsWith('kms:') ? implied[p] : [])).sort(),
      );
      for (const statement of onKey) {
        expect(statement).toEqual({
          Effect: 'Allow',
          Action: expect.anything(),
          Resource: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
          Condition: { StringEquals: { 'kms:EncryptionContext:purpose': ['signing-key', 'secret'] } },
        });
      }
    },
  );

  it('allow every encryption context purpose the code passes to KMS (and only those)', () => {
    // Sealing code names its purpose literally; a new one must be added to the grant too.
    const sources = ['shared', 'functions'].flatMap((dir) =>
      readdirSync(`${repoRoot}${dir}`, { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.ts'))
        .map((file) => readFileSync(`${repoRoot}${dir}/${file}`, 'utf8')),
    );
    const sealing = sources.filter((source) => /from '[./]+(crypto\/)?envelope\.ts'/.test(source));
    const used = new Set(
      sealing.flatMap((source) => [...source.matchAll(/purpose: '([^']+)'/g)].map((m) => m[1])),
    );
    expect(used.size).toBeGreaterThan(0);
    expect([...used].sort()).toEqual([...kmsPurposes].sort());
  });

  it('have roles without managed policies (no AWSLambdaBasicExecutionRole logs:* on every group)', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('may send SMS only in the stack region and never to topics; email only as the sender', () => {
    const notifying = synth({ routes: [notifier] });
    const { statements, allowed } = roleStatements(notifying, functionFor(notifying, routeKey(notifier)).fn);
    expect([...allowed].sort()).toEqual(
      [...logActions, ...traceActions, ...implied['sns:publish'], ...implied['ses:send']].sort(),
    );
    expect(statements).toEqual(
      expect.arrayContaining([
        {
          Effect: 'Allow',
          Action: 'sns:Publish',
          Resource: '*',
          Condition: { StringEquals: { 'aws:RequestedRegion': { Ref: 'AWS::Region' } } },
        },
        {
          Effect: 'Deny',
          Action: 'sns:Publish',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:*:*:*']] },
        },
        expect.objectContaining({
          Effect: 'Allow',
          Action: ['ses:SendEmail', 'ses:SendRawEmail'],
          Condition: { StringEquals: { 'ses:FromAddress': props.sesSender } },
        }),
      ]),
    );
    const ses = statements.find((statement) => statement.Action?.includes?.('ses:SendEmail'));
    expect(JSON.stringify(ses.Resource)).toMatch(/:identity\/security@mail\.example\.com"/);
    expect(JSON.stringify(ses.Resource)).toMatch(/:identity\/mail\.example\.com"/);
  });
});

describe('HTTP API', () => {
  it('has every route of the table, method and path exactly', () => {
    const keys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => r.Properties.RouteKey,
    );
    expect(keys.sort()).toEqual(routeList.map(routeKey).sort());
  });

  it('allows CORS from the configured origins only, with the headers clients send and read', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: props.allowedOrigins,
        AllowMethods: Match.arrayEquals([...corsPolicy.allowMethods]),
        AllowHeaders: ['authorization', 'content-type'],
        ExposeHeaders: ['retry-after'],
        MaxAge: 3600,
      },
    });
    // The policy (shared with the local runtime and the handlers) covers every route.
    for (const route of routeList) expect(corsPolicy.allowMethods).toContain(route.method);
    synth({ allowedOrigins: [] }).hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.absent(),
    });
  });

  it('throttles the default stage and writes JSON access logs with retention', () => {
    const destination = new Capture();
    const format = new Capture();
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: props.throttle.rateLimit,
        ThrottlingBurstLimit: props.throttle.burstLimit,
      },
      AccessLogSettings: { DestinationArn: destination, Format: format },
    });
    expect(logGroupOf(template, destination.asObject() as never)?.Properties.RetentionInDays).toBe(
      props.logRetentionDays,
    );
    expect(JSON.parse(format.asString())).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
    });
  });

  it('outputs the API URL, issuer, JWKS URL, table name, key ARN, dashboard URL and event bus', () => {
    for (const output of [
      'ApiUrl',
      'Issuer',
      'JwksUrl',
      'TableName',
      'KeyArn',
      'DashboardUrl',
      'EventBusName',
      'EventBusArn',
      'RotateSigningKeyFunction',
    ]) {
      template.hasOutput(output, {});
    }
  });
});

describe('SMS safety', () => {
  it('leaves the account-wide SMS attributes alone by default', () => {
    template.resourceCountIs('Custom::AWS', 0);
    expect(JSON.stringify(template.toJSON())).not.toMatch(
      /SetSMSAttributes|MonthlySpendLimit|DefaultSMSType/,
    );
  });

  it('with manageAccountSmsSettings, sets the SNS monthly spend limit and transactional type', () => {
    const create = new Capture();
    synth({ manageAccountSmsSettings: true }).hasResourceProperties('Custom::AWS', { Create: create });
    expect(JSON.parse(create.asString())).toMatchObject({
      service: 'SNS',
      action: 'SetSMSAttributes',
      parameters: {
        attributes: {
          MonthlySpendLimit: String(props.smsMonthlySpendLimitUsd),
          DefaultSMSType: 'Transactional',
        },
      },
    });
  });

  it('alarms at 50% and 80% of the monthly SMS spend limit, managed or not', () => {
    for (const share of [0.5, 0.8]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SNS',
        MetricName: 'SMSMonthToDateSpentUSD',
        Threshold: props.smsMonthlySpendLimitUsd * share,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('alarms on the first refusal of the SMS circuit breaker, from the metric the texting functions publish', () => {
    const texting = routeList.filter((route) => route.permissions.includes('sns:publish'));
    expect(texting.length).toBeGreaterThan(0);
    // One series, the functions' own EMF metric (the dashboard's too), not a count from the logs.
    expect(Object.keys(template.findResources('AWS::Logs::MetricFilter'))).toEqual([]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'ServerlessMfa/test',
      MetricName: 'SmsBreakerOpen',
      Dimensions: [{ Name: 'service', Value: 'serverless-mfa' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('passes the SMS breaker settings to every function; without them, the defaults of shared/config.ts', () => {
    const envOf = (template: ReturnType<typeof synth>) =>
      Object.values(template.findResources('AWS::Lambda::Function'))
        .map((fn) => fn.Properties.Environment?.Variables)
        .filter((variables) => variables?.TABLE_NAME);
    const set = envOf(synth({ smsBreaker: { perHour: 40, perDay: 300, perCountryPerHour: 20 } }));
    expect(set.length).toBe(routeList.length + workerList.length);
    for (const variables of set) {
      expect(variables).toMatchObject({
        SMS_PER_HOUR: '40',
        SMS_PER_DAY: '300',
        SMS_PER_COUNTRY_PER_HOUR: '20',
      });
    }
    for (const variables of envOf(template)) expect(variables).not.toHaveProperty('SMS_PER_HOUR');
  });

  it('sends the alarms to the given topic', () => {
    const topic = 'arn:aws:sns:eu-west-1:123456789012:on-call';
    const alarms = synth({ alarmTopicArn: topic }).findResources('AWS::CloudWatch::Alarm');
    expect(Object.values(alarms).map((alarm) => alarm.Properties.AlarmActions)).toEqual(
      Object.values(alarms).map(() => [topic]),
    );
  });
});

describe('props', () => {
  const bad: [string, Partial<MfaStackProps>, RegExp][] = [
    ['an upper-case stage', { stage: 'Prod' }, /stage/],
    ['a plain-http origin', { allowedOrigins: ['http://app.example.com'] }, /allowedOrigins/],
    ['an origin with a path', { allowedOrigins: ['https://app.example.com/'] }, /allowedOrigins/],
    ['a wildcard origin', { allowedOrigins: ['*'] }, /allowedOrigins/],
    ['a sender that is no address', { sesSender: 'security' }, /sesSender/],
    ['a country that is not alpha-2', { smsAllowedCountries: ['NLD'] }, /smsAllowedCountries/],
    ['an unassigned country code', { smsAllowedCountries: ['XX'] }, /smsAllowedCountries/],
    ['a region that is not a country', { smsAllowedCountries: ['EU'] }, /smsAllowedCountries/],
    ['no SMS country', { smsAllowedCountries: [] }, /smsAllowedCountries/],
    ['an unknown retention', { tableRetention: 'keep' as never }, /tableRetention/],
    ['a log retention CloudWatch lacks', { logRetentionDays: 10 }, /logRetentionDays/],
    ['a zero rate', { throttle: { rateLimit: 0, burstLimit: 10 } }, /throttle rate/],
    ['a negative burst', { throttle: { rateLimit: 10, burstLimit: -1 } }, /throttle burst/],
    ['a zero SMS budget', { smsMonthlySpendLimitUsd: 0 }, /smsMonthlySpendLimitUsd/],
    ['a fractional SMS budget', { smsMonthlySpendLimitUsd: 2.5 }, /smsMonthlySpendLimitUsd/],
    ['a topic that is no ARN', { alarmTopicArn: 'on-call' }, /alarmTopicArn/],
    [
      'a zero SMS breaker',
      { smsBreaker: { perHour: 0, perDay: 10, perCountryPerHour: 5 } },
      /smsBreaker.perHour/,
    ],
    [
      'a fractional SMS breaker',
      { smsBreaker: { perHour: 10, perDay: 10, perCountryPerHour: 2.5 } },
      /smsBreaker.perCountryPerHour/,
    ],
    ['a plain-http app URL', { appUrl: 'http://app.example.com' }, /appUrl/],
    ['an app URL with a fragment', { appUrl: 'https://app.example.com/#/x' }, /appUrl/],
  ];
  it.each(bad)('reject %s', (_, overrides, message) => {
    expect(() => synth(overrides)).toThrow(message);
  });

  it('appUrl reaches every function as APP_URL (the "This wasn\'t me" links); without it, no link', () => {
    const envOf = (template: ReturnType<typeof synth>) =>
      Object.values(template.findResources('AWS::Lambda::Function'))
        .map((fn) => fn.Properties.Environment?.Variables)
        .filter((variables) => variables?.TABLE_NAME);
    const withUrl = envOf(synth({ appUrl: 'https://app.example.com/mfa' }));
    expect(withUrl.length).toBe(routeList.length + workerList.length);
    for (const variables of withUrl) expect(variables.APP_URL).toBe('https://app.example.com/mfa');
    for (const variables of envOf(synth())) expect(variables).not.toHaveProperty('APP_URL');
  });

  it('are all reported at once', () => {
    expect(() => synth({ stage: 'X', sesSender: 'x' })).toThrow(/stage[\s\S]*sesSender/);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('finds no unacknowledged error or warning, with every permission in use', () => {
    expect(nagFindings(build().app)).toEqual([]);
    expect(nagFindings(build({ manageAccountSmsSettings: true }).app)).toEqual([]);
    expect(nagFindings(build({ routes: [...routeList, notifier] }).app)).toEqual([]);
  });

  it('would report a finding (the check is not vacuous)', () => {
    const { app, stack } = build();
    new Key(stack, 'UnrotatedKey');
    expect(nagFindings(app).join('\n')).toMatch(/AwsSolutions-KMS5/);
  });
});
