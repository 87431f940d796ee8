/**
 * The steps of a login through the local runtime (real handlers in this process, DynamoDB
 * Local, the local SNS/SES/KMS endpoints), over HTTP: warm latency per step, and, one request
 * at a time, the DynamoDB calls and request units of each step (bench/capacity.ts), the KMS
 * calls, and the bytes each request logs.
 *
 * Every round is a user of its own (an authenticator app and a phone), so TOTP steps and SMS
 * send limits never collide, and every request comes from a loopback address of its own
 * (127.0.0.0/8 is this machine): many clients, as production traffic is, not one client the
 * per-IP limits would (rightly) stop.
 */
import { request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { handler as streamWorker } from '../functions/events/publish.ts';
import { startLocalRuntime } from '../infra/local/runtime.ts';
import { db, table } from '../shared/db/client.ts';
import { base32Decode, totp } from '../shared/mfa/totp.ts';
import { type DbCall, recordCapacity } from './capacity.ts';

export const STEPS = [
  'password login',
  'TOTP verify',
  'SMS challenge',
  'SMS verify',
  'audit events (stream worker)',
  'refresh',
  'GET factors',
] as const;
export type Step = (typeof STEPS)[number];

export interface StepResult {
  step: Step;
  route: string;
  /** Round-trip over loopback HTTP, ms. */
  latency: number[];
  /** The handler's own `durationMs` (its request log line): what Lambda would bill, ms. */
  handlerMs: number[];
  /** The calls of one counted request (the same in every counted round, or `varies` says how). */
  calls: DbCall[];
  varies?: string;
  kmsCalls: number;
  logBytes: number;
}

const PASSWORD = 'correct horse battery staple';

/**
 * What the handlers write to stdout/stderr (the JSON log lines CloudWatch Logs would ingest),
 * counted and kept out of the bench's output; anything else passes through.
 */
function captureLogs() {
  let bytes = 0;
  const lines: string[] = [];
  const wrap = (stream: NodeJS.WriteStream) => {
    const original = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (text.startsWith('{"level"')) {
        bytes += Buffer.byteLength(text);
        lines.push(text);
        return true;
      }
      return original(chunk, ...rest);
    }) as typeof stream.write;
    return () => {
      stream.write = original as typeof stream.write;
    };
  };
  const restore = [wrap(process.stdout), wrap(process.stderr)];
  return {
    take() {
      const taken = { bytes, lines: lines.splice(0) };
      bytes = 0;
      return taken;
    },
    restore: () => {
      for (const undo of restore) undo();
    },
  };
}

/** Counts KMS calls of every KMSClient in the process (the envelope's client is not exported). */
function countKms() {
  let count = 0;
  const original = KMSClient.prototype.send;
  KMSClient.prototype.send = function send(this: KMSClient, ...args: never[]) {
    count += 1;
    return (original as (...a: never[]) => unknown).apply(this, args);
  } as typeof original;
  return {
    take() {
      const taken = count;
      count = 0;
      return taken;
    },
    restore: () => {
      KMSClient.prototype.send = original;
    },
  };
}

