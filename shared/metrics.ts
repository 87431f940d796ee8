import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { requestLogKeys } from './http/logger.ts';

/**
 * Business and health counters as CloudWatch embedded metric format (EMF): one JSON line per
 * request on stdout, which CloudWatch Logs turns into metrics with no API call and no latency.
 * The stack sets the namespace (`ServerlessMfa/<stage>`, POWERTOOLS_METRICS_NAMESPACE); every
 * metric has the dimension `service`, and the code counters `channel` as well. Names and
 * dimensions are read by infra/aws/observability.ts: change them together.
 */
export const METRIC_SERVICE = 'serverless-mfa';
export const metricNames = {
  /** Every answer of every function (the denominator of the rates below). */
  requests: 'Requests',
  /** Answers 500 and above: internal errors, delivery failures (502) and paused SMS (503). */
  http5xx: 'Http5xx',
  /** 429 answers from the functions: rate limits, locks, resend cooldowns, burnt challenges. */
  throttled: 'Throttled',
  /** A session opened: password login, MFA login, recovery, first enrollment, sign-up. */
  logins: 'Logins',
  /** A right second-factor or recovery code (logins and step-ups). */
  mfaVerified: 'MfaVerified',
  /** A wrong one, counted against the user's MFA failure limit. */
  mfaFailed: 'MfaFailed',
  /** The failure that locked the user's MFA. */
  mfaLocked: 'MfaLocked',
  /** A code handed to SNS or SES (dimension `channel`: sms, email). */
  codesSent: 'CodesSent',
  /** A code SNS or SES refused (dimension `channel`); the user got `delivery_failed`. */
  codeDeliveryFailed: 'CodeDeliveryFailed',
  /** A security notification email SES refused (the change it reports stands). */
  noticeDeliveryFailed: 'NoticeDeliveryFailed',
  /** The SMS circuit breaker refused a text. */
  smsBreakerOpen: 'SmsBreakerOpen',
  /** Security events put on the EventBridge bus (the stream worker). */
  eventsPublished: 'EventsPublished',
  /**
   * Stream records the worker could not handle (a session's audit events not written, an event
   * unreadable or off its schema, or refused by the bus after the retries): left to Lambda's
   * retries, then the DLQ.
   */
  eventsNotPublished: 'EventsNotPublished',
} as const;
export type MetricName = (typeof metricNames)[keyof typeof metricNames];
export type Channel = 'sms' | 'email';

export const metrics = new Metrics({
  // Read here, not in config.ts: it is Powertools' own variable, and unset (tests, npm start)
  // a fixed name beats Powertools' "default_namespace" and its warning on every flush.
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || 'ServerlessMfa/local',
  serviceName: METRIC_SERVICE,
});

/** Adds one to a counter of this request; the middleware below publishes them when it ends. */
export function count(name: MetricName): void {
  metrics.addMetric(name, MetricUnit.Count, 1);
}

/** `value` at once, on its own EMF line: for workers, which have no request to count with. */
export function countNow(name: MetricName, value: number): void {
  metrics.singleMetric().addMetric(name, MetricUnit.Count, value);
}

/** A code send through `send`, counted as sent or failed on its channel; errors pass through. */
export async function countCodeSend<T>(channel: Channel, send: () => Promise<T>): Promise<T> {
  let sent = false;
  try {
    const result = await send();
    sent = true;
    return result;
  } finally {
    // Its own EMF line: a dimension added to the request's metrics would apply to all of them.
    const single = metrics.singleMetric();
    single.addDimension('channel', channel);
    single.addMetric(sent ? metricNames.codesSent : metricNames.codeDeliveryFailed, MetricUnit.Count, 1);
  }
}

type Answer = { statusCode?: number };
type Middleware = MiddlewareObj<{ requestContext?: { requestId?: string } }, Answer, Error, Context>;

/** Counts the answer `respond` built (it sits inside these, so its response is final here). */
const countAnswer: Middleware = {
  after: (request) => {
    const status = request.response?.statusCode ?? 200;
    count(metricNames.requests);
    if (status >= 500) count(metricNames.http5xx);
    else if (status === 429) count(metricNames.throttled);
  },
};
countAnswer.onError = countAnswer.after;

/**
 * The outermost layer of shared/http/handler.ts: request ids on every log line, the answer
 * counted, and every metric of the request flushed as one EMF line (Powertools' `logMetrics`),
 * on success and on error alike.
 */
export const observe = (): Middleware[] => [requestLogKeys(), logMetrics(metrics) as Middleware, countAnswer];
