import { App, Stack } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUrlIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { describe, expect, it } from 'vitest';
import { workers } from '../../functions/workers.ts';
import { MfaService, type MfaServiceProps } from '../../infra/aws/index.ts';
import { props, roleStatements, synth, testContext, workerFunction } from './support.ts';
import { teamApp } from './team-app.ts';

/**
 * MfaService as a construct in a team's CDK app (issue 13): a team's own HTTP API accepts the
 * service's access tokens through `httpJwtAuthorizer()`, MFA-only routes ask for scope `aal2`,
 * and the service's infrastructure for security events (table stream → publisher → bus) and
 * signing key rotation comes with it. The app is the README's example (./team-app.ts).
 */

/** Template JSON, walked by path. */
type Json = any;

function serviceIn(overrides: Partial<MfaServiceProps> = {}) {
  const app = new App({ context: testContext });
  const stack = new Stack(app, 'Team');
  const service = new MfaService(stack, 'Mfa', { ...props, ...overrides });
  return { stack, service };
}

describe('a team stack behind the service JWT authorizer', () => {
  const app = new App({ context: testContext });
  const { auth, orders } = teamApp(app);
  const authTemplate = Template.fromStack(auth);
  const ordersTemplate = Template.fromStack(orders);

  it('has a JWT authorizer with the service issuer (across stacks), the access token audience and the Authorization header', () => {
    const issuer = new Capture();
    ordersTemplate.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: issuer, Audience: ['serverless-mfa'] },
    });
    // The issuer is the service API's URL, imported from the service's stack.
    const imported: Json = issuer.asObject();
    expect(Object.keys(imported)).toEqual(['Fn::ImportValue']);
    const exported = Object.values(authTemplate.toJSON().Outputs as Record<string, Json>).find(
      (output) => output.Export?.Name === imported['Fn::ImportValue'],
    );
    expect(exported?.Value).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^MfaApi/), 'ApiEndpoint'],
    });
    // The same value the service's functions sign with.
    authTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ TOKEN_ISSUER: exported.Value }) },
    });
  });

  it('refuses enrollment tokens: their audience is not in the authorizer', () => {
    const audience = new Capture();
    ordersTemplate.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: Match.objectLike({ Audience: audience }),
    });
    expect(audience.asArray()).toEqual(['serverless-mfa']);
    expect(audience.asArray().some((value: string) => value.endsWith(':mfa-enroll'))).toBe(false);
  });

  it('protects the route with the authorizer and scope aal2', () => {
    const authorizer = new Capture();
    ordersTemplate.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /orders',
      AuthorizationType: 'JWT',
      AuthorizationScopes: ['aal2'],
      AuthorizerId: { Ref: authorizer },
    });
    expect(
      ordersTemplate.findResources('AWS::ApiGatewayV2::Authorizer')[authorizer.asString()],
    ).toBeDefined();
  });

  it('gives one cached authorizer per scope argument, named after the stage and the scope', () => {
    const { stack, service } = serviceIn();
    expect(service.httpJwtAuthorizer()).toBe(service.httpJwtAuthorizer());
    expect(service.httpJwtAuthorizer('billing')).toBe(service.httpJwtAuthorizer('billing'));
    expect(service.httpJwtAuthorizer('billing')).not.toBe(service.httpJwtAuthorizer());
    // Two APIs of a team, one authorizer each (an authorizer belongs to the first API it binds to).
    const team = new Stack(stack.node.scope as App, 'TwoApis');
    for (const [name, scope] of [
      ['Orders', undefined],
      ['Billing', 'billing'],
    ] as const) {
      new HttpApi(team, `${name}Api`).addRoutes({
        path: '/things',
        methods: [HttpMethod.GET],
        integration: new HttpUrlIntegration(`${name}Integration`, 'https://example.com/'),
        authorizer: service.httpJwtAuthorizer(scope),
        authorizationScopes: ['aal2'],
      });
    }
    const names = Object.values(Template.fromStack(team).findResources('AWS::ApiGatewayV2::Authorizer')).map(
      (authorizer) => authorizer.Properties.Name,
    );
    expect(names.sort()).toEqual(['serverless-mfa-test', 'serverless-mfa-test-billing']);
  });

  it('takes the audience from the settings (TOKEN_AUDIENCE) and tokenAudience', () => {
    for (const [overrides, audience] of [
      [{ tokenAudience: 'acme-api' }, 'acme-api'],
      [{ tokenAudience: 'acme-api', settings: { TOKEN_AUDIENCE: 'acme-orders' } }, 'acme-orders'],
    ] as const) {
      const { service } = serviceIn(overrides);
      expect(service.audience).toBe(audience);
    }
  });

  it('refuses ES256: API Gateway JWT authorizers verify RSA signatures only', () => {
    const { service } = serviceIn({ settings: { TOKEN_SIGNING_ALG: 'ES256' } });
    expect(() => service.httpJwtAuthorizer()).toThrow(/ES256[\s\S]*RS256/);
    expect(() =>
      serviceIn({ settings: { TOKEN_SIGNING_ALG: 'RS256' } }).service.httpJwtAuthorizer(),
    ).not.toThrow();
  });

  it('exposes the API URL, issuer, JWKS URL, table and bus for the team stack', () => {
    const { stack, service } = serviceIn({ tokenIssuer: 'https://auth.example.com' });
    expect(service.issuer).toBe('https://auth.example.com');
    expect(stack.resolve(service.apiUrl)).toEqual({ 'Fn::GetAtt': [expect.any(String), 'ApiEndpoint'] });
    expect(stack.resolve(service.jwksUrl)).toEqual({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.any(String), 'ApiEndpoint'] }, '/.well-known/jwks.json']],
    });
    expect(stack.resolve(service.table.tableName)).toEqual({ Ref: expect.stringMatching(/^MfaTable/) });
    expect(stack.resolve(service.eventBus.eventBusName)).toEqual({
      Ref: expect.stringMatching(/^MfaEventBus/),
    });
  });
});

