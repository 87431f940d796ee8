import { existsSync } from 'node:fs';
import { configDefaults, defineConfig } from 'vitest/config';

// The browser tests (test/e2e) drive Debian's Chromium. Without it they are left out (never
// skipped one by one), and the run says so once; .ci/run installs it, so CI always runs them.
const chromium = existsSync('/usr/bin/chromium');
if (!chromium) {
  process.stderr.write(
    'Browser tests not run: /usr/bin/chromium is missing (apt-get install chromium); .ci/run installs it.\n',
  );
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(chromium ? [] : ['test/e2e/**'])],
    globalSetup: ['test/support/global-setup.ts', ...(chromium ? ['test/e2e/global-setup.ts'] : [])],
    setupFiles: ['test/support/env.ts'],
    // argon2id at 19 MiB and DynamoDB Local round trips: generous, never a speed assertion.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
