import { App, Stack } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import {
  DELIVERY_FAILURES_PER_5_MIN,
  MFA_LOCKS_PER_5_MIN,
  observability,
} from '../../infra/aws/observability.ts';
import { repoRoot } from '../../infra/aws/stack.ts';
import { metricNames } from '../../shared/metrics.ts';

/** A stack with what MfaStack hands over: functions, a dashboard, an alarm topic. */
function build() {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Obs');
  new NodejsFunction(stack, 'Health', {
    entry: `${repoRoot}functions/ops/health.ts`,
    projectRoot: repoRoot,
    depsLockFilePath: `${repoRoot}package-lock.json`,
    runtime: Runtime.NODEJS_24_X,
    tracing: Tracing.ACTIVE,
  });
  const topic = new Topic(stack, 'Alarms');
  const dashboard = new Dashboard(stack, 'Dashboard');
  const alarms = observability(stack, {
    stage: 'test',
    dashboard,
    alarmActions: [new SnsAction(topic)],
    smsMonthlySpendLimitUsd: 10,
  });
  return { template: Template.fromStack(stack), alarms, topic: stack.resolve(topic.topicArn) };
}

describe('observability: dashboard and alarms on the EMF metrics', () => {
  const { template, alarms, topic } = build();

  it('every function publishes into the stage namespace', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_METRICS_NAMESPACE: 'ServerlessMfa/test' }) },
      TracingConfig: { Mode: 'Active' },
    });
  });

  it('alarms on delivery failures (both channels and security notices) and MFA lock spikes, to the alarm topic', () => {
    expect(alarms).toHaveLength(2);
    const metrics = new Capture();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: DELIVERY_FAILURES_PER_5_MIN,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topic],
      Metrics: metrics,
    });
    const used = (
      metrics.asArray() as { MetricStat?: { Metric: { MetricName: string; Dimensions: unknown } } }[]
    ).flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : []));
    expect(used).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          MetricName: metricNames.codeDeliveryFailed,
          Namespace: 'ServerlessMfa/test',
          Dimensions: expect.arrayContaining([{ Name: 'channel', Value: 'sms' }]),
        }),
        expect.objectContaining({
          MetricName: metricNames.codeDeliveryFailed,
          Dimensions: expect.arrayContaining([{ Name: 'channel', Value: 'email' }]),
        }),
        expect.objectContaining({ MetricName: metricNames.noticeDeliveryFailed }),
      ]),
    );
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: metricNames.mfaLocked,
      Namespace: 'ServerlessMfa/test',
      Dimensions: [{ Name: 'service', Value: 'serverless-mfa' }],
      Statistic: 'Sum',
      Threshold: MFA_LOCKS_PER_5_MIN,
      AlarmActions: [topic],
    });
  });

  it('the dashboard graphs every metric shared/metrics.ts publishes, and the SMS spend with 50 % and 80 % lines', () => {
    const body = new Capture();
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardBody: body });
    const text = JSON.stringify(body.asObject());
    for (const name of Object.values(metricNames)) expect(text).toContain(`\\"${name}\\"`);
    expect(text).toContain('SMSMonthToDateSpentUSD');
    expect(text).toContain('\\"value\\":5,\\"label\\":\\"50%\\"');
    expect(text).toContain('\\"value\\":8,\\"label\\":\\"80%\\"');
    expect(text).toContain('ServerlessMfa/test');
  });
});