describe('security events: table stream → publisher → event bus', () => {
  const template = synth();
  const publisher = workerFunction(template, 'publishEvents');

  it('creates the bus named serverless-mfa-<stage>, or eventBusName', () => {
    template.hasResourceProperties('AWS::Events::EventBus', {
      Name: `serverless-mfa-${props.stage}`,
    });
    const { stack } = serviceIn({ eventBusName: 'acme-security-events' });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::EventBus', {
      Name: 'acme-security-events',
    });
  });

  it('runs the publisher module on the stream: inserted USER#/EVENT# and SESSION# items only, with retries, bisection, a DLQ and partial batch failures', () => {
    const table = new Capture();
    const queue = new Capture();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: publisher.id },
      EventSourceArn: { 'Fn::GetAtt': [table, 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 24 * 60 * 60,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { NewImage: { pk: { S: [{ prefix: 'USER#' }] }, sk: { S: [{ prefix: 'EVENT#' }] } } },
            }),
          },
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT'],
              dynamodb: { NewImage: { pk: { S: [{ prefix: 'SESSION#' }] }, sk: { S: ['SESSION'] } } },
            }),
          },
        ],
      },
    });
    expect(template.findResources('AWS::DynamoDB::Table')[table.asString()]).toBeDefined();
    // The dead-letter queue: encrypted, TLS only, kept 14 days, and an alarm on its first message.
    expect(template.findResources('AWS::SQS::Queue')[queue.asString()]?.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 60 * 60,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queue.asString() }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue.asString(), 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    expect(publisher.fn.Properties.Description).toMatch(/^publishEvents: /);
  });

  it('alarms on dead letters to the alarm topic', () => {
    const topic = 'arn:aws:sns:eu-west-1:123456789012:on-call';
    synth({ alarmTopicArn: topic }).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      AlarmActions: [topic],
    });
  });

  it('lets the publisher put events on the bus, read the stream and add items (the audit events of new sessions), nothing more', () => {
    const { statements, allowed } = roleStatements(template, publisher.fn);
    expect(statements).toEqual(
      expect.arrayContaining([
        {
          Effect: 'Allow',
          Action: 'events:PutEvents',
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/^EventBus/), 'Arn'] },
        },
      ]),
    );
    for (const action of [
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:Query',
    ]) {
      expect(allowed, action).not.toContain(action);
    }
    // Stream reads (the event source mapping polls with the function's role) on the stream only.
    const onTable = statements.filter((statement) =>
      [statement.Action].flat().some((action: string) => action.startsWith('dynamodb:')),
    );
    for (const statement of onTable) {
      const actions = [statement.Action].flat().filter((action: string) => action.startsWith('dynamodb:'));
      // ListStreams has no resource ARN (IAM policy minimization merges it with X-Ray's `*`).
      if (statement.Resource === '*') expect(actions).toEqual(['dynamodb:ListStreams']);
      else if (actions.includes('dynamodb:PutItem')) {
        expect(actions).toEqual(['dynamodb:PutItem']);
        expect(statement.Resource).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
      } else expect(statement.Resource).toEqual({ 'Fn::GetAtt': [expect.any(String), 'StreamArn'] });
    }
    expect([...allowed].sort()).toEqual(
      [
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
        'events:PutEvents',
        'dynamodb:PutItem',
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ].sort(),
    );
  });

  it('tells the publisher alone where the bus is (EVENT_BUS_NAME)', () => {
    expect(publisher.fn.Properties.Environment.Variables.EVENT_BUS_NAME).toEqual({
      Ref: expect.stringMatching(/^EventBus/),
    });
    const others = Object.entries(template.findResources('AWS::Lambda::Function')).filter(
      ([id]) => id !== publisher.id,
    );
    expect(others.length).toBeGreaterThan(1);
    for (const [id, fn] of others)
      expect(fn.Properties.Environment?.Variables ?? {}, id).not.toHaveProperty('EVENT_BUS_NAME');
  });

  it('refuses EVENT_BUS_NAME in settings (the service sets it) and a bad eventBusName', () => {
    expect(() => serviceIn({ settings: { EVENT_BUS_NAME: 'mine' } })).toThrow(
      /settings\.EVENT_BUS_NAME is set by the stack/,
    );
    expect(() => serviceIn({ eventBusName: 'default' })).toThrow(/eventBusName/);
    expect(() => serviceIn({ eventBusName: 'a/b' })).toThrow(/eventBusName/);
  });
});