export async function measureFlows(options: {
  rounds: number;
  countedRounds: number;
  progress?: (line: string) => void;
}): Promise<{ steps: StepResult[]; node: string }> {
  const progress = options.progress ?? (() => {});
  // The stack's default level (infra/aws/service.ts): the log bytes are production's.
  process.env.LOG_LEVEL = 'info';
  const logs = captureLogs();
  const kms = countKms();
  // The stream worker runs here, on each new session's record, so its calls are its own step.
  const runtime = await startLocalRuntime({
    apiPort: 0,
    awsPort: 0,
    dynamoDbPort: 0,
    quiet: true,
    streamWorkers: false,
  });
  const raw = new DynamoDBClient({});
  /** What Lambda's event source mapping hands the worker for a new session: its new image. */
  const sessionRecord = async (accessToken: string) => {
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8'));
    const Keys = { pk: { S: `SESSION#${claims.sid}` }, sk: { S: 'SESSION' } };
    const stored = await raw.send(
      new GetItemCommand({ TableName: table(), Key: Keys, ConsistentRead: true }),
    );
    return {
      eventName: 'INSERT' as const,
      dynamodb: { Keys, NewImage: stored.Item as never, SequenceNumber: '1' },
    };
  };
  const work = async (accessToken: string) => {
    const record = await sessionRecord(accessToken);
    const started = performance.now();
    const answer = await streamWorker({ Records: [record] });
    if (answer.batchItemFailures.length) throw new Error('stream worker: the record failed');
    return performance.now() - started;
  };
  let client = 0;
  const send = (
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<{ status: number; text: string }> => {
    client += 1;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const url = new URL(`${runtime.apiUrl}${path}`);
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        {
          host: '127.0.0.1',
          port: url.port,
          path: url.pathname,
          method,
          localAddress: `127.${1 + (Math.floor(client / 62_500) % 250)}.${Math.floor(client / 250) % 250}.${1 + (client % 250)}`,
          headers: {
            'user-agent': 'bench',
            ...(payload !== undefined
              ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }
              : {}),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(payload);
    });
  };
  // biome-ignore lint/suspicious/noExplicitAny: answers of several shapes, read field by field
  const api = async (method: string, path: string, body?: unknown, token?: string): Promise<any> => {
    const { status, text } = await send(method, path, body, token);
    if (status >= 300) throw new Error(`${method} ${path}: ${status} ${text}`);
    return JSON.parse(text);
  };
  const lastSmsCode = (phone: string) =>
    /\b\d{6}\b/.exec(
      runtime.aws
        .sms()
        .filter((m) => m.PhoneNumber === phone)
        .at(-1)?.Message ?? '',
    )?.[0] ?? '';
  const lastEmailCode = (email: string) =>
    /\b(\d{6})\b/.exec(
      runtime.aws
        .emails()
        .filter((m) => m.Destination.ToAddresses?.includes(email))
        .at(-1)?.Body.text_part ?? '',
    )?.[1] ?? '';

  /** A verified account with an active TOTP factor and an active SMS factor. */
  async function user(n: number) {
    const email = `bench-${String(n).padStart(5, '0')}-${Date.now()}@example.com`;
    // Dutch and British mobiles by turns: the per-country SMS breaker (200 an hour) is far away.
    const tail = String(Math.floor(Math.random() * 1000)).padStart(3, '0');
    const phone =
      n % 2
        ? `+3161${String(n % 10_000).padStart(4, '0')}${tail}`
        : `+447400${String(n % 1000).padStart(3, '0')}${tail}`;
    const started = await api('POST', '/v1/users', { email, password: PASSWORD });
    const signed = await api('POST', '/v1/users/verify', {
      verificationId: started.verificationId,
      code: lastEmailCode(email),
    });
    const app = await api(
      'POST',
      '/v1/mfa/factors',
      { type: 'totp', password: PASSWORD },
      signed.accessToken,
    );
    const secret = base32Decode(app.secret);
    await api(
      'POST',
      `/v1/mfa/factors/${app.factor.id}/activate`,
      { code: totp(secret, new Date(Date.now() - 30_000)) },
      signed.accessToken,
    );
    const refreshed = await api('POST', '/v1/sessions/refresh', { refreshToken: signed.refreshToken });
    const sms = await api(
      'POST',
      '/v1/mfa/factors',
      { type: 'sms', password: PASSWORD, phoneNumber: phone },
      refreshed.accessToken,
    );
    await api(
      'POST',
      `/v1/mfa/factors/${sms.factor.id}/activate`,
      { code: lastSmsCode(phone), challengeId: sms.challengeId },
      refreshed.accessToken,
    );
    return { email, phone, secret, totpId: app.factor.id as string, smsId: sms.factor.id as string };
  }

  const results = new Map<Step, StepResult>();
  const routes: Record<Step, string> = {
    'password login': 'POST /v1/sessions',
    'TOTP verify': 'POST /v1/mfa/verify',
    'SMS challenge': 'POST /v1/mfa/challenges',
    'SMS verify': 'POST /v1/mfa/verify',
    'audit events (stream worker)': 'publishEvents',
    refresh: 'POST /v1/sessions/refresh',
    'GET factors': 'GET /v1/mfa/factors',
  };
  for (const step of STEPS)
    results.set(step, {
      step,
      route: routes[step],
      latency: [],
      handlerMs: [],
      calls: [],
      kmsCalls: 0,
      logBytes: 0,
    });

  let recorder: ReturnType<typeof recordCapacity> | undefined;
  /** One step: timed, or (counting rounds) with its calls, KMS calls and log bytes. */
  /** `worker`: the action is the stream worker, and answers its own duration (there is no request log line). */
  async function step<T>(
    name: Step,
    mode: 'warm' | 'count' | 'time',
    action: () => Promise<T>,
    worker = false,
  ): Promise<T> {
    const result = results.get(name) as StepResult;
    recorder?.take();
    kms.take();
    logs.take();
    const start = performance.now();
    const answer = await action();
    const elapsed = performance.now() - start;
    const logged = logs.take();
    if (mode === 'time') {
      result.latency.push(elapsed);
      const duration = logged.lines
        .map((line) => JSON.parse(line) as { message?: string; durationMs?: number })
        .find((line) => line.message === 'request')?.durationMs;
      if (worker) result.handlerMs.push(answer as number);
      else if (duration !== undefined) result.handlerMs.push(duration);
    }
    if (mode === 'count' && recorder) {
      const calls = recorder.take();
      const kmsCalls = kms.take();
      if (result.calls.length === 0) {
        result.calls = calls;
        result.kmsCalls = kmsCalls;
        result.logBytes = logged.bytes;
      } else {
        const was = result.calls.map((c) => `${c.label}=${c.billed.read}/${c.billed.write}`).join('; ');
        const now = calls.map((c) => `${c.label}=${c.billed.read}/${c.billed.write}`).join('; ');
        if (was !== now) result.varies = `another round: ${now}`;
        result.logBytes = Math.max(result.logBytes, logged.bytes);
      }
    }
    return answer;
  }

  async function round(n: number, mode: 'warm' | 'count' | 'time') {
    const u = await user(n);
    const first = await step('password login', mode, () =>
      api('POST', '/v1/sessions', { email: u.email, password: PASSWORD }),
    );
    if (first.status !== 'mfa_required') throw new Error(`expected mfa_required: ${JSON.stringify(first)}`);
    const session = await step('TOTP verify', mode, () =>
      api('POST', '/v1/mfa/verify', {
        mfaToken: first.mfaToken,
        factorId: u.totpId,
        code: totp(u.secret, new Date()),
      }),
    );
    const second = await step('password login', mode, () =>
      api('POST', '/v1/sessions', { email: u.email, password: PASSWORD }),
    );
    const challenge = await step('SMS challenge', mode, () =>
      api('POST', '/v1/mfa/challenges', { mfaToken: second.mfaToken, factorId: u.smsId }),
    );
    const code = lastSmsCode(u.phone);
    const smsSession = await step('SMS verify', mode, () =>
      api('POST', '/v1/mfa/verify', { mfaToken: second.mfaToken, challengeId: challenge.challengeId, code }),
    );
    // One session's record (the TOTP login's; the SMS login's is the same work, not timed twice).
    await step('audit events (stream worker)', mode, () => work(session.accessToken), true);
    await work(smsSession.accessToken);
    const refreshed = await step('refresh', mode, () =>
      api('POST', '/v1/sessions/refresh', { refreshToken: session.refreshToken }),
    );
    await step('GET factors', mode, () => api('GET', '/v1/mfa/factors', undefined, refreshed.accessToken));
  }

  try {
    await round(0, 'warm'); // the keyring and every handler module: loaded once per container
    recorder = recordCapacity(db);
    for (let n = 1; n <= options.countedRounds; n++) await round(n, 'count');
    recorder.remove();
    recorder = undefined;
    progress(`flows: counted ${options.countedRounds} rounds`);
    for (let n = 0; n < options.rounds; n++) {
      await round(1000 + n, 'time');
      if ((n + 1) % 10 === 0) progress(`flows: ${n + 1}/${options.rounds} timed rounds`);
    }
  } finally {
    recorder?.remove();
    await runtime.stop();
    kms.restore();
    logs.restore();
  }
  return { steps: [...results.values()], node: process.version };
}
