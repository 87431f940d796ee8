import { fileURLToPath } from 'node:url';
import { Aws, Duration, Lazy, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  type Stage as ApiStage,
  EndpointType,
  type IResource,
  LambdaIntegration,
  Method,
  ResponseType,
  RestApi,
  LogGroupLogDestination as RestLogDestination,
} from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  Metric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import {
  AttributeType,
  BillingMode,
  type ITable,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  Architecture,
  FilterCriteria,
  FilterRule,
  Runtime,
  StartingPosition,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { routeList } from '../../functions/routes.ts';
import { type Worker, workerList } from '../../functions/workers.ts';
import { tableDefinition } from '../../shared/db/table.ts';
import { corsPolicy } from '../../shared/http/cors.ts';
import type { AuthKind, Permission, Route } from '../../shared/http/route.ts';
import { METRIC_SERVICE, metricNames } from '../../shared/metrics.ts';
import * as z from '../../shared/zod.ts';
import { observability } from './observability.ts';
import { effectiveSettings, type Settings, settingsEnvironment } from './settings.ts';
import { attachWebAcl } from './waf.ts';

export interface MfaServiceProps {
  /** Lower-case name of the deployment (`dev`, `prod`…), part of resource names. */
  stage: string;
  /** Browser origins allowed by CORS: `https://…`, or `http://localhost[:port]` for development. */
  allowedOrigins: readonly string[];
  /** Verified SES identity (an address, or an address of a verified domain) that sends security emails. */
  sesSender: string;
  /** ISO 3166-1 alpha-2 codes of the countries SMS codes may be sent to. */
  smsAllowedCountries: readonly string[];
  /** `retain` keeps the table (with deletion protection) and its key when the stack is deleted. */
  tableRetention: 'retain' | 'destroy';
  /** One of the values CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, …). */
  logRetentionDays: number;
  /** Steady-state requests per second and burst for the whole API stage. */
  throttle: { rateLimit: number; burstLimit: number };
  /**
   * Per-route limits by route name (functions/routes.ts), over the route table's own defaults
   * (`throttle` of the sign-up, login, code, reset and invitation routes).
   */
  routeThrottles?: Readonly<Record<string, { rateLimit: number; burstLimit: number }>>;
  /** Whole USD; the account's SNS SMS quota must be at least this (AWS starts accounts at 1). */
  smsMonthlySpendLimitUsd: number;
  /** `iss` of issued tokens. Defaults to the API's URL, so verifiers find `/.well-known/jwks.json` under it. */
  tokenIssuer?: string;
  tokenAudience?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** The web client security emails link to ("This wasn't me": `<appUrl>/#/secure?token=…`). */
  appUrl?: string;
  /**
   * The deployment-wide SMS circuit breaker (README "Limits"): texts per hour, per day and per
   * destination country per hour, after which SMS codes answer 503 for everyone (defaults in
   * shared/config.ts). Size it below the spend limit: pumping then trips the breaker for an
   * hour instead of the spend limit for the rest of the month.
   */
  smsBreaker?: { perHour: number; perDay: number; perCountryPerHour: number };
  /** Existing SNS topic that receives the alarms (e.g. the platform team's on-call topic). */
  alarmTopicArn?: string;
  /**
   * The API front door: `http` (API Gateway HTTP API, payload 2.0; the default) or `rest` (REST
   * API, Lambda proxy with payload 1.0: LocalStack's free plan has only this one, and AWS WAF
   * attaches to it).
   */
  api?: 'http' | 'rest';
  /** A regional AWS WAF web ACL on the REST API (per-IP rate rules, IP reputation list); `rest` only. */
  waf?: boolean;
  /**
   * Set the account-wide SNS SMS attributes of this region (MonthlySpendLimit, DefaultSMSType
   * Transactional). Off by default: they are shared by every SMS sender in the account.
   */
  manageAccountSmsSettings?: boolean;
  /** An address that gets the alarms, through an SNS topic the stack creates (with or without alarmTopicArn). */
  alarmEmail?: string;
  /**
   * The SES identity the stack creates for the sender: a domain (Easy DKIM; the DKIM CNAME
   * records are outputs) or an email address (SES mails it a verification link). sesSender must
   * be that address, or an address of that domain.
   */
  senderIdentity?: string;
  /**
   * Runtime settings of shared/config.ts by environment variable name (infra/aws/settings.ts),
   * validated with its schema. A setting that also has a dedicated prop (SES_SENDER for
   * sesSender, CORS_ALLOWED_ORIGINS for allowedOrigins, …) takes its value from here.
   */
  settings?: Settings;
  /**
   * Name of the EventBridge bus the service creates and puts every security event on (output
   * `EventBusName`); default `serverless-mfa-<stage>`.
   */
  eventBusName?: string;
  /**
   * Rotate the token signing key every 30 days (functions/workers.ts `rotateSigningKey`, an
   * EventBridge schedule); default true. Off: the rotation function stays, invoked by hand.
   */
  signingKeyRotation?: boolean;
  /** The route table; tests pass other entries to exercise permissions no route uses yet. */
  routes?: readonly (Route & { name: string })[];
  /** The functions no request starts (functions/workers.ts); tests pass others, as with `routes`. */
  workers?: readonly (Worker & { name: string })[];
}

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

// Intl names some codes that are not countries (groupings, reserved or unknown regions).
const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
const notCountries = new Set(['EU', 'EZ', 'UN', 'UK', 'ZZ', 'QO']);
const isCountry = (code: string) =>
  /^[A-Z]{2}$/.test(code) && !notCountries.has(code) && regionNames.of(code) !== code;

const isOrigin = (origin: string) => {
  if (!URL.canParse(origin)) return false;
  const url = new URL(origin);
  const local = url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  return url.origin === origin && (url.protocol === 'https:' || local);
};

/** `purpose` of the KMS encryption context of every sealed value (shared/crypto/keyring.ts). */
export const kmsPurposes = ['signing-key', 'secret'] as const;

const emailAddress = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const domainName = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const retentionDays = new Set(Object.values(RetentionDays).filter((value) => typeof value === 'number'));

/** Throws one error naming every bad prop, so a deploy never starts with a half-valid configuration. */
export function validateProps(props: MfaServiceProps): void {
  const problems = [
    !/^[a-z][a-z0-9-]{0,19}$/.test(props.stage) && `stage "${props.stage}" must match [a-z][a-z0-9-]{0,19}`,
    ...props.allowedOrigins
      .filter((origin) => !isOrigin(origin))
      .map(
        (origin) => `allowedOrigins: "${origin}" is not an https origin (or http://localhost) without path`,
      ),
    !emailAddress.test(props.sesSender) && `sesSender "${props.sesSender}" is not an email address`,
    props.smsAllowedCountries.length === 0 && 'smsAllowedCountries is empty',
    ...props.smsAllowedCountries
      .filter((code) => !isCountry(code))
      .map((code) => `smsAllowedCountries: "${code}" is not an ISO 3166-1 alpha-2 country code`),
    !['retain', 'destroy'].includes(props.tableRetention) &&
      `tableRetention "${props.tableRetention}" must be retain or destroy`,
    !retentionDays.has(props.logRetentionDays) &&
      `logRetentionDays ${props.logRetentionDays} is not one of ${[...retentionDays].join(', ')}`,
    !(props.throttle.rateLimit > 0) && `throttle rate ${props.throttle.rateLimit} must be > 0`,
    !(Number.isInteger(props.throttle.burstLimit) && props.throttle.burstLimit > 0) &&
      `throttle burst ${props.throttle.burstLimit} must be an integer > 0`,
    ...Object.entries(props.routeThrottles ?? {}).flatMap(([name, limit]) => [
      !(props.routes ?? routeList).some((route) => route.name === name) &&
        `routeThrottles.${name} is not a route of functions/routes.ts`,
      !(limit?.rateLimit > 0) && `routeThrottles.${name}.rateLimit must be > 0`,
      !(Number.isInteger(limit?.burstLimit) && limit.burstLimit > 0) &&
        `routeThrottles.${name}.burstLimit must be an integer > 0`,
    ]),
    !(Number.isInteger(props.smsMonthlySpendLimitUsd) && props.smsMonthlySpendLimitUsd > 0) &&
      `smsMonthlySpendLimitUsd ${props.smsMonthlySpendLimitUsd} must be a whole number of USD > 0`,
    props.tokenIssuer !== undefined && !props.tokenIssuer && 'tokenIssuer is empty',
    props.tokenAudience !== undefined && !props.tokenAudience && 'tokenAudience is empty',
    props.logLevel !== undefined &&
      !['debug', 'info', 'warn', 'error'].includes(props.logLevel) &&
      `logLevel "${props.logLevel}" must be debug, info, warn or error`,
    props.appUrl !== undefined &&
      !(URL.canParse(props.appUrl) && isOrigin(new URL(props.appUrl).origin) && !/[?#]/.test(props.appUrl)) &&
      `appUrl "${props.appUrl}" is not an https URL (or http://localhost) without query or fragment`,
    ...Object.entries(props.smsBreaker ?? {})
      .filter(([, value]) => !(Number.isInteger(value) && value > 0))
      .map(([name, value]) => `smsBreaker.${name} ${value} must be an integer > 0`),
    props.alarmTopicArn !== undefined &&
      !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/.test(props.alarmTopicArn) &&
      `alarmTopicArn "${props.alarmTopicArn}" is not an SNS topic ARN`,
    props.tokenIssuer?.endsWith('/') && `tokenIssuer "${props.tokenIssuer}" must not end in /`,
    props.api !== undefined &&
      !['http', 'rest'].includes(props.api) &&
      `api "${props.api}" must be http or rest`,
    props.waf && props.api !== 'rest' && 'waf needs api rest: AWS WAF does not attach to HTTP APIs',
    props.alarmEmail !== undefined &&
      !emailAddress.test(props.alarmEmail) &&
      `alarmEmail "${props.alarmEmail}" is not an email address`,
    props.senderIdentity !== undefined &&
      !(emailAddress.test(props.senderIdentity) || domainName.test(props.senderIdentity)) &&
      `senderIdentity "${props.senderIdentity}" is neither a domain nor an email address`,
    props.senderIdentity !== undefined &&
      props.sesSender !== props.senderIdentity &&
      !props.sesSender.endsWith(`@${props.senderIdentity}`) &&
      `sesSender "${props.sesSender}" is not senderIdentity "${props.senderIdentity}" nor an address of that domain`,
    props.eventBusName !== undefined &&
      !(/^[A-Za-z0-9._-]{1,256}$/.test(props.eventBusName) && props.eventBusName !== 'default') &&
      `eventBusName "${props.eventBusName}" is not a custom EventBridge bus name ([A-Za-z0-9._-]{1,256}, not "default")`,
    ...settingsEnvironment(props.settings).problems,
  ].filter((problem) => typeof problem === 'string');
  if (problems.length > 0) throw new Error(`Invalid MfaService props:\n- ${problems.join('\n- ')}`);
}

/**
 * argon2id (19 MiB, t=2, p=1) is single-threaded CPU work: below 1769 MB a function gets a
 * fraction of a vCPU, so the hash takes proportionally longer at the same GB-second price;
 * 1769 MB is one full vCPU, beyond which p=1 gains nothing. Routes whose body carries a
 * password hash or verify one; the rest do a few DynamoDB/KMS calls and a token signature.
 * zod core's class, which classic and mini objects alike are instances of (a mini body is no
 * classic `ZodObject`, and would silently get 512 MB).
 */
const hashesPassword = (route: Route) =>
  route.body instanceof z.core.$ZodObject &&
  Object.keys(route.body._zod.def.shape).some((field) => /password/i.test(field));

// Why no route has an API Gateway authorizer (cdk-nag AwsSolutions-APIG4), per auth kind.
const verifiedByFunction =
  'the function verifies the access token itself (RS256 by default, or ES256: TOKEN_SIGNING_ALG), including session revocation and the scope claim (aal1, "aal1 aal2" or mfa:enroll), which an API Gateway JWT authorizer cannot check';
const selfAuthorised: Record<AuthKind, string> = {
  none: 'Public by design (API.md): the caller holds no access token yet (e.g. sign-up, login, refresh) or reads a public document (JWKS, OpenAPI, health); the stage throttles these routes.',
  bearer: `Bearer route: ${verifiedByFunction}.`,
  enrollment: `Enrollment route: ${verifiedByFunction}.`,
  mfaToken:
    'MFA login route: the credential is an opaque single-use mfaToken in the JSON body, checked against DynamoDB by the function; no authorizer reads bodies.',
};

const splitList = (text: string) =>
  text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

/**
 * Props with the `settings` that have a dedicated prop lifted into it: the stack builds CORS, the
 * SES grant and the outputs from these, so they must see the value the functions get. Invalid
 * settings lift nothing; validateProps reports them.
 */
export function withSettings(props: MfaServiceProps): MfaServiceProps {
  const { env } = settingsEnvironment(props.settings);
  return {
    ...props,
    tokenIssuer: env.TOKEN_ISSUER ?? props.tokenIssuer,
    tokenAudience: env.TOKEN_AUDIENCE ?? props.tokenAudience,
    allowedOrigins:
      env.CORS_ALLOWED_ORIGINS !== undefined ? splitList(env.CORS_ALLOWED_ORIGINS) : props.allowedOrigins,
    sesSender: env.SES_SENDER ?? props.sesSender,
    smsAllowedCountries:
      env.SMS_ALLOWED_COUNTRIES !== undefined
        ? splitList(env.SMS_ALLOWED_COUNTRIES)
        : props.smsAllowedCountries,
    logLevel: (env.LOG_LEVEL as MfaServiceProps['logLevel']) ?? props.logLevel,
    appUrl: env.APP_URL ?? props.appUrl,
  };
}

/** What a front door gives the stack: its URL (no trailing slash) and a way to add a route. */
interface FrontDoor {
  url: string;
  stageArn: string;
  serverErrors: Metric;
  addRoute(route: Route & { name: string }, fn: NodejsFunction): void;
}

const serverErrorPeriod = Duration.minutes(5);

/**
 * The JSON access log line of both front doors, from context variables only: no headers, so
 * tokens never reach the logs. Only the route key is spelled differently by the two APIs.
 */
const accessLogFields = (routeKey: string) => ({
  requestId: '$context.requestId',
  time: '$context.requestTime',
  ip: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  routeKey,
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
});

/** A route's API Gateway limit: the deployment's override, else the route table's, else the stage's. */
const routeThrottle = (props: MfaServiceProps, route: Route & { name: string }) =>
  props.routeThrottles?.[route.name] ?? route.throttle;

/** API Gateway HTTP API (payload 2.0), `$default` stage: the URL has no stage path. */
function httpFrontDoor(scope: Construct, props: MfaServiceProps, accessLogs: LogGroup): FrontDoor {
  const api = new HttpApi(scope, 'Api', {
    apiName: `serverless-mfa-${props.stage}`,
    createDefaultStage: false,
    corsPreflight: props.allowedOrigins.length
      ? {
          allowOrigins: [...props.allowedOrigins],
          allowMethods: corsPolicy.allowMethods.map((method) => CorsHttpMethod[method]),
          allowHeaders: [...corsPolicy.allowHeaders],
          exposeHeaders: [...corsPolicy.exposeHeaders],
          maxAge: Duration.seconds(corsPolicy.maxAgeSeconds),
        }
      : undefined,
  });
  const stage = new HttpStage(scope, 'DefaultStage', {
    httpApi: api,
    autoDeploy: true,
    throttle: props.throttle,
    accessLogSettings: {
      destination: new LogGroupLogDestination(accessLogs),
      // HTTP API context variables only; no headers, so tokens never reach the logs.
      format: AccessLogFormat.custom(JSON.stringify(accessLogFields('$context.routeKey'))),
    },
  });
  // HttpStage has no per-route settings: the CloudFormation stage's RouteSettings, by route key.
  const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
  (stage.node.defaultChild as CfnStage).routeSettings = Lazy.any({
    produce: () => (Object.keys(routeSettings).length ? routeSettings : undefined),
  });
  return {
    url: api.apiEndpoint,
    stageArn: Stack.of(scope).formatArn({
      service: 'apigateway',
      account: '',
      resource: `/apis/${api.apiId}/stages/$default`,
    }),
    serverErrors: stage.metricServerError({ period: serverErrorPeriod }),
    addRoute(route, fn) {
      for (const httpRoute of api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${route.name}Integration`, fn),
      })) {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: selfAuthorised[route.auth],
        });
        const limit = routeThrottle(props, route);
        if (limit) {
          routeSettings[`${route.method} ${route.path}`] = {
            ThrottlingRateLimit: limit.rateLimit,
            ThrottlingBurstLimit: limit.burstLimit,
          };
          // A stage naming a route key that does not exist yet fails to deploy.
          stage.node.addDependency(httpRoute);
        }
      }
    },
  };
}

/**
 * API Gateway REST API: Lambda proxy integrations (payload 1.0), one regional stage named after
 * the deployment. Its URL is built from ids, not from the stage resource: the functions' issuer
 * refers to it, and the stage depends on the functions.
 */
function restFrontDoor(scope: Construct, props: MfaServiceProps, accessLogs: LogGroup): FrontDoor {
  const api = new RestApi(scope, 'Api', {
    restApiName: `serverless-mfa-${props.stage}`,
    endpointTypes: [EndpointType.REGIONAL],
    // The CloudWatch role is an account-wide API Gateway setting, shared by every REST API of the
    // account and region (like the SMS attributes): this stack leaves it alone.
    cloudWatchRole: false,
    deployOptions: {
      stageName: props.stage,
      throttlingRateLimit: props.throttle.rateLimit,
      throttlingBurstLimit: props.throttle.burstLimit,
      // Per method: `<resource path>/<HTTP method>`, as the stage's MethodSettings name them.
      methodOptions: Object.fromEntries(
        (props.routes ?? routeList).flatMap((route) => {
          const limit = routeThrottle(props, route);
          return limit
            ? [
                [
                  `${route.path}/${route.method}`,
                  { throttlingRateLimit: limit.rateLimit, throttlingBurstLimit: limit.burstLimit },
                ],
              ]
            : [];
        }),
      ),
      accessLogDestination: new RestLogDestination(accessLogs),
      // REST API context variables only; no headers, so tokens never reach the logs.
      accessLogFormat: AccessLogFormat.custom(
        JSON.stringify({
          ...accessLogFields('$context.httpMethod $context.resourcePath'),
          waf: '$context.wafResponseCode',
        }),
      ),
    },
    defaultCorsPreflightOptions: props.allowedOrigins.length
      ? {
          allowOrigins: [...props.allowedOrigins],
          allowMethods: [...corsPolicy.allowMethods],
          allowHeaders: [...corsPolicy.allowHeaders],
          exposeHeaders: [...corsPolicy.exposeHeaders],
          maxAge: Duration.seconds(corsPolicy.maxAgeSeconds),
        }
      : undefined,
  });
  // API Gateway's own refusals in the catalogue's shape, as the functions answer: an unknown
  // path is 404 not_found (a REST API says 403 "Missing Authentication Token"), and the stage's
  // throttling is 429 rate_limited.
  const catalogue = (code: string, message: string) => ({
    'application/json': JSON.stringify({ error: { code, message } }),
  });
  // The headers the functions' answers carry. A gateway response has static headers only, so
  // CORS can name the origin when there is exactly one; with several, browsers see these two
  // refusals as network errors (the README says so).
  const [onlyOrigin, ...moreOrigins] = props.allowedOrigins;
  const refusalHeaders = {
    'Cache-Control': "'no-store'",
    'X-Content-Type-Options': "'nosniff'",
    ...(onlyOrigin && moreOrigins.length === 0
      ? { 'Access-Control-Allow-Origin': `'${onlyOrigin}'`, Vary: "'Origin'" }
      : {}),
  };
  api.addGatewayResponse('NotFound', {
    type: ResponseType.MISSING_AUTHENTICATION_TOKEN,
    statusCode: '404',
    responseHeaders: refusalHeaders,
    templates: catalogue('not_found', 'Not found.'),
  });
  api.addGatewayResponse('Throttled', {
    type: ResponseType.THROTTLED,
    statusCode: '429',
    responseHeaders: { ...refusalHeaders, 'Retry-After': "'1'" },
    templates: catalogue('rate_limited', 'Too many requests.'),
  });
  const stage = api.deploymentStage;
  acknowledgeRestStage(stage, props.waf === true);
  const preflight =
    'CORS preflight: browsers send OPTIONS without credentials (Fetch standard); a mock integration answers it and no function runs.';
  const acknowledgeOpen = (method: Method, reason: string) => {
    for (const id of ['AwsSolutions-APIG4', 'AwsSolutions-COG4'])
      Validations.of(method).acknowledge({ id, reason });
  };
  return {
    url: `https://${api.restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}/${props.stage}`,
    stageArn: stage.stageArn,
    serverErrors: stage.metricServerError({ period: serverErrorPeriod }),
    addRoute(route, fn) {
      const resource = api.root.resourceForPath(route.path);
      // proxy (the default) is AWS_PROXY: the function gets the whole request as payload 1.0.
      const method = resource.addMethod(route.method, new LambdaIntegration(fn, { allowTestInvoke: false }));
      acknowledgeOpen(method, selfAuthorised[route.auth]);
      for (const node of [resource, ...parents(resource)]) {
        const options = node.node.tryFindChild('OPTIONS');
        if (options instanceof Method) acknowledgeOpen(options, preflight);
      }
    },
  };
}

const parents = (resource: IResource): IResource[] =>
  resource.parentResource ? [resource.parentResource, ...parents(resource.parentResource)] : [];

/** The cdk-nag findings of a REST stage this stack accepts, each with its reason. */
function acknowledgeRestStage(stage: ApiStage, waf: boolean) {
  Validations.of(stage.restApi).acknowledge({
    id: 'AwsSolutions-APIG2',
    reason:
      'Every function validates its request against the zod schemas of the route table (functions/routes.ts) and answers the catalogue error shape; an API Gateway request validator would answer in another shape.',
  });
  Validations.of(stage).acknowledge({
    id: 'AwsSolutions-APIG6',
    reason:
      'Execution logs need the account-wide API Gateway CloudWatch role, which this stack does not take over; access logs record every request and each function logs its own.',
  });
  if (!waf) {
    Validations.of(stage).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'WAF is opt-in (-c waf=true): it costs per web ACL and rule, and the functions enforce per-IP limits themselves (README "Security limits").',
    });
  }
}

/** An SNS topic the alarms go to, with an email subscription (confirmed from the first email). */
function alarmEmailTopic(scope: Construct, email: string): Topic {
  const topic = new Topic(scope, 'AlarmEmailTopic', { enforceSSL: true });
  topic.addSubscription(new EmailSubscription(email));
  Validations.of(topic).acknowledge({
    id: 'AwsSolutions-SNS2',
    reason:
      'Alarm notifications carry alarm names and metric values, no user data; CloudWatch cannot publish to a topic under the AWS-managed SNS key, and a customer-managed key for this alone costs more than it protects.',
  });
  return topic;
}

/** The SES identity of the sender; for a domain, the Easy DKIM CNAME records to publish. */
function senderIdentity(scope: Construct, identity: string): { name: string; value: string }[] {
  const isEmail = identity.includes('@');
  const ses = new EmailIdentity(scope, 'SenderIdentity', {
    identity: isEmail ? Identity.email(identity) : Identity.domain(identity),
  });
  return isEmail ? [] : ses.dkimRecords.map((record) => ({ name: record.name, value: record.value }));
}

/** Lambda settings every function shares; the API's integration timeout bounds the routes'. */
const bundling = {
  format: OutputFormat.ESM,
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  target: 'node24',
  // Bundle the AWS SDK v3: a pinned, tree-shaken copy starts faster than the runtime's.
  externalModules: [],
  mainFields: ['module', 'main'],
  // CommonJS dependencies inside an ESM bundle still call require().
  banner:
    "import { createRequire as topLevelCreateRequire } from 'node:module'; const require = topLevelCreateRequire(import.meta.url);",
  forceDockerBundling: false,
};

/**
 * esbuild aliases that keep out of a function's bundle what it never runs in Lambda: the SDK's
 * default credential chain, where the role's environment credentials are all it uses, and the
 * SDK clients its permissions do not name (IAM would refuse their calls). Paths are relative to the
 * project root, esbuild's working directory, so Docker bundling resolves them alike.
 */
const withheldClients: readonly { module: string; stub: string; permissions: readonly Permission[] }[] = [
  { module: '@aws-sdk/client-kms', stub: 'client-kms', permissions: ['kms:decrypt', 'kms:generateDataKey'] },
  { module: '@aws-sdk/client-ses', stub: 'client-ses', permissions: ['ses:send'] },
  { module: '@aws-sdk/client-sns', stub: 'client-sns', permissions: ['sns:publish'] },
];

/** Every function's credential provider: environment credentials only (lambda-credentials.ts). */
export const credentialsAlias = {
  '@aws-sdk/credential-provider-node': './infra/aws/lambda-credentials.ts',
} as const;

function bundlingFor(permissions: readonly Permission[]) {
  const aliases = [
    ...Object.entries(credentialsAlias).map(([from, to]) => `${from}=${to}`),
    ...withheldClients
      .filter((client) => !client.permissions.some((permission) => permissions.includes(permission)))
      .map((client) => `${client.module}=./infra/aws/withheld/${client.stub}.ts`),
  ];
  return { ...bundling, esbuildArgs: { '--alias': aliases } };
}

/**
 * The whole service as one construct: the table (with its stream), the KMS key, one Lambda per
 * route of functions/routes.ts and per worker of functions/workers.ts, the API, the event bus,
 * the signing key rotation schedule, alarms and a dashboard. `MfaStack` is this in a stack of
 * its own; a platform team can put it in theirs and protect its own HTTP API with
 * `httpJwtAuthorizer()`.
 */
export class MfaService extends Construct {
  /** The API base URL, without a trailing slash: routes are `/v1/…` below it. */
  readonly apiUrl: string;
  /** `iss` of the tokens: `tokenIssuer`, or `apiUrl`. */
  readonly issuer: string;
  /** The public keys that verify the tokens (`<apiUrl>/.well-known/jwks.json`). */
  readonly jwksUrl: string;
  /** `aud` of the access tokens (setting TOKEN_AUDIENCE); enrollment tokens carry `<audience>:mfa-enroll`. */
  readonly audience: string;
  /** The single table (shared/db/table.ts). */
  readonly table: ITable;
  /** The KMS key of the envelope encryption (TOTP secrets, signing keys). */
  readonly key: Key;
  /** The bus every security event of the table is put on (functions/events/publish.ts). */
  readonly eventBus: EventBus;
  /** The alarms, for more to be added beside them; each notifies the alarm topic(s). */
  readonly alarms: Alarm[];
  /** The operations dashboard; widgets are added to it. */
  readonly dashboard: Dashboard;
  /** Its console URL (region of the stack). */
  readonly dashboardUrl: string;
  /** The function of each worker of functions/workers.ts, by name (`rotateSigningKey` to invoke by hand). */
  readonly workerFunctions: Readonly<Record<string, NodejsFunction>>;
  /** With a domain `senderIdentity`: the three Easy DKIM CNAME records to publish in its DNS. */
  readonly dkimRecords: readonly { name: string; value: string }[];

  readonly #signingAlg: 'RS256' | 'ES256';
  readonly #stage: string;
  readonly #authorizers = new Map<string, HttpJwtAuthorizer>();

  constructor(scope: Construct, id: string, input: MfaServiceProps) {
    super(scope, id);
    const props = withSettings(input);
    validateProps(props);
    const stack = Stack.of(this);
    const routes = props.routes ?? routeList;
    const workers = props.workers ?? workerList;
    const removalPolicy = props.tableRetention === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logGroup = (logId: string) =>
      // Logs expire by retention anyway; a retained group would outlive the stack unmanaged.
      new LogGroup(this, logId, { retention: props.logRetentionDays, removalPolicy: RemovalPolicy.DESTROY });

    // Encrypted with the AWS-managed key (aws/dynamodb): unlike the default AWS-owned key it is
    // in this account and its use shows in CloudTrail. A customer-managed key would add little:
    // secrets in items are already sealed under `key` or stored as digests, and every table grant
    // would also need kms:Decrypt on the table key, widening each function's policy.
    const table = new Table(this, 'Table', {
      partitionKey: { name: tableDefinition.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableDefinition.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: tableDefinition.ttlAttribute,
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      // shared/db/table.ts: new images, read by the publisher alone (its event source mapping).
      stream: StreamViewType[tableDefinition.stream],
      removalPolicy,
      deletionProtection: props.tableRetention === 'retain',
    });

    // Envelope encryption of TOTP secrets and of the token signing key; it follows the table's
    // retention because deleting it would make the retained data unreadable.
    const key = new Key(this, 'Key', {
      alias: `alias/serverless-mfa-${props.stage}`,
      description: `serverless-mfa ${props.stage}: data keys for TOTP secrets and the signing key`,
      enableKeyRotation: true,
      removalPolicy,
    });

    // Security events for other services (SIEM, support tools, the team's own reactions).
    const eventBus = new EventBus(this, 'EventBus', {
      eventBusName: props.eventBusName ?? `serverless-mfa-${props.stage}`,
      description: `serverless-mfa ${props.stage}: every security event the service records`,
    });

    const apiKind = props.api ?? 'http';
    const frontDoor = (apiKind === 'rest' ? restFrontDoor : httpFrontDoor)(
      this,
      props,
      logGroup('AccessLogs'),
    );
    // `iss` of the tokens: no trailing slash, and verifiers find /.well-known/jwks.json under it.
    const issuer = props.tokenIssuer ?? frontDoor.url;
    const settingsEnv = settingsEnvironment(props.settings).env;
    const environment: Record<string, string> = {
      TABLE_NAME: table.tableName,
      KMS_KEY_ID: key.keyArn,
      TOKEN_ISSUER: issuer,
      TOKEN_AUDIENCE: props.tokenAudience ?? 'serverless-mfa',
      CORS_ALLOWED_ORIGINS: props.allowedOrigins.join(','),
      SES_SENDER: props.sesSender,
      SMS_ALLOWED_COUNTRIES: props.smsAllowedCountries.join(','),
      LOG_LEVEL: props.logLevel ?? 'info',
      ...(props.appUrl ? { APP_URL: props.appUrl } : {}),
      ...(props.smsBreaker
        ? {
            SMS_PER_HOUR: String(props.smsBreaker.perHour),
            SMS_PER_DAY: String(props.smsBreaker.perDay),
            SMS_PER_COUNTRY_PER_HOUR: String(props.smsBreaker.perCountryPerHour),
          }
        : {}),
      // Every other setting of shared/config.ts, validated against its schema in validateProps.
      ...settingsEnv,
      NODE_OPTIONS: '--enable-source-maps',
    };
    // What the functions will parse at their first request, parsed here first (defaults filled in).
    const effective = effectiveSettings(environment);

    const [, senderDomain] = props.sesSender.split('@');
    // Only the item actions the repositories use, on the table alone (it has no index):
    // grantReadData/grantWriteData would add Scan, BatchGet/BatchWrite, DescribeTable and the
    // stream reads. TransactWriteItems needs no action of its own: IAM authorises each item
    // of a transaction by its Put/Update/Delete/ConditionCheck action.
    const tableActions = (role: Role, actions: string[]) =>
      role.addToPolicy(
        new PolicyStatement({ actions: actions.map((a) => `dynamodb:${a}`), resources: [table.tableArn] }),
      );
    // Every KMS call of the product (shared/crypto/keyring.ts through envelope.ts) passes an
    // encryption context whose `purpose` is one of these; KMS checks the condition per request,
    // so a function cannot use the key for anything else. StringEquals, not
    // ForAllValues:StringEquals: the latter also matches a request without any context.
    const kmsActions = (role: Role, actions: string[]) =>
      role.addToPolicy(
        new PolicyStatement({
          actions,
          resources: [key.keyArn],
          conditions: { StringEquals: { 'kms:EncryptionContext:purpose': [...kmsPurposes] } },
        }),
      );
    const grants: Record<Permission, (role: Role) => void> = {
      // BatchGetItem: named keys only, like GetItem (the login's items in one round trip, a
      // user's sessions, members' addresses); never Scan.
      'table:read': (role) => tableActions(role, ['GetItem', 'BatchGetItem', 'Query', 'ConditionCheckItem']),
      'table:write': (role) =>
        tableActions(role, ['PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem']),
      'table:put': (role) => tableActions(role, ['PutItem']),
      'kms:decrypt': (role) => kmsActions(role, ['kms:Decrypt']),
      'kms:generateDataKey': (role) => kmsActions(role, ['kms:GenerateDataKey']),
      'sns:publish': (role) => {
        // SMS to a phone number has no resource ARN, hence `*`: the spend limit and alarms below
        // are set in this region only, and topics (any ARN) stay out of reach.
        role.addToPolicy(
          new PolicyStatement({
            actions: ['sns:Publish'],
            resources: ['*'],
            conditions: { StringEquals: { 'aws:RequestedRegion': stack.region } },
          }),
        );
        role.addToPolicy(
          new PolicyStatement({
            effect: Effect.DENY,
            actions: ['sns:Publish'],
            resources: [`arn:${stack.partition}:sns:*:*:*`],
          }),
        );
        Validations.of(role).acknowledge({
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            'SNS Publish to a phone number (SMS) has no resource ARN; it is limited to this region by a condition and denied on every topic ARN.',
        });
      },
      'ses:send': (role) =>
        role.addToPolicy(
          new PolicyStatement({
            actions: ['ses:SendEmail', 'ses:SendRawEmail'],
            // SES authorises against the address identity or, when the domain is verified, the domain's.
            resources: [props.sesSender, senderDomain].map((identity) =>
              stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
            ),
            conditions: { StringEquals: { 'ses:FromAddress': props.sesSender } },
          }),
        ),
      // events:PutEvents on this bus only.
      'events:put': (role) => {
        eventBus.grantPutEventsTo(role);
      },
    };

    /** One function, its own role (only its permissions) and its own log group. */
    const lambda = (
      name: string,
      options: { module: string; description: string; permissions: readonly Permission[] } & Pick<
        NodejsFunctionProps,
        'memorySize' | 'timeout'
      >,
    ) => {
      // Own role per function: only its own log group, instead of AWSLambdaBasicExecutionRole's
      // logs:* on every group.
      const logs = logGroup(`${name}Logs`);
      const role = new Role(this, `${name}Role`, {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      });
      logs.grantWrite(role);
      for (const permission of options.permissions) grants[permission](role);
      return new NodejsFunction(this, name, {
        description: options.description,
        entry: `${repoRoot}functions/${options.module}.ts`,
        projectRoot: repoRoot,
        depsLockFilePath: `${repoRoot}package-lock.json`,
        runtime: Runtime.NODEJS_24_X,
        // X-Ray from API Gateway into each function, with no tracing SDK in the bundles.
        tracing: Tracing.ACTIVE,
        architecture: Architecture.ARM_64,
        memorySize: options.memorySize,
        timeout: options.timeout,
        role,
        logGroup: logs,
        environment: {
          ...environment,
          // A function that may put events learns where (today: the publisher alone).
          ...(options.permissions.includes('events:put') ? { EVENT_BUS_NAME: eventBus.eventBusName } : {}),
        },
        bundling: bundlingFor(options.permissions),
      });
    };

    for (const route of routes) {
      const fn = lambda(route.name, {
        module: route.module,
        description: `${route.method} ${route.path}`,
        permissions: route.permissions,
        memorySize: hashesPassword(route) ? 1769 : 512,
        // The API's integration timeout is 30 s; a DynamoDB/KMS/SNS round trip that takes 10 s is an outage.
        timeout: Duration.seconds(10),
      });
      frontDoor.addRoute(route, fn);
    }
    if (props.waf) {
      attachWebAcl(this, {
        stage: props.stage,
        stageArn: frontDoor.stageArn,
        routes,
        settings: effective,
      });
    }

    // Published (EMF) by every function that texts when the breaker refuses a text: it means
    // pumping (or a breaker set too low for real traffic), and SMS codes pause for everyone. The
    // same series the dashboard shows (shared/metrics.ts), not a second count from the logs.
    const breakerOpen = new Metric({
      namespace: `ServerlessMfa/${props.stage}`,
      metricName: metricNames.smsBreakerOpen,
      dimensionsMap: { service: METRIC_SERVICE },
      statistic: Stats.SUM,
      period: Duration.minutes(5),
    });

    const workerAlarms: Alarm[] = [];
    const workerFunctions: Record<string, NodejsFunction> = {};
    // Whether a worker's schedule runs; a worker not named here always does.
    const scheduled: Record<string, boolean> = { rotateSigningKey: props.signingKeyRotation !== false };
    for (const worker of workers) {
      const fn = lambda(worker.name, {
        module: worker.module,
        description: `${worker.name}: ${worker.summary}`.slice(0, 256),
        permissions: worker.permissions,
        memorySize: 512,
        // No API waits on a worker; a batch of 100 stream records is 10 PutEvents calls.
        timeout: Duration.seconds(30),
      });
      workerFunctions[worker.name] = fn;
      if (worker.trigger.kind === 'tableStream') {
        // Records that still fail after the retries (or outlive a day) land here, never dropped.
        const deadLetters = new Queue(this, `${worker.name}DeadLetters`, {
          encryption: QueueEncryption.SQS_MANAGED,
          enforceSSL: true,
          retentionPeriod: Duration.days(14),
        });
        Validations.of(deadLetters).acknowledge({
          id: 'AwsSolutions-SQS3',
          reason: `This queue is the dead-letter destination (onFailure) of the ${worker.name} table stream mapping; a queue behind it would only move the alarm.`,
        });
        fn.addEventSource(
          new DynamoEventSource(table, {
            startingPosition: StartingPosition.TRIM_HORIZON,
            batchSize: 100,
            // A poison record is isolated by halving the batch; the handler reports the failed
            // records (batchItemFailures), so the retry starts at the first of them and the records
            // before it are not put again (those after it may be: consumers de-duplicate by id).
            bisectBatchOnError: true,
            reportBatchItemFailures: true,
            retryAttempts: 10,
            maxRecordAge: Duration.hours(24),
            onFailure: new SqsDlq(deadLetters),
            // New sessions (their audit events are derived from them) and security events, each
            // once: every event is written under its user (and a copy under its org, DESIGN.md
            // data model), so the USER# copy is the one published.
            filters: [
              FilterCriteria.filter({
                eventName: FilterRule.isEqual('INSERT'),
                dynamodb: {
                  NewImage: {
                    [tableDefinition.partitionKey]: { S: FilterRule.beginsWith('USER#') },
                    [tableDefinition.sortKey]: { S: FilterRule.beginsWith('EVENT#') },
                  },
                },
              }),
              FilterCriteria.filter({
                eventName: FilterRule.isEqual('INSERT'),
                dynamodb: {
                  NewImage: {
                    [tableDefinition.partitionKey]: { S: FilterRule.beginsWith('SESSION#') },
                    [tableDefinition.sortKey]: { S: FilterRule.isEqual('SESSION') },
                  },
                },
              }),
            ],
          }),
        );
        workerAlarms.push(
          new Alarm(this, `${worker.name}DeadLettersAlarm`, {
            alarmDescription: `Table stream records the ${worker.name} function could not process after 10 retries are in its dead-letter queue (kept 14 days): security events did not reach the bus. Fix the cause, then redrive them.`,
            metric: deadLetters.metricApproximateNumberOfMessagesVisible({
              period: Duration.minutes(5),
              statistic: Stats.MAXIMUM,
            }),
            threshold: 0,
            comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: TreatMissingData.NOT_BREACHING,
          }),
        );
      } else if (scheduled[worker.name] ?? true) {
        new Rule(this, `${worker.name}Schedule`, {
          description: `serverless-mfa ${props.stage}: ${worker.summary}`.slice(0, 512),
          schedule: Schedule.expression(worker.trigger.schedule),
          targets: [new LambdaFunction(fn, { retryAttempts: 2 })],
        });
        workerAlarms.push(
          new Alarm(this, `${worker.name}Errors`, {
            alarmDescription: `The scheduled ${worker.name} function failed (${worker.summary}). Read its logs; it runs again at the next schedule, or invoke it by hand.`,
            metric: fn.metricErrors({ period: Duration.minutes(5), statistic: Stats.SUM }),
            threshold: 1,
            comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            evaluationPeriods: 1,
            treatMissingData: TreatMissingData.NOT_BREACHING,
          }),
        );
      }
    }

    // SMS safety (DESIGN.md Limits). The spend limit and default SMS type are settings of the
    // whole account in this region, shared by every SMS sender in it (other stages, other
    // products): the stack changes them only when asked to (manageAccountSmsSettings), and
    // otherwise only alarms on the spend. SNS refuses limits above the account's SMS quota
    // (1 USD until raised through AWS Support).
    if (props.manageAccountSmsSettings) {
      const smsSettingsRole = new Role(this, 'SmsSettingsRole', {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      });
      const smsSettingsLogs = logGroup('SmsSettingsLogs');
      smsSettingsLogs.grantWrite(smsSettingsRole);
      const smsSettings = new AwsCustomResource(this, 'SmsSettings', {
        onUpdate: {
          service: 'SNS',
          action: 'SetSMSAttributes',
          parameters: {
            attributes: {
              MonthlySpendLimit: String(props.smsMonthlySpendLimitUsd),
              // One-time codes: SNS optimises transactional messages for delivery, not cost.
              DefaultSMSType: 'Transactional',
            },
          },
          physicalResourceId: PhysicalResourceId.of('sms-settings'),
        },
        policy: AwsCustomResourcePolicy.fromSdkCalls({ resources: AwsCustomResourcePolicy.ANY_RESOURCE }),
        role: smsSettingsRole,
        logGroup: smsSettingsLogs,
        installLatestAwsSdk: false,
      });
      Validations.of(smsSettings).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'sns:SetSMSAttributes is an account-level action without resource-level permissions.',
      });
    }

    const alarmActions = [
      ...(props.alarmTopicArn ? [Topic.fromTopicArn(this, 'AlarmTopic', props.alarmTopicArn)] : []),
      ...(props.alarmEmail ? [alarmEmailTopic(this, props.alarmEmail)] : []),
    ].map((topic) => new SnsAction(topic));
    const smsSpent = new Metric({
      namespace: 'AWS/SNS',
      metricName: 'SMSMonthToDateSpentUSD',
      statistic: Stats.MAXIMUM,
      period: Duration.minutes(5),
    });
    const alarms = [50, 80].map(
      (percent) =>
        new Alarm(this, `SmsSpend${percent}Percent`, {
          alarmDescription: `SMS spend this month reached ${percent}% of the ${props.smsMonthlySpendLimitUsd} USD limit; at 100% SNS stops sending codes.`,
          metric: smsSpent,
          threshold: (props.smsMonthlySpendLimitUsd * percent) / 100,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
    );
    alarms.push(
      new Alarm(this, 'Api5xx', {
        alarmDescription: 'The API answered 5xx (function errors, timeouts or SMS/email delivery failures).',
        metric: frontDoor.serverErrors,
        threshold: 5,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    alarms.push(
      new Alarm(this, 'SmsBreakerOpen', {
        alarmDescription:
          'The SMS circuit breaker refused a text: SMS codes are paused for everyone (or one country) until its window ends. Look for pumping (many new numbers, one country, few IPs) or raise smsBreaker.',
        metric: breakerOpen,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    alarms.push(...workerAlarms);
    for (const alarm of alarms) alarm.addAlarmAction(...alarmActions);
    this.alarms = alarms;

    this.dkimRecords = props.senderIdentity ? senderIdentity(this, props.senderIdentity) : [];

    // Empty until widgets are added; its URL is an output from the first deploy on.
    const dashboardName = `serverless-mfa-${props.stage}`;
    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName });
    alarms.push(
      ...observability(this, { ...props, dashboard: this.dashboard, alarmActions, alarms: [...alarms] }),
    );

    this.dashboardUrl = `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards:name=${dashboardName}`;
    this.apiUrl = frontDoor.url;
    this.issuer = issuer;
    this.jwksUrl = `${frontDoor.url}/.well-known/jwks.json`;
    this.audience = effective.TOKEN_AUDIENCE;
    this.table = table;
    this.key = key;
    this.eventBus = eventBus;
    this.workerFunctions = workerFunctions;
    this.#signingAlg = effective.TOKEN_SIGNING_ALG;
    this.#stage = props.stage;
  }

  /**
   * An API Gateway HTTP API JWT authorizer that accepts this service's access tokens, for a
   * team's own HTTP API: it checks the RSA signature against the JWKS, `iss`, `aud` (the access
   * token audience only: enrollment tokens carry `<audience>:mfa-enroll` and are refused) and
   * `exp`. It does not see session revocation: a signed-out token stays valid until it expires
   * (15 minutes at most, ACCESS_TOKEN_TTL_SECONDS).
   *
   * Routes that require MFA set `authorizationScopes: ['aal2']` on themselves: access tokens
   * carry `scope: "aal1"` after a password alone and `"aal1 aal2"` after a second factor, and
   * API Gateway answers 403 when none of the route's scopes is in the token.
   *
   * One authorizer per `scope` argument, cached: calling it again returns the same object, so
   * every route of one API shares one AWS authorizer. `scope` only names it (`serverless-mfa-
   * <stage>-<scope>`), e.g. to keep the authorizers of two HTTP APIs apart: an authorizer belongs
   * to the first HttpApi a route binds it to, so use one `scope` per API.
   *
   * Throws when the service signs ES256 (TOKEN_SIGNING_ALG): API Gateway's JWT authorizer
   * verifies RSA signatures only.
   */
  httpJwtAuthorizer(scope?: string): HttpJwtAuthorizer {
    if (this.#signingAlg !== 'RS256') {
      throw new Error(
        `httpJwtAuthorizer: the service signs tokens with ${this.#signingAlg} (settings.TOKEN_SIGNING_ALG), and API Gateway's HTTP API JWT authorizer verifies RS256 (RSA) signatures only. Set TOKEN_SIGNING_ALG to RS256, or verify the tokens in your functions against jwksUrl.`,
      );
    }
    const name = [`serverless-mfa-${this.#stage}`, scope?.replace(/[^A-Za-z0-9-]+/g, '-')]
      .filter(Boolean)
      .join('-');
    let authorizer = this.#authorizers.get(name);
    if (!authorizer) {
      authorizer = new HttpJwtAuthorizer(name, this.issuer, {
        authorizerName: name,
        identitySource: ['$request.header.Authorization'],
        jwtAudience: [this.audience],
      });
      this.#authorizers.set(name, authorizer);
    }
    return authorizer;
  }
}
