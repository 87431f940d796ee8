import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDataDir, repoRoot, startLocalRuntime } from './runtime.ts';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  await new Promise((closed) => server.close(closed));
  return port;
}

/**
 * `npm start`: the service on http://localhost:3000 with data kept in .local/ between runs.
 * `npm start -- --in-memory` for a throwaway database. Ports: PORT, AWS_PORT, DYNAMODB_PORT.
 * `--api rest` calls the handlers as a REST API does (payload 1.0) instead of an HTTP API (2.0);
 * `--bundles` runs the bundles of the last `npx cdk synth -q` (`--cdk-out DIR`, default cdk.out).
 */
const { values } = parseArgs({
  options: {
    'in-memory': { type: 'boolean', default: false },
    api: { type: 'string', default: 'http' },
    bundles: { type: 'boolean', default: false },
    'cdk-out': { type: 'string', default: 'cdk.out' },
  },
});
if (values.api !== 'http' && values.api !== 'rest') {
  console.error(`--api must be http or rest, not ${values.api}`);
  process.exit(1);
}
const api = values.api;
const bundles = values.bundles ? resolve(repoRoot, values['cdk-out']) : undefined;
// PORT=0 (tests) takes a free port now, so that the issuer and the links below name the real one.
const port = Number(process.env.PORT ?? 3000) || (await freePort());
process.env.CORS_ALLOWED_ORIGINS ??= `http://localhost:${port},http://127.0.0.1:${port}`;
process.env.TOKEN_ISSUER ??= `http://localhost:${port}`;
// The demo page is served here too: the "This wasn't me" links of security emails land on it.
process.env.APP_URL ??= `http://localhost:${port}`;

const begun = Date.now();
try {
  const runtime = await startLocalRuntime({
    apiPort: port,
    awsPort: Number(process.env.AWS_PORT ?? 4566),
    dynamoDbPort: Number(process.env.DYNAMODB_PORT ?? 8000),
    ...(values['in-memory'] ? {} : { dataDir: defaultDataDir }),
    api,
    ...(bundles ? { bundles } : {}),
  });
  console.log(
    [
      `Serverless MFA is running (ready in ${Date.now() - begun} ms)`,
      `  API and demo page   ${runtime.apiUrl}/   (health: ${runtime.apiUrl}/v1/health)`,
      `  Handlers            ${bundles ? `bundles from ${bundles}` : 'source'}, called as ${api === 'rest' ? 'a REST API (payload 1.0)' : 'an HTTP API (payload 2.0)'}`,
      `  OpenAPI             ${runtime.apiUrl}/v1/openapi.json`,
      `  SNS/SES/KMS         ${runtime.awsUrl}   (sent SMS: ${runtime.awsUrl}/_aws/sns/sms-messages, email: ${runtime.awsUrl}/_aws/ses)`,
      `  DynamoDB Local      ${runtime.dynamoDbUrl}   (${values['in-memory'] ? 'in memory' : `data in ${defaultDataDir}`})`,
      'Press Ctrl+C to stop.',
    ].join('\n'),
  );
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    runtime.stop().finally(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
