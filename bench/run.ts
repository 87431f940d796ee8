/**
 * Latency of the account flows through the local runtime (real handlers, DynamoDB Local,
 * local KMS), and the cost of one argon2id hash. Numbers for notes, never asserted: the
 * machines are shared and noisy. Run: `npm run bench` (or `node bench/run.ts 100`).
 */
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
const post = async (path: string, body: unknown) => {
  const response = await fetch(`${runtime.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<Record<string, string>>;
};

try {
  const argon: number[] = [];
  for (let i = 0; i < Math.min(rounds, 20); i++)
    await timed(argon, () => hashPassword('correct horse battery staple'));

  const email = `bench-${Date.now()}@example.com`;
  const password = 'correct horse battery staple';
  await post('/v1/users', { email, password });
  await post('/v1/sessions', { email, password }); // first login creates the keyring: not measured

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
  const phone = `+316${String(Date.now()).slice(-8)}`;
  await post('/v1/users', { email: mfaEmail, password });
  const first = await post('/v1/sessions', { email: mfaEmail, password });
  const authed = async (path: string, body: unknown, token: string) => {
    const response = await fetch(`${runtime.apiUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return response.json() as Promise<Record<string, string> & { factor: { id: string } }>;
  };
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
