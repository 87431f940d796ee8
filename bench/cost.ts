/**
 * What a million logins cost on AWS, from the counted units and the measured durations.
 *
 * Prices: us-east-1, public list prices as published on the AWS pricing pages, as last known
 * when this was written (2025; DynamoDB's on-demand prices are those after the 50 % cut of
 * 1 November 2024). No free tier. Check the pages before quoting a figure.
 */
import type { DbCall } from './capacity.ts';

export const PRICES = {
  takenFrom:
    'aws.amazon.com/{dynamodb,lambda,api-gateway,kms,cloudwatch,eventbridge}/pricing, us-east-1, as of 2025',
  /** DynamoDB on-demand (Standard table class): $0.625 per million write request units. */
  dynamoWruUsd: 0.625 / 1e6,
  /** DynamoDB on-demand: $0.125 per million read request units. */
  dynamoRruUsd: 0.125 / 1e6,
  /** Lambda: $0.20 per million requests. */
  lambdaRequestUsd: 0.2 / 1e6,
  /** Lambda arm64: $0.0000133334 per GB-second (first 7.5 billion GB-s a month). */
  lambdaArmGbSecondUsd: 0.0000133334,
  /** API Gateway HTTP API: $1.00 per million requests (first 300 million a month, per 512 KB). */
  httpApiRequestUsd: 1.0 / 1e6,
  /** KMS: $0.03 per 10 000 symmetric requests (Decrypt, GenerateDataKey). */
  kmsRequestUsd: 0.03 / 1e4,
  /** CloudWatch Logs, Standard class: $0.50 per GB ingested. */
  logsGbUsd: 0.5,
  /** EventBridge: $1.00 per million custom events put on a bus. */
  eventBridgeEventUsd: 1.0 / 1e6,
};

/**
 * The lines Lambda itself writes per invocation (text format: START, END, REPORT) and the
 * API's access log line (infra/aws/service.ts, its format with typical values): estimates, the
 * local runtime writes neither. CloudWatch counts 26 bytes more per log event.
 */
const LAMBDA_PLATFORM_LINES = [
  'START RequestId: 6c412a2e-a30b-43f2-9c16-6ec09811dc33 Version: $LATEST',
  'END RequestId: 6c412a2e-a30b-43f2-9c16-6ec09811dc33',
  'REPORT RequestId: 6c412a2e-a30b-43f2-9c16-6ec09811dc33\tDuration: 123.45 ms\tBilled Duration: 124 ms\tMemory Size: 1769 MB\tMax Memory Used: 142 MB\t',
];
const ACCESS_LOG_LINE = JSON.stringify({
  requestId: 'Rk2JkhYbIAMEbXg=',
  time: '02/Dec/2026:03:58:18 +0000',
  ip: '198.51.100.23',
  userAgent:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  routeKey: 'POST /v1/mfa/verify',
  status: '200',
  responseLength: '1234',
  latencyMs: '45',
  integrationLatencyMs: '43',
  integrationError: '-',
  error: '-',
});
const EVENT_OVERHEAD_BYTES = 26;
export const PLATFORM_LOG_BYTES =
  [...LAMBDA_PLATFORM_LINES, ACCESS_LOG_LINE].reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0) +
  (LAMBDA_PLATFORM_LINES.length + 1) * EVENT_OVERHEAD_BYTES;

/** The stream worker's invocations log Lambda's lines only: no access log line. */
const WORKER_PLATFORM_LOG_BYTES = LAMBDA_PLATFORM_LINES.reduce(
  (sum, line) => sum + Buffer.byteLength(line) + 1 + EVENT_OVERHEAD_BYTES,
  0,
);

export interface CostInput {
  step: string;
  calls: DbCall[];
  memoryMb: number;
  /** Billed duration per request (p50 of the handler's own duration, rounded up to 1 ms). */
  durationMs: number;
  kmsCalls: number;
  /** The handler's own log bytes per request. */
  logBytes: number;
  /**
   * `false` for the stream worker: no API request and no access log line. It runs twice per
   * login (the session's record, then its events' records, which it puts on the bus): priced
   * as two invocations, an upper bound since Lambda hands it up to 100 records at once.
   */
  viaApi?: boolean;
  /** Invocations per login of this step (1 for a request). */
  invocations?: number;
}

