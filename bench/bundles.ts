/**
 * Size and module-initialisation time of each Lambda bundle of a `cdk synth` output, side by
 * side with a floor: a bundle of only `DynamoDBClient` + `DynamoDBDocumentClient` +
 * `@middy/core`, built with the stack's own esbuild options (infra/aws/service.ts, `bundling`),
 * i.e. the least any function here can load. Init time is importing the bundle in a fresh Node
 * process, the part of a cold start the code controls (Lambda adds its own sandbox start).
 * Floor and function run in pairs, interleaved, so a noisy machine slows both alike; the
 * ratio of each pair, then the median over the pairs. Numbers for notes, never asserted.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { credentialsAlias } from '../infra/aws/service.ts';

const run = promisify(execFile);
const repoRoot = resolve(import.meta.dirname, '..');

export interface FunctionInfo {
  /** `POST /v1/sessions`, or the worker's name. */
  name: string;
  logicalId: string;
  file: string;
  memoryMb: number;
}

export interface BundleResult extends FunctionInfo {
  kib: number;
  initMs: number;
  floorMs: number;
  ratio: number;
}

type Template = {
  Resources: Record<
    string,
    {
      Type: string;
      Metadata?: Record<string, string>;
      Properties: { Description?: string; MemorySize?: number };
    }
  >;
};

/** The functions of the stack's template: name from the Description (route, or `worker: summary`). */
export function functionsOf(cdkOut: string): FunctionInfo[] {
  const templateFile = readdirSync(cdkOut).find((name) => name.endsWith('.template.json'));
  if (!templateFile) throw new Error(`No template in ${cdkOut}: run \`npx cdk synth -q -o ${cdkOut}\`.`);
  const template = JSON.parse(readFileSync(join(cdkOut, templateFile), 'utf8')) as Template;
  const found: FunctionInfo[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const asset = resource.Metadata?.['aws:asset:path'];
    if (resource.Type !== 'AWS::Lambda::Function' || !asset) continue;
    const file = join(cdkOut, asset, 'index.mjs');
    // CDK's own helper functions (custom resources) are not bundles of ours.
    if (!resource.Properties.Description || !existsFile(file)) continue;
    found.push({
      name: resource.Properties.Description.split(':')[0] as string,
      logicalId,
      file,
      memoryMb: resource.Properties.MemorySize ?? 128,
    });
  }
  return found;
}

function existsFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The floor bundle, built like every function of the stack (ESM, minified, node24, SDK bundled,
 * and the stack's credential-provider alias, which every function gets: without it the floor would
 * carry the SDK's whole default credential chain that the functions no longer do).
 */
export async function buildFloor(): Promise<{ file: string; kib: number }> {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-floor-'));
  const file = join(outdir, 'index.mjs');
  await build({
    stdin: {
      contents: [
        "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
        "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';",
        "import middy from '@middy/core';",
        'const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
        'export const handler = middy(async () => ({ statusCode: 200, body: String(Boolean(db)) }));',
      ].join('\n'),
      resolveDir: repoRoot,
      loader: 'js',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    minify: true,
    sourcemap: 'external',
    sourcesContent: false,
    target: 'node24',
    mainFields: ['module', 'main'],
    alias: Object.fromEntries(
      Object.entries(credentialsAlias).map(([from, to]) => [from, join(repoRoot, to)]),
    ),
    banner: {
      js: "import { createRequire as topLevelCreateRequire } from 'node:module'; const require = topLevelCreateRequire(import.meta.url);",
    },
    outfile: file,
    logLevel: 'warning',
  });
  return { file, kib: statSync(file).size / 1024 };
}

const env = { ...process.env, TABLE_NAME: 'bench', KMS_KEY_ID: 'bench', AWS_REGION: 'us-east-1' };
const probe = (file: string) =>
  `const t = performance.now(); await import(${JSON.stringify(file)}); console.log((performance.now() - t).toFixed(2));`;

/** Milliseconds to import `file` in a fresh Node process. */
async function initMs(file: string): Promise<number> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', probe(file)], { env });
  return Number(stdout.trim());
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/** Every function's size and init time beside the floor's: `pairs` (floor, function) runs each. */
export async function measureBundles(
  cdkOut: string,
  pairs: number,
  progress: (line: string) => void = () => {},
): Promise<{ floor: { kib: number; initMs: number }; functions: BundleResult[] }> {
  const floor = await buildFloor();
  const floorAll: number[] = [];
  const results: BundleResult[] = [];
  const functions = functionsOf(cdkOut);
  for (const [index, fn] of functions.entries()) {
    const floorRuns: number[] = [];
    const fnRuns: number[] = [];
    const ratios: number[] = [];
    for (let pair = 0; pair < pairs; pair++) {
      const f = await initMs(floor.file);
      const g = await initMs(fn.file);
      floorRuns.push(f);
      fnRuns.push(g);
      ratios.push(g / f);
    }
    floorAll.push(...floorRuns);
    results.push({
      ...fn,
      kib: statSync(fn.file).size / 1024,
      initMs: median(fnRuns),
      floorMs: median(floorRuns),
      ratio: median(ratios),
    });
    progress(`bundles: ${index + 1}/${functions.length} ${fn.name}`);
  }
  return { floor: { kib: floor.kib, initMs: median(floorAll) }, functions: results };
}
