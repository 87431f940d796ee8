import { fileURLToPath } from 'node:url';
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
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
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
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
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import * as z from 'zod';
import { routeList } from '../../functions/routes.ts';
import { tableDefinition } from '../../shared/db/table.ts';
import { corsPolicy } from '../../shared/http/cors.ts';
import type { AuthKind, Permission, Route } from '../../shared/http/route.ts';
import { METRIC_SERVICE, metricNames } from '../../shared/metrics.ts';
import { observability } from './observability.ts';
import { effectiveSettings, type Settings, settingsEnvironment } from './settings.ts';
import { attachWebAcl } from './waf.ts';

export interface MfaStackProps extends StackProps {
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
  /** The route table; tests pass other entries to exercise permissions no route uses yet. */
  routes?: readonly (Route & { name: string })[];
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
export function validateProps(props: MfaStackProps): void {
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
    ...settingsEnvironment(props.settings).problems,
  ].filter((problem) => typeof problem === 'string');
  if (problems.length > 0) throw new Error(`Invalid MfaStack props:\n- ${problems.join('\n- ')}`);
}

/**
 * argon2id (19 MiB, t=2, p=1) is single-threaded CPU work: below 1769 MB a function gets a
 * fraction of a vCPU, so the hash takes proportionally longer at the same GB-second price;
 * 1769 MB is one full vCPU, beyond which p=1 gains nothing. Routes whose body carries a
 * password hash or verify one; the rest do a few DynamoDB/KMS calls and an ES256 signature.
 */
const hashesPassword = (route: Route) =>
  route.body instanceof z.ZodObject && Object.keys(route.body.shape).some((field) => /password/i.test(field));

// Why no route has an API Gateway authorizer (cdk-nag AwsSolutions-APIG4), per auth kind.
const verifiedByFunction =
  'the function verifies the ES256 access token itself, including session revocation and the scope claim (full or mfa:enroll), which an API Gateway JWT authorizer cannot check';
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
export function withSettings(props: MfaStackProps): MfaStackProps {
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
    logLevel: (env.LOG_LEVEL as MfaStackProps['logLevel']) ?? props.logLevel,
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

/** API Gateway HTTP API (payload 2.0), `$default` stage: the URL has no stage path. */
function httpFrontDoor(scope: Stack, props: MfaStackProps, accessLogs: LogGroup): FrontDoor {
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
      format: AccessLogFormat.custom(
        JSON.stringify({
          requestId: '$context.requestId',
          time: '$context.requestTime',
          ip: '$context.identity.sourceIp',
          userAgent: '$context.identity.userAgent',
          routeKey: '$context.routeKey',
          status: '$context.status',
          responseLength: '$context.responseLength',
          latencyMs: '$context.responseLatency',
          integrationLatencyMs: '$context.integrationLatency',
          integrationError: '$context.integrationErrorMessage',
          error: '$context.error.message',
        }),
      ),
    },
  });
  return {
    url: api.apiEndpoint,
    stageArn: scope.formatArn({
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
      }
    },
  };
}

/**
 * API Gateway REST API: Lambda proxy integrations (payload 1.0), one regional stage named after
 * the deployment. Its URL is built from ids, not from the stage resource: the functions' issuer
 * refers to it, and the stage depends on the functions.
 */
