/**
 * The black-box suite (test/deployed) against the local runtime in each front door it stands
 * in for: `http` (HTTP API, payload 2.0) and `rest` (REST API, payload 1.0), and, with
 * `DEPLOYED_SUITE_BUNDLES=<cdk.out>`, the synthesized bundles (`npm run test:bundles`-style runs;
 * cdk synth itself takes too long to run inside `npm test`). Each runtime is `npm start`'s own
 * entry point in a child process, on free ports with its own in-memory DynamoDB Local, so
 * nothing is shared with the run's global runtime and the suite only ever talks HTTP.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/local/runtime.ts';

interface Started {
  child: ChildProcess;
  apiUrl: string;
  awsUrl: string;
  output: () => string;
}

const running = new Set<ChildProcess>();

async function startRuntime(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, [join(repoRoot, 'infra/local/start.ts'), '--in-memory', ...args], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', AWS_PORT: '0', DYNAMODB_PORT: '0', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const deadline = Date.now() + 45_000;
  while (!/Press Ctrl\+C to stop/.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`runtime did not start:\n${output}`);
    await new Promise((done) => setTimeout(done, 100));
  }
  const apiUrl = /API and demo page\s+(http:\/\/\S+?)\/?\s/.exec(output)?.[1];
  const awsUrl = /SNS\/SES\/KMS\s+(http:\/\/\S+)/.exec(output)?.[1];
  if (!apiUrl || !awsUrl) throw new Error(`runtime URLs not found in:\n${output}`);
  return { child, apiUrl, awsUrl, output: () => output };
}

async function stop(child: ChildProcess) {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = once(child, 'exit');
    // SIGTERM: start.ts stops DynamoDB Local's java process before it exits.
    child.kill('SIGTERM');
    await exited;
  }
  running.delete(child);
}

afterEach(async () => {
  for (const child of running) await stop(child);
});

function runSuite(apiUrl: string, awsUrl: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'test/deployed/run.ts'), '--api-url', apiUrl, '--aws-url', awsUrl],
    {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.add(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      running.delete(child);
      resolve({ code, output });
    }),
  );
}

const bundles = process.env.DEPLOYED_SUITE_BUNDLES;
const modes: [string, string[]][] = [
  ['http', ['--api', 'http']],
  ['rest', ['--api', 'rest']],
  ...(bundles
    ? ([
        ['http, bundles', ['--api', 'http', '--bundles', '--cdk-out', bundles]],
        ['rest, bundles', ['--api', 'rest', '--bundles', '--cdk-out', bundles]],
      ] as [string, string[]][])
    : []),
];

describe('the black-box suite against the local runtime', () => {
  it.each(modes)(
    'passes in %s mode',
    async (_, args) => {
      const runtime = await startRuntime(args);
      expect(runtime.output()).toMatch(
        args.includes('rest') ? /REST API \(payload 1\.0\)/ : /HTTP API \(payload 2\.0\)/,
      );
      const result = await runSuite(runtime.apiUrl, runtime.awsUrl);
      expect(result.output).toMatch(/Tests\s+(\d+) passed \(\1\)/);
      expect(result.code, result.output).toBe(0);
    },
    120_000,
  );
});
