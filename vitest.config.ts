import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/env.ts'],
    // argon2id at 19 MiB and DynamoDB Local round trips: generous, never a speed assertion.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