function restFrontDoor(scope: Stack, props: MfaStackProps, accessLogs: LogGroup): FrontDoor {
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
      accessLogDestination: new RestLogDestination(accessLogs),
      // REST API context variables only; no headers, so tokens never reach the logs.
      accessLogFormat: AccessLogFormat.custom(
        JSON.stringify({
          requestId: '$context.requestId',
          time: '$context.requestTime',
          ip: '$context.identity.sourceIp',
          userAgent: '$context.identity.userAgent',
          routeKey: '$context.httpMethod $context.resourcePath',
          status: '$context.status',
          responseLength: '$context.responseLength',
          latencyMs: '$context.responseLatency',
          integrationLatencyMs: '$context.integrationLatency',
          integrationError: '$context.integrationErrorMessage',
          error: '$context.error.message',
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
function alarmEmailTopic(scope: Stack, email: string): Topic {
  const topic = new Topic(scope, 'AlarmEmailTopic', { enforceSSL: true });
  topic.addSubscription(new EmailSubscription(email));
  Validations.of(topic).acknowledge({
    id: 'AwsSolutions-SNS2',
    reason:
      'Alarm notifications carry alarm names and metric values, no user data; CloudWatch cannot publish to a topic under the AWS-managed SNS key, and a customer-managed key for this alone costs more than it protects.',
  });
  return topic;
}

/** The SES identity of the sender; for a domain, the Easy DKIM records to publish as outputs. */
function senderIdentity(scope: Stack, identity: string) {
  const isEmail = identity.includes('@');
  const ses = new EmailIdentity(scope, 'SenderIdentity', {
    identity: isEmail ? Identity.email(identity) : Identity.domain(identity),
  });
  if (isEmail) return;
  ses.dkimRecords.forEach((record, index) => {
    new CfnOutput(scope, `DkimRecord${index + 1}`, {
      description: `DKIM CNAME record ${index + 1} of 3 to publish in ${identity}'s DNS`,
      value: `${record.name} CNAME ${record.value}`,
    });
  });
}

export class MfaStack extends Stack {
  /** The alarms, for more to be added beside them; each notifies the alarm topic(s). */
  readonly alarms: Alarm[];
  /** The operations dashboard (output `DashboardUrl`); widgets are added to it. */
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, input: MfaStackProps) {
    super(scope, id, input);
    const props = withSettings(input);
    validateProps(props);
    const routes = props.routes ?? routeList;
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

    const apiKind = props.api ?? 'http';
    const frontDoor = (apiKind === 'rest' ? restFrontDoor : httpFrontDoor)(
      this,
      props,
      logGroup('AccessLogs'),
    );
    // `iss` of the tokens: no trailing slash, and verifiers find /.well-known/jwks.json under it.
    const issuer = props.tokenIssuer ?? frontDoor.url;
    const settingsEnv = settingsEnvironment(props.settings).env;
    const environment = {
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
      'table:read': (role) => tableActions(role, ['GetItem', 'Query', 'ConditionCheckItem']),
      'table:write': (role) =>
        tableActions(role, ['PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem']),
      'kms:decrypt': (role) => kmsActions(role, ['kms:Decrypt']),
      'kms:generateDataKey': (role) => kmsActions(role, ['kms:GenerateDataKey']),
      'sns:publish': (role) => {
        // SMS to a phone number has no resource ARN, hence `*`: the spend limit and alarms below
        // are set in this region only, and topics (any ARN) stay out of reach.
        role.addToPolicy(
          new PolicyStatement({
            actions: ['sns:Publish'],
            resources: ['*'],
            conditions: { StringEquals: { 'aws:RequestedRegion': this.region } },
          }),
        );
        role.addToPolicy(
          new PolicyStatement({
            effect: Effect.DENY,
            actions: ['sns:Publish'],
            resources: [`arn:${this.partition}:sns:*:*:*`],
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
              this.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
            ),
            conditions: { StringEquals: { 'ses:FromAddress': props.sesSender } },
          }),
        ),
    };

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
    for (const route of routes) {
      // Own role per function: only its own log group, instead of AWSLambdaBasicExecutionRole's
      // logs:* on every group.
      const logs = logGroup(`${route.name}Logs`);
      const role = new Role(this, `${route.name}Role`, {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      });
      logs.grantWrite(role);
      for (const permission of route.permissions) grants[permission](role);
      const fn = new NodejsFunction(this, route.name, {
        description: `${route.method} ${route.path}`,
        entry: `${repoRoot}functions/${route.module}.ts`,
        projectRoot: repoRoot,
        depsLockFilePath: `${repoRoot}package-lock.json`,
        runtime: Runtime.NODEJS_24_X,
        // X-Ray from API Gateway into each function, with no tracing SDK in the bundles.
        tracing: Tracing.ACTIVE,
        architecture: Architecture.ARM_64,
        memorySize: hashesPassword(route) ? 1769 : 512,
        // The API's integration timeout is 30 s; a DynamoDB/KMS/SNS round trip that takes 10 s is an outage.
        timeout: Duration.seconds(10),
        role,
        logGroup: logs,
        environment,
        bundling: {
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
        },
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
    for (const alarm of alarms) alarm.addAlarmAction(...alarmActions);
    this.alarms = alarms;

    if (props.senderIdentity) senderIdentity(this, props.senderIdentity);

    // Empty until widgets are added; its URL is an output from the first deploy on.
    const dashboardName = `serverless-mfa-${props.stage}`;
    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName });
    alarms.push(
      ...observability(this, { ...props, dashboard: this.dashboard, alarmActions, alarms: [...alarms] }),
    );

    new CfnOutput(this, 'ApiUrl', {
      description: 'The API base URL, without a trailing slash: routes are /v1/… below it.',
      value: frontDoor.url,
    });
    new CfnOutput(this, 'Issuer', { description: 'iss of the access tokens.', value: issuer });
    new CfnOutput(this, 'JwksUrl', {
      description: 'The public keys that verify access tokens.',
      value: `${frontDoor.url}/.well-known/jwks.json`,
    });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'KeyArn', { value: key.keyArn });
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://${Aws.REGION}.console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards:name=${dashboardName}`,
    });
  }
}