describe('signing key rotation', () => {
  const template = synth();
  const rotation = workerFunction(template, 'rotateSigningKey');

  it('runs the rotation function on its schedule by default', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: workers.rotateSigningKey.trigger.schedule,
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [rotation.id, 'Arn'] } })],
    });
    expect(workers.rotateSigningKey.trigger.schedule).toBe('rate(30 days)');
    // `npm run rotate-signing-key -- --stage …` finds it through this output.
    template.hasOutput('RotateSigningKeyFunction', { Value: { Ref: rotation.id } });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [rotation.id, 'Arn'] },
    });
  });

  it('has no schedule with signingKeyRotation false (the function stays, to invoke by hand)', () => {
    const off = synth({ signingKeyRotation: false });
    expect(off.findResources('AWS::Events::Rule')).toEqual({});
    expect(workerFunction(off, 'rotateSigningKey').fn).toBeDefined();
  });

  it('gets exactly the table and data key actions of its permissions', () => {
    const { allowed } = roleStatements(template, rotation.fn);
    expect([...allowed].sort()).toEqual(
      [
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:Query',
        'dynamodb:ConditionCheckItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'kms:GenerateDataKey',
      ].sort(),
    );
  });

  it('alarms when the scheduled rotation fails', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: rotation.id } }],
      Threshold: 1,
    });
  });
});

describe('MfaService props', () => {
  it.each([
    ['an upper-case stage', { stage: 'Prod' }, /Invalid MfaService props[\s\S]*stage/],
    ['a wildcard origin', { allowedOrigins: ['*'] }, /allowedOrigins/],
    ['an unknown setting', { settings: { NOPE: 1 } }, /settings\.NOPE is not a setting/],
    [
      'an unknown signing algorithm',
      { settings: { TOKEN_SIGNING_ALG: 'HS256' } },
      /settings\.TOKEN_SIGNING_ALG/,
    ],
  ])('reject %s', (_, overrides, message) => {
    expect(() => serviceIn(overrides as Partial<MfaServiceProps>)).toThrow(message);
  });
});
