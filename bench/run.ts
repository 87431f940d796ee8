/**
 * Latency of the account flows through the local runtime (real handlers, DynamoDB Local,
 * local KMS), and the cost of one argon2id hash. Numbers for notes, never asserted: the
 * machines are shared and noisy. Run: `npm run bench` (or `node bench/run.ts 100`).
 */
import { request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { startLocalRuntime } from '../infra/local/runtime.ts';
import { hashPassword } from '../shared/auth/passwords.ts';

const rounds = Number(process.argv[2] ?? 50);

function summary(name: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]?.toFixed(1);
  return `${name.padEnd(28)} n=${String(samples.length).padStart(4)}  p50=${at(0.5)} ms  p95=${at(0.95)} ms  max=${at(1)} ms`;
}

async function timed<T>(samples: number[], action: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const result = await action();
  samples.push(performance.now() - start);
  return result;
}

process.env.LOG_LEVEL = 'warn';
const runtime = await startLocalRuntime({ apiPort: 0, awsPort: 0, dynamoDbPort: 0, quiet: true });
/**
 * One POST over HTTP from a loopback address of its own (127.0.0.0/8 is this machine): the
 * bench is many clients, as production traffic is, not one client the per-IP limits would
 * (rightly) stop after 60 logins a minute.
 */
let client = 0;
function send(path: string, body: unknown, token?: string): Promise<{ status: number; text: string }> {
  client += 1;
  const payload = JSON.stringify(body);
  const url = new URL(`${runtime.apiUrl}${path}`);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: '127.0.0.1',
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress: `127.1.${Math.floor(client / 250) % 250}.${1 + (client % 250)}`,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(payload)),
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
}
const post = async (path: string, body: unknown, token?: string) => {
  const { status, text } = await send(path, body, token);
  if (status >= 300) throw new Error(`${path}: ${status} ${text}`);
  return JSON.parse(text) as Record<string, string> & { factor: { id: string } };
};

/** A verified account: sign up, then the emailed code (the local SES lists it). */
async function signUp(email: string, password: string) {
  const started = await post('/v1/users', { email, password });
  const listed = (await (await fetch(`${runtime.awsUrl}/_aws/ses`)).json()) as {
    messages: { Destination: { ToAddresses?: string[] }; Body: { text_part: string } }[];
  };
  const mail = listed.messages.filter((m) => m.Destination.ToAddresses?.includes(email)).at(-1);
  const code = /\b(\d{6})\b/.exec(mail?.Body.text_part ?? '')?.[1];
  return post('/v1/users/verify', { verificationId: started.verificationId, code });
}

try {
  const argon: number[] = [];
  for (let i = 0; i < Math.min(rounds, 20); i++)
    await timed(argon, () => hashPassword('correct horse battery staple'));

  const email = `bench-${Date.now()}@example.com`;
  const password = 'correct horse battery staple';
  await signUp(email, password); // creates the keyring: not measured

  const login: number[] = [];
  const refresh: number[] = [];
  const health: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const session = await timed(login, () => post('/v1/sessions', { email, password }));
    await timed(refresh, () => post('/v1/sessions/refresh', { refreshToken: session.refreshToken }));
    await timed(health, () => fetch(`${runtime.apiUrl}/v1/health`).then((r) => r.text()));
  }

  // The MFA step with an SMS factor: challenge (sends an SMS to the local SNS) and verify.
  const mfaEmail = `bench-mfa-${Date.now()}@example.com`;
  // A Dutch mobile range (06-1…): only numbers that receive texts are accepted.
  const phone = `+3161${String(Date.now()).slice(-7)}`;
  const first = await signUp(mfaEmail, password);
  const authed = (path: string, body: unknown, token: string) => post(path, body, token);
  const lastCode = async () => {
    const url = `${runtime.awsUrl}/_aws/sns/sms-messages?phoneNumber=${encodeURIComponent(phone)}`;
    const listed = (await (await fetch(url)).json()) as {
      sms_messages: Record<string, { Message: string }[]>;
    };
    return /\d{6}/.exec(listed.sms_messages[phone]?.at(-1)?.Message ?? '')?.[0] ?? '';
  };
  const enrolled = await authed(
    '/v1/mfa/factors',
    { type: 'sms', password, phoneNumber: phone },
    first.accessToken as string,
  );
  await authed(
    `/v1/mfa/factors/${enrolled.factor.id}/activate`,
    { code: await lastCode(), challengeId: enrolled.challengeId },
    first.accessToken as string,
  );
  const challenge: number[] = [];
  const verify: number[] = [];
  // The send cap (5 per factor per hour, the enrollment code included) bounds the samples.
  for (let i = 0; i < 4; i++) {
    const login = await post('/v1/sessions', { email: mfaEmail, password });
    const started = await timed(challenge, () =>
      post('/v1/mfa/challenges', { mfaToken: login.mfaToken, factorId: enrolled.factor.id }),
    );
    const code = await lastCode();
    await timed(verify, () =>
      post('/v1/mfa/verify', { mfaToken: login.mfaToken, challengeId: started.challengeId, code }),
    );
  }

  console.log(`node ${process.version}, ${rounds} rounds, sequential, local runtime on loopback`);
  console.log(summary('argon2id hash (m=19MiB,t=2)', argon));
  console.log(summary('POST /v1/sessions', login));
  console.log(summary('POST /v1/sessions/refresh', refresh));
  console.log(summary('GET /v1/health', health));
  console.log(summary('POST /v1/mfa/challenges (SMS)', challenge));
  console.log(summary('POST /v1/mfa/verify (SMS)', verify));
  console.log(
    `rss after run: ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB (whole runtime process)`,
  );
} finally {
  await runtime.stop();
}
