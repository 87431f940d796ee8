import { defineConfig } from 'vitest/config';

/**
 * The black-box suite (`npm run test:deployed -- --api-url URL [--aws-url URL]`): HTTP only,
 * against any deployment. Its files end in `.deployed.ts`, so the root config (test/**\/*.test.ts)
 * never runs them as part of `npm test`; test/integration/deployed-suite.test.ts runs this
 * config against the local runtime instead.
 */
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/deployed/**/*.deployed.ts'],
    // One flow builds on the step before it; the files share nothing and may run side by side.
    sequence: { concurrent: false },
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
  },
});
