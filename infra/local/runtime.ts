import { join, resolve } from 'node:path';
import { localTableName } from '../../shared/db/table.ts';
import { type AwsEndpoints, startAwsEndpoints } from './aws-endpoints.ts';
import { ensureTable, type LocalDynamoDb, startDynamoDb } from './dynamodb.ts';
import { type ApiKind, type ApiServer, startApiServer } from './server.ts';
import { loadWorker, type StreamPoller, startStreamPoller, streamWorkers } from './streams.ts';

/**
 * The whole service on one machine: DynamoDB Local, the SNS/SES/KMS/EventBridge endpoints, the
 * API, and the table-stream workers (polled as Lambda's event source mapping would).
 * It only sets the environment that the CDK stack sets in AWS, plus `AWS_ENDPOINT_URL_*`,
 * which the SDK clients honour by themselves: the handlers and shared code run unmodified.
 */
export interface RuntimeOptions {
  /** 0 picks free ports (tests). */
  apiPort: number;
  awsPort: number;
  dynamoDbPort: number;
  /** Keep data under this folder between runs; undefined keeps everything in memory. */
  dataDir?: string;
  quiet?: boolean;
  /** The front door to stand in for: `http` (HTTP API, payload 2.0, the default) or `rest` (REST API, payload 1.0). */
  api?: ApiKind;
  /** A `cdk.out` folder: run the synthesized bundles instead of the source handlers (same environment). */
  bundles?: string;
  /**
   * `false`: no stream poller. For a measurement that runs the stream worker itself, record by
   * record (bench/flows.ts), so the worker's calls are not counted in whichever request is in
   * flight when the poller fires.
   */
  streamWorkers?: boolean;
}

export interface Runtime {
  apiUrl: string;
  awsUrl: string;
  dynamoDbUrl: string;
  env: Record<string, string>;
  aws: AwsEndpoints;
  api: ApiKind;
  /** The `cdk.out` folder whose bundles run, when not the source. */
  bundles?: string;
  /** One poller per table-stream worker (functions/workers.ts), by worker name. */
  streams: Map<string, StreamPoller>;
  stop(): Promise<void>;
}

export const repoRoot = resolve(import.meta.dirname, '../..');
export const defaultDataDir = join(repoRoot, '.local');

export async function startLocalRuntime(options: RuntimeOptions): Promise<Runtime> {
  const started: { stop?: () => Promise<void>; close?: () => Promise<void> }[] = [];
  try {
    const dynamo: LocalDynamoDb = await startDynamoDb({
      port: options.dynamoDbPort,
      ...(options.dataDir ? { dataDir: join(options.dataDir, 'dynamodb') } : {}),
    });
    started.push(dynamo);
    const failDestinations = (process.env.LOCAL_FAIL_DESTINATIONS ?? '').split(',').filter(Boolean);
    // The bus the stack creates in AWS; here the EventBridge endpoint knows it from the start.
    const eventBusName = process.env.EVENT_BUS_NAME ?? 'serverless-mfa-local';
    const aws = await startAwsEndpoints({
      port: options.awsPort,
      failDestinations,
      eventBuses: [eventBusName],
      ...(options.dataDir ? { dataDir: join(options.dataDir, 'kms') } : {}),
      ...(options.quiet ? { log: () => {} } : {}),
    });
    started.push(aws);

    // Fixed local credentials: a developer's real AWS credentials never reach the local endpoints.
    // A leftover session token or profile would be sent with (or chosen over) the local keys.
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    const env: Record<string, string> = {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SNS: aws.url,
      AWS_ENDPOINT_URL_SES: aws.url,
      AWS_ENDPOINT_URL_KMS: aws.url,
      AWS_ENDPOINT_URL_EVENTBRIDGE: aws.url,
      EVENT_BUS_NAME: eventBusName,
      TABLE_NAME: process.env.TABLE_NAME ?? localTableName,
      KMS_KEY_ID: process.env.KMS_KEY_ID ?? 'alias/serverless-mfa-local',
      SES_SENDER: process.env.SES_SENDER ?? 'no-reply@mfa.localhost',
      // GG, JE and IM share +44 with GB but are countries of their own to SNS (and its prices).
      SMS_ALLOWED_COUNTRIES: process.env.SMS_ALLOWED_COUNTRIES ?? 'NL,GB,GG,JE,IM,US,DE,FR,BE,IE,ES,IT,CA,AU',
      // One EMF metrics line per request would drown the request log; POWERTOOLS_METRICS_DISABLED=false shows them.
      POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    };
    Object.assign(process.env, env);
    const stream = await ensureTable(dynamo.endpoint, env.TABLE_NAME as string);

    const api: ApiServer = await startApiServer({
      port: options.apiPort,
      allowedOrigins: (process.env.CORS_ALLOWED_ORIGINS ?? '').split(',').filter(Boolean),
      api: options.api ?? 'http',
      ...(options.bundles ? { bundles: options.bundles } : {}),
      awsUrl: aws.url,
    });
    started.push(api);
    const streams = new Map<string, StreamPoller>();
    for (const worker of options.streamWorkers === false ? [] : streamWorkers) {
      const poller = startStreamPoller({
        endpoint: dynamo.endpoint,
        streamArn: stream.streamArn,
        name: worker.name,
        handler: await loadWorker(worker, options.bundles),
        // A kept table's events were published by the run that wrote them; a new stream has them all.
        startingPosition: stream.fresh ? 'TRIM_HORIZON' : 'LATEST',
        ...(options.quiet ? { log: () => {} } : {}),
      });
      streams.set(worker.name, poller);
      started.push(poller);
    }
    aws.setStreamsSettled(async () => {
      await Promise.all([...streams.values()].map((poller) => poller.settled()));
    });
    return {
      apiUrl: api.url,
      awsUrl: aws.url,
      dynamoDbUrl: dynamo.endpoint,
      env,
      aws,
      api: options.api ?? 'http',
      ...(options.bundles ? { bundles: options.bundles } : {}),
      streams,
      stop: () => stopAll(started),
    };
  } catch (error) {
    await stopAll(started);
    throw error;
  }
}

async function stopAll(parts: { stop?: () => Promise<void>; close?: () => Promise<void> }[]): Promise<void> {
  for (const part of parts.reverse()) await (part.stop ?? part.close)?.call(part);
}
