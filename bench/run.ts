/**
 * One benchmark, side by side (`npm run bench`):
 * 1. `cdk synth` into a temporary folder (skip with `--no-synth` = ./cdk.out, or `--cdk-out DIR`);
 * 2. every function's bundle size and init time against the floor bundle (bench/bundles.ts);
 * 3. each login step through the local runtime: warm p50/p99, DynamoDB calls and request units,
 *    KMS calls, bytes logged (bench/flows.ts, bench/capacity.ts);
 * 4. what a million logins cost on AWS (bench/cost.ts).
 * The table goes to stdout and to bench/results/<date>-<git short sha>.md. Progress goes to stderr.
 * Numbers for notes, never asserted (test/integration/login-cost.test.ts holds the counts).
 *
 * Options: `--rounds N` (timed rounds, default 50), `--pairs N` (init pairs, default 9),
 * `--counted N` (counted rounds, default 3), `--no-synth`, `--cdk-out DIR`, `--no-bundles`,
 * `--bundles-only` (step 2 alone, to stdout; nothing written to bench/results).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type BundleResult, functionsOf, measureBundles, median } from './bundles.ts';
import { totals } from './capacity.ts';
import { type CostInput, costPerMillion, PLATFORM_LOG_BYTES, PRICES } from './cost.ts';
import { measureFlows, type StepResult } from './flows.ts';

const repoRoot = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '50' },
    pairs: { type: 'string', default: '9' },
    counted: { type: 'string', default: '3' },
    'no-synth': { type: 'boolean', default: false },
    'no-bundles': { type: 'boolean', default: false },
    'bundles-only': { type: 'boolean', default: false },
    'cdk-out': { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const pairs = Math.max(1, Number(values.pairs));
const counted = Math.max(1, Number(values.counted));
const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const sh = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { cwd: repoRoot, encoding: 'utf8' }).trim();

let cdkOut = values['cdk-out'] ? resolve(values['cdk-out']) : join(repoRoot, 'cdk.out');
let synthDir: string | undefined;
if (!values['cdk-out'] && !values['no-synth']) {
  synthDir = mkdtempSync(join(tmpdir(), 'bench-cdk-'));
  cdkOut = synthDir;
  progress(`cdk synth -q -o ${synthDir} (1-2 min)`);
  const started = Date.now();
  // esbuild's per-asset lines would bury the table: shown only when the synth fails.
  try {
    execFileSync('npx', ['cdk', 'synth', '-q', '-o', synthDir], { cwd: repoRoot, stdio: 'pipe' });
  } catch (error) {
    process.stderr.write(String((error as { stderr?: Buffer }).stderr ?? ''));
    throw error;
  }
  progress(`synth done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

const quantile = (samples: number[], q: number) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
};
const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '–');

/** The bundle table: each function's size and init time beside the floor's. */
function bundleSection(bundles: Awaited<ReturnType<typeof measureBundles>>): string[] {
  const out: string[] = [];
  out.push('');
  out.push('## Bundles (cdk synth output, index.mjs) against the floor');
  out.push('');
  out.push(
    `Floor: DynamoDBClient + DynamoDBDocumentClient + @middy/core, the stack's esbuild options: ${bundles.floor.kib.toFixed(1)} KiB, init ${ms(bundles.floor.initMs)} ms (median of all floor runs).`,
  );
  out.push('');
  out.push(
    '| function | MB | KiB | × floor KiB | init ms (median) | floor ms (same pairs) | init ratio (median of pairs) |',
  );
  out.push('|---|--:|--:|--:|--:|--:|--:|');
  const sorted = [...bundles.functions].sort((a: BundleResult, b: BundleResult) => b.ratio - a.ratio);
  for (const fn of sorted)
    out.push(
      `| ${fn.name} | ${fn.memoryMb} | ${fn.kib.toFixed(1)} | ${(fn.kib / bundles.floor.kib).toFixed(2)} | ${ms(fn.initMs)} | ${ms(fn.floorMs)} | ${fn.ratio.toFixed(2)} |`,
    );
  const ratios = bundles.functions.map((fn) => fn.ratio).sort((a, b) => a - b);
  out.push('');
  out.push(
    `${bundles.functions.length} functions; init ratio: min ${ratios[0]?.toFixed(2)}, median ${median(ratios).toFixed(2)}, max ${ratios.at(-1)?.toFixed(2)}.`,
  );
  return out;
}

