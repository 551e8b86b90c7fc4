import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: [
      { find: /^kokugen\/testing$/, replacement: fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)) },
      { find: /^kokugen\/typeorm$/, replacement: fileURLToPath(new URL('./src/typeorm.ts', import.meta.url)) },
      { find: /^kokugen\/repository$/, replacement: fileURLToPath(new URL('./src/repository/index.ts', import.meta.url)) },
      { find: /^kokugen\/worker-threads$/, replacement: fileURLToPath(new URL('./src/worker-threads.ts', import.meta.url)) },
      { find: /^kokugen\/dashboard$/, replacement: fileURLToPath(new URL('./src/dashboard.ts', import.meta.url)) },
      { find: /^kokugen$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup/leak-guard.ts'],
    // A throw-away PostgreSQL for the TypeORM tests (or PG_URL); see the file for CI and skip rules.
    globalSetup: ['test/setup/postgres.ts'],
    // Every test uses the FakeClock; a real-time wait is a defect, so keep the default timeout tight.
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ['default', ['json', { outputFile: '.tmp/vitest-report.json' }]],
  },
});
