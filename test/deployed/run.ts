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
const { values, positionals } = parseArgs({
  options: { 'api-url': { type: 'string' }, 'aws-url': { type: 'string' } },
  allowPositionals: true,
  strict: false,
});
const apiUrl = values['api-url'];
if (typeof apiUrl !== 'string' || !URL.canParse(apiUrl)) {
  console.error('usage: npm run test:deployed -- --api-url URL [--aws-url URL]');
  process.exit(2);
}
const awsUrl = values['aws-url'];
if (awsUrl !== undefined && (typeof awsUrl !== 'string' || !URL.canParse(awsUrl))) {
  console.error('--aws-url must be a URL, such as http://localhost:4566');
  process.exit(2);
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
      DEPLOYED_API_URL: apiUrl.replace(/\/+$/, ''),
      ...(typeof awsUrl === 'string' ? { DEPLOYED_AWS_URL: awsUrl.replace(/\/+$/, '') } : {}),
    },
  },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