export interface CostLine {
  item: string;
  usd: number;
  detail: string;
}

/** Per million logins, each made of `steps` (one request each). */
export function costPerMillion(steps: CostInput[]): {
  lines: CostLine[];
  total: number;
  dynamoShare: number;
} {
  const million = 1e6;
  const sum = (f: (s: CostInput) => number) => steps.reduce((total, s) => total + f(s), 0);
  const units = (s: CostInput, kind: 'read' | 'write') => s.calls.reduce((t, c) => t + c.billed[kind], 0);
  const rru = sum((s) => units(s, 'read'));
  const wru = sum((s) => units(s, 'write'));
  const gbSeconds = sum((s) => (s.memoryMb / 1024) * (Math.ceil(s.durationMs) / 1000));
  const kms = sum((s) => s.kmsCalls);
  const apiRequests = steps.filter((s) => s.viaApi !== false).length;
  const invocations = sum((s) => s.invocations ?? 1);
  const logBytes = sum(
    (s) =>
      s.logBytes +
      (s.viaApi === false ? (s.invocations ?? 1) * WORKER_PLATFORM_LOG_BYTES : PLATFORM_LOG_BYTES),
  );
  // Every security event the table records goes to the bus once (the stream worker, functions/events/publish.ts).
  const events = sum(
    (s) =>
      s.calls
        .flatMap((c) => (c.items.length ? c.items.map((i) => `${i.op} ${i.kind}`) : [c.label]))
        // The USER# copy is the one published; an org's ORG# copy is the same event.
        .filter((label) => /^Put USER\/EVENT/.test(label)).length,
  );
  const lines: CostLine[] = [
    { item: 'DynamoDB writes', usd: wru * PRICES.dynamoWruUsd * million, detail: `${wru} WRU per login` },
    { item: 'DynamoDB reads', usd: rru * PRICES.dynamoRruUsd * million, detail: `${rru} RRU per login` },
    {
      item: 'Lambda requests',
      usd: invocations * PRICES.lambdaRequestUsd * million,
      detail: `${invocations} invocations per login`,
    },
    {
      item: 'Lambda duration (arm64)',
      usd: gbSeconds * PRICES.lambdaArmGbSecondUsd * million,
      detail: `${(gbSeconds * 1000).toFixed(1)} GB-ms per login (${steps.map((s) => `${s.memoryMb} MB × ${Math.ceil(s.durationMs)} ms`).join(' + ')})`,
    },
    {
      item: 'API Gateway HTTP API',
      usd: apiRequests * PRICES.httpApiRequestUsd * million,
      detail: `${apiRequests} requests per login`,
    },
    { item: 'KMS', usd: kms * PRICES.kmsRequestUsd * million, detail: `${kms} calls per login (warm)` },
    {
      item: 'CloudWatch Logs ingestion',
      usd: (logBytes / 1024 ** 3) * PRICES.logsGbUsd * million,
      detail: `${logBytes} bytes per login (${sum((s) => s.logBytes)} handler + ${apiRequests} × ${PLATFORM_LOG_BYTES} Lambda/API lines${invocations > apiRequests ? ` + ${invocations - apiRequests} × ${WORKER_PLATFORM_LOG_BYTES} worker Lambda lines` : ''}, estimated)`,
    },
    {
      item: 'EventBridge (security events)',
      usd: events * PRICES.eventBridgeEventUsd * million,
      detail: `${events} events per login, put by the stream worker`,
    },
  ];
  const total = lines.reduce((t, line) => t + line.usd, 0);
  const dynamo = (lines[0]?.usd ?? 0) + (lines[1]?.usd ?? 0);
  return { lines, total, dynamoShare: dynamo / total };
}
