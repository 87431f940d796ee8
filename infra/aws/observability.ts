import { Duration, Validations } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  type Dashboard,
  GraphWidget,
  type IAlarmAction,
  MathExpression,
  Metric,
  Stats,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import { type Channel, METRIC_SERVICE, type MetricName, metricNames } from '../../shared/metrics.ts';

/**
 * The dashboard's widgets and the alarms on the EMF metrics of shared/metrics.ts. The service
 * keeps its own alarms (SMS spend at 50 % and 80 %, API 5xx, SMS breaker) and passes them in
 * to be shown beside these; every new alarm notifies the same actions.
 */
export interface ObservabilityProps {
  stage: string;
  dashboard: Dashboard;
  alarmActions: readonly IAlarmAction[];
  /** The stack's alarms, shown in the dashboard's alarm panel. */
  alarms?: readonly Alarm[];
  /** Drawn as 50 % and 80 % lines on the SMS spend graph. */
  smsMonthlySpendLimitUsd?: number;
}

/** Delivery failures (codes and security notices) in 5 minutes that page: a provider or identity is broken. */
export const DELIVERY_FAILURES_PER_5_MIN = 5;
/**
 * MFA locks in 5 minutes that page: each is 10 wrong codes on one account (DESIGN Limits), so
 * this many at once is a guessing campaign or a client that sends codes wrong.
 */
export const MFA_LOCKS_PER_5_MIN = 10;

const PERIOD = Duration.minutes(5);

export const metricNamespace = (stage: string) => `ServerlessMfa/${stage}`;

export function observability(scope: Construct, props: ObservabilityProps): Alarm[] {
  const namespace = metricNamespace(props.stage);
  const metric = (name: MetricName, label?: string, extra: Record<string, string> = {}) =>
    new Metric({
      namespace,
      metricName: name,
      dimensionsMap: { service: METRIC_SERVICE, ...extra },
      statistic: Stats.SUM,
      period: PERIOD,
      label,
    });
  const perChannel = (name: MetricName, channel: Channel) => metric(name, channel, { channel });

  // Every function of the service publishes into the stage's namespace (shared/metrics.ts reads it).
  for (const fn of scope.node.findAll().filter((node) => node instanceof NodejsFunction)) {
    fn.addEnvironment('POWERTOOLS_METRICS_NAMESPACE', namespace);
    // `tracing: Tracing.ACTIVE` grants X-Ray's two write actions, which take no resource ARN.
    const tracing = (fn.node.defaultChild as CfnFunction).tracingConfig as { mode?: string } | undefined;
    if (tracing?.mode === 'Active' && fn.role) {
      Validations.of(fn.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Lambda active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions.',
      });
    }
  }

  const deliveryFailures = new MathExpression({
    expression: 'FILL(sms, 0) + FILL(email, 0) + FILL(notice, 0)',
    usingMetrics: {
      sms: perChannel(metricNames.codeDeliveryFailed, 'sms'),
      email: perChannel(metricNames.codeDeliveryFailed, 'email'),
      notice: metric(metricNames.noticeDeliveryFailed, 'security notices'),
    },
    label: 'delivery failures',
    period: PERIOD,
  });
  const alarms = [
    new Alarm(scope, 'DeliveryFailures', {
      alarmDescription: `SNS or SES refused ${DELIVERY_FAILURES_PER_5_MIN}+ codes or security emails in 5 minutes: users cannot sign in with SMS/email codes or are not told of account changes. Check the SES identity and sandbox, the SMS spend limit and the functions' "sms delivery failed" / "email delivery failed" logs.`,
      metric: deliveryFailures,
      threshold: DELIVERY_FAILURES_PER_5_MIN,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),
    new Alarm(scope, 'MfaLockSpike', {
      alarmDescription: `${MFA_LOCKS_PER_5_MIN}+ accounts had MFA locked in 5 minutes (10 wrong codes each): a guessing campaign against second factors, or a client that sends wrong codes. Look at the audit events mfa.failed / mfa.locked and the source addresses.`,
      // No label: a plain metric alarm, not a one-metric math expression.
      metric: metric(metricNames.mfaLocked),
      threshold: MFA_LOCKS_PER_5_MIN,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }),
  ];
  for (const alarm of alarms) alarm.addAlarmAction(...props.alarmActions);

  const spendLimit = props.smsMonthlySpendLimitUsd;
  const graph = (title: string, left: (Metric | MathExpression)[], width = 8) =>
    new GraphWidget({ title, left, width, height: 6, leftYAxis: { min: 0 } });
  props.dashboard.addWidgets(
    new TextWidget({
      markdown: `# Serverless MFA (${props.stage})\nCounts per 5 minutes from the functions' EMF metrics (namespace \`${namespace}\`). 429s from the stage's own throttling never reach a function: see the API's 4xx.`,
      width: 24,
      height: 2,
    }),
  );
  props.dashboard.addWidgets(
    graph('Requests, 5xx and 429', [
      metric(metricNames.requests, 'requests'),
      metric(metricNames.http5xx, '5xx'),
      metric(metricNames.throttled, '429 throttled'),
    ]),
    graph('Logins and MFA', [
      metric(metricNames.logins, 'logins'),
      metric(metricNames.mfaVerified, 'MFA verified'),
      metric(metricNames.mfaFailed, 'MFA failed'),
      metric(metricNames.mfaLocked, 'MFA locked'),
    ]),
    graph('Codes sent', [
      perChannel(metricNames.codesSent, 'sms'),
      perChannel(metricNames.codesSent, 'email'),
    ]),
  );
  props.dashboard.addWidgets(
    graph('Delivery failures', [
      perChannel(metricNames.codeDeliveryFailed, 'sms'),
      perChannel(metricNames.codeDeliveryFailed, 'email'),
      metric(metricNames.noticeDeliveryFailed, 'security notices'),
    ]),
    graph('SMS circuit breaker open', [metric(metricNames.smsBreakerOpen, 'texts refused')]),
    graph('Security events on the bus', [
      metric(metricNames.eventsPublished, 'published'),
      metric(metricNames.eventsNotPublished, 'not published (retried, then the DLQ)'),
    ]),
    new GraphWidget({
      title: 'SMS spend this month (USD)',
      left: [
        new Metric({
          namespace: 'AWS/SNS',
          metricName: 'SMSMonthToDateSpentUSD',
          statistic: Stats.MAXIMUM,
          period: PERIOD,
          label: 'spent',
        }),
      ],
      leftAnnotations: spendLimit
        ? [50, 80].map((percent) => ({ value: (spendLimit * percent) / 100, label: `${percent}%` }))
        : undefined,
      width: 8,
      height: 6,
      leftYAxis: { min: 0 },
    }),
  );
  props.dashboard.addWidgets(
    new AlarmStatusWidget({
      title: 'Alarms',
      alarms: [...(props.alarms ?? []), ...alarms],
      width: 24,
      height: 3,
    }),
  );
  return alarms;
}
