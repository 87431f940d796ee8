import type { TestProject } from 'vitest/node';
import { startLocalRuntime } from '../../infra/local/runtime.ts';

/**
 * One local runtime for the whole run: DynamoDB Local (in memory), the SNS/SES/KMS endpoints
 * and the API over HTTP, on free ports. Test files talk to it over HTTP, or call handlers
 * directly with the same environment (see env.ts). Tests isolate themselves by unique emails.
 */
export default async function setup(project: TestProject) {
  process.env.LOG_LEVEL ??= 'warn';
  // No EMF line per request in the test output (test/unit/observability.test.ts turns them on).
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  process.env.CORS_ALLOWED_ORIGINS ??= 'http://localhost:3000';
  const runtime = await startLocalRuntime({ apiPort: 0, awsPort: 0, dynamoDbPort: 0, quiet: true });
  // Before any request reads the settings: security emails link to the demo page of this runtime.
  process.env.APP_URL = runtime.apiUrl;
  project.provide('runtime', {
    apiUrl: runtime.apiUrl,
    awsUrl: runtime.awsUrl,
    env: {
      ...runtime.env,
      LOG_LEVEL: process.env.LOG_LEVEL,
      POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED,
      CORS_ALLOWED_ORIGINS: process.env.CORS_ALLOWED_ORIGINS,
      APP_URL: runtime.apiUrl,
    },
  });
  return async () => {
    // A record the stream worker gave up on stalls its shard for every retry first, and shows in
    // the tests only as late audit events: the run names such records (the runtime is quiet).
    for (const [name, poller] of runtime.streams) {
      for (const letter of poller.deadLetters()) console.error(`stream worker ${name} dead-lettered`, letter);
    }
    await runtime.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    runtime: { apiUrl: string; awsUrl: string; env: Record<string, string> };
  }
}
