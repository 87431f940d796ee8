/**
 * Size and module-initialisation time of each Lambda bundle in cdk.out (run `npx cdk synth -q`
 * first). Init time is measured by importing the bundle in a fresh Node process, the part of a
 * cold start the code controls; Lambda adds its own sandbox start. Not asserted anywhere.
 * Run: `node bench/bundles.ts`.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const out = join(import.meta.dirname, '..', 'cdk.out');
const templateFile = readdirSync(out).find((name) => name.endsWith('.template.json'));
if (!templateFile) throw new Error('No template in cdk.out: run `npx cdk synth -q` first.');
const template = JSON.parse(readFileSync(join(out, templateFile), 'utf8')) as {
  Resources: Record<
    string,
    { Type: string; Metadata?: Record<string, string>; Properties: { Description?: string } }
  >;
};

const env = { ...process.env, TABLE_NAME: 'bench', KMS_KEY_ID: 'bench', AWS_REGION: 'us-east-1' };
const probe = (file: string) =>
  `const t = performance.now(); await import(${JSON.stringify(file)}); console.log((performance.now() - t).toFixed(1));`;

console.log('route'.padEnd(32), 'index.mjs KiB'.padStart(14), 'init ms (median of 5)'.padStart(22));
for (const resource of Object.values(template.Resources)) {
  const route = resource.Properties.Description;
  const asset = resource.Metadata?.['aws:asset:path'];
  if (resource.Type !== 'AWS::Lambda::Function' || !route || !asset) continue;
  const file = join(out, asset, 'index.mjs');
  const runs = Array.from({ length: 5 }, () =>
    Number(execFileSync(process.execPath, ['--input-type=module', '-e', probe(file)], { env }).toString()),
  ).sort((a, b) => a - b);
  console.log(
    route.padEnd(32),
    (statSync(file).size / 1024).toFixed(1).padStart(14),
    String(runs[2]).padStart(22),
  );
}