try {
  const functions = functionsOf(cdkOut);
  const bundles = values['no-bundles'] ? undefined : await measureBundles(cdkOut, pairs, progress);
  if (values['bundles-only'] && bundles) {
    process.stdout.write(`${bundleSection(bundles).join('\n').trimStart()}\n`);
    // exit skips the finally below.
    if (synthDir) rmSync(synthDir, { recursive: true, force: true });
    process.exit(0);
  }
  const flows = await measureFlows({ rounds, countedRounds: counted, progress });
  const memoryOf = (route: string) => functions.find((fn) => fn.name === route)?.memoryMb ?? 512;
  const step = (name: string) => flows.steps.find((s) => s.step === name) as StepResult;

  const out: string[] = [];
  const sha = sh('git', ['rev-parse', '--short', 'HEAD']);
  const dirty = sh('git', ['status', '--porcelain', '--', 'functions', 'shared', 'infra'])
    ? ' (+ uncommitted changes)'
    : '';
  const date = new Date().toISOString().slice(0, 10);
  out.push(`# Benchmark ${date}, ${sha}${dirty}`);
  out.push('');
  out.push(
    `Node ${flows.node}, ${process.arch}; local runtime in-process (DynamoDB Local, local KMS/SNS/SES), loopback HTTP, sequential requests; ${rounds} timed rounds (one user each), ${counted} counted rounds; init: ${pairs} paired runs (floor, function) per function.`,
  );

  if (bundles) out.push(...bundleSection(bundles));

  out.push('');
  out.push('## Login steps (warm)');
  out.push('');
  out.push(
    "Latency: loopback HTTP round trip. Handler: the handler's own `durationMs` (its request log line), what Lambda bills. RRU/WRU: on-demand request units AWS bills (DynamoDB Local's `ConsumedCapacity` for single-item calls; transactions 2 units per item per KB, computed from the items as stored, bench/capacity.ts).",
  );
  out.push('');
  out.push(
    '| step | route | p50 ms | p99 ms | handler p50 ms | DynamoDB calls | RRU | WRU | of which RATE writes | KMS | log B |',
  );
  out.push('|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const s of flows.steps) {
    const t = totals(s.calls);
    const rateWrites = s.calls
      .filter((c) => c.label.includes(' RATE('))
      .reduce((n, c) => n + c.billed.write, 0);
    out.push(
      `| ${s.step} | ${s.route} | ${ms(quantile(s.latency, 0.5))} | ${ms(quantile(s.latency, 0.99))} | ${ms(quantile(s.handlerMs, 0.5))} | ${t.calls} | ${t.read} | ${t.write} | ${rateWrites} | ${s.kmsCalls} | ${s.logBytes} |`,
    );
  }
  out.push('');
  out.push("Calls per step, in order (RRU/WRU billed; DynamoDB Local's own figure where it differs):");
  out.push('');
  for (const s of flows.steps) {
    out.push(
      `- **${s.step}** (${s.latency.length} samples)${s.varies ? ` — VARIES between rounds: ${s.varies}` : ''}`,
    );
    for (const c of s.calls) {
      const billed = c.billed.read ? `${c.billed.read} RRU` : `${c.billed.write} WRU`;
      const local =
        c.local.read !== c.billed.read || c.local.write !== c.billed.write
          ? ` (Local: ${c.local.read || c.local.write})`
          : '';
      const items = c.items.length
        ? `: ${c.items.map((i) => `${i.op} ${i.kind} ${i.bytes} B → ${i.units}`).join(', ')}`
        : '';
      out.push(`  - ${c.label}${c.error ? ` [${c.error}]` : ''} — ${billed}${local}${items}`);
    }
  }

  const input = (name: string): CostInput => {
    const s = step(name);
    return {
      step: name,
      calls: s.calls,
      memoryMb: memoryOf(s.route),
      durationMs: quantile(s.handlerMs, 0.5),
      kmsCalls: s.kmsCalls,
      logBytes: s.logBytes,
      ...(s.route === 'publishEvents' ? { viaApi: false, invocations: 2 } : {}),
    };
  };
  const worker = input('audit events (stream worker)');
  const scenarios: [string, CostInput[]][] = [
    ['password + TOTP', [input('password login'), input('TOTP verify'), worker]],
    [
      'password + TOTP + 1 refresh',
      [input('password login'), input('TOTP verify'), worker, input('refresh')],
    ],
    [
      'password + SMS (challenge, verify)',
      [input('password login'), input('SMS challenge'), input('SMS verify'), worker],
    ],
  ];
  out.push('');
  out.push('## AWS cost per 1 million logins (us-east-1, list prices, no free tier)');
  out.push('');
  out.push(
    `Prices: ${PRICES.takenFrom}: DynamoDB on-demand $0.625 per million WRU, $0.125 per million RRU; Lambda $0.20 per million requests + $0.0000133334 per GB-s (arm64); HTTP API $1.00 per million requests; KMS $0.03 per 10 000; CloudWatch Logs $0.50 per GB ingested; EventBridge $1.00 per million events. SMS (SNS) not included.`,
  );
  out.push(
    `Assumptions: each step is one warm invocation at the function's memory size from the template, billed for the handler p50 measured here (DynamoDB Local round trips stand in for DynamoDB's); the stream worker is priced as two invocations per login (a new session's record becomes its audit events, whose records it then puts on the bus), an upper bound since Lambda hands it batches, each billed for the first one's measured duration; no cold starts, retries or failed logins; log bytes = the handler's lines at LOG_LEVEL=info plus ${PLATFORM_LOG_BYTES} B estimated for Lambda's START/END/REPORT and the API access log line.`,
  );
  for (const [name, steps] of scenarios) {
    const cost = costPerMillion(steps);
    out.push('');
    out.push(`### ${name}`);
    out.push('');
    out.push('| item | USD per 1M logins | per login |');
    out.push('|---|--:|---|');
    for (const line of cost.lines) out.push(`| ${line.item} | ${line.usd.toFixed(2)} | ${line.detail} |`);
    out.push(
      `| **total** | **${cost.total.toFixed(2)}** | DynamoDB share ${(cost.dynamoShare * 100).toFixed(0)} % |`,
    );
  }

  const text = `${out.join('\n')}\n`;
  process.stdout.write(text);
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${date}-${sha}.md`);
  writeFileSync(file, text);
  progress(`written to ${file}`);
} finally {
  if (synthDir) rmSync(synthDir, { recursive: true, force: true });
}
