import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

/**
 * `npm run test:deployed -- --api-url URL [--aws-url URL]`: the black-box suite against a
 * deployment. `--aws-url` is a LocalStack-style endpoint whose `/_aws/ses` and
 * `/_aws/sns/sms-messages` list what was sent (LocalStack, or the local runtime's :4566);
 * without it only the read-only part runs. Other arguments go to vitest.
 */
const usage = 'usage: npm run test:deployed -- --api-url URL [--aws-url URL] [vitest file filters]';
let parsed: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: { 'api-url': { type: 'string' }, 'aws-url': { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
}
try {
  parsed = parse();
} catch (error) {
  // A typo (`--awsurl`) must not turn into a vitest file filter.
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
const { values, positionals } = parsed;
const web = (url: string | undefined) =>
  typeof url === 'string' && URL.canParse(url) && ['http:', 'https:'].includes(new URL(url).protocol);
const apiUrl = values['api-url'];
if (!web(apiUrl)) {
  console.error(`--api-url must be an http(s) URL, such as http://localhost:3000\n${usage}`);
  process.exit(2);
}
const awsUrl = values['aws-url'];
if (awsUrl !== undefined && !web(awsUrl)) {
  console.error(`--aws-url must be an http(s) URL, such as http://localhost:4566\n${usage}`);
  process.exit(2);
}
// Before any sign-up is sent: the inspection endpoint must answer as LocalStack's does.
if (typeof awsUrl === 'string') {
  const probe = await fetch(`${awsUrl.replace(/\/+$/, '')}/_aws/ses`).catch(() => undefined);
  const body = probe?.ok
    ? ((await probe.json().catch(() => undefined)) as { messages?: unknown })
    : undefined;
  if (!Array.isArray(body?.messages)) {
    console.error(`--aws-url ${awsUrl} does not list sent emails at /_aws/ses (is it the API's URL?)`);
    process.exit(2);
  }
}
// The package exports no path to its CLI; it sits beside its package.json.
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const child = spawn(
  process.execPath,
  [vitest, 'run', '--config', new URL('vitest.config.ts', import.meta.url).pathname, ...positionals],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      DEPLOYED_API_URL: (apiUrl as string).replace(/\/+$/, ''),
      ...(typeof awsUrl === 'string' ? { DEPLOYED_AWS_URL: awsUrl.replace(/\/+$/, '') } : {}),
    },
  },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
