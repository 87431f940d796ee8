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

  console.log(`node ${process.version}, ${rounds} rounds, sequential, local runtime on loopback`);
  console.log(summary('argon2id hash (m=19MiB,t=2)', argon));
  console.log(summary('POST /v1/sessions', login));
  console.log(summary('POST /v1/sessions/refresh', refresh));
  console.log(summary('GET /v1/health', health));
  console.log(
    `rss after run: ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB (whole runtime process)`,
  );
} finally {
  await runtime.stop();
}
