import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

const typeorm1 = fileURLToPath(new URL('./test/compat/typeorm1/node_modules/', import.meta.url));

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
    setupFiles: ['test/setup/leak-guard.ts'],
    // A throw-away PostgreSQL for the TypeORM tests (or PG_URL); see the file for CI and skip rules.
    globalSetup: ['test/setup/postgres.ts'],
    // Every test uses the FakeClock; a real-time wait is a defect, so keep the default timeout tight.
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The JSON report lets .ci/run print a plain "N passed, N failed" closing line.
    reporters: ['default', ['json', { outputFile: '.tmp/vitest-report.json' }]],
    projects: [
      // Everything, on the project's own install: TypeORM 0.3 with sqlite3 (and better-sqlite3).
      { extends: true, test: { name: 'typeorm-0.3', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, 'test/compat/typeorm1/**'] } },
      // The repository contract suite and the kill -9 runs again on TypeORM 1.x with better-sqlite3,
      // installed in test/compat/typeorm1 (by its globalSetup, when missing or stale): `typeorm`
      // resolves there, here through the alias and in child processes through a resolve hook.
      {
        extends: true,
        resolve: { alias: [{ find: /^typeorm(\/.*)?$/, replacement: `${typeorm1}typeorm$1` }] },
        test: {
          name: 'typeorm-1',
          include: ['test/compat/*.test.ts', 'test/compat/typeorm1/*.test.ts', 'test/typeorm/typeorm-repository.test.ts', 'test/typeorm/sqlite-store.test.ts', 'test/typeorm/sqlite-contract.test.ts', 'test/typeorm/postgres-contract.test.ts', 'test/typeorm/crash-sqlite.test.ts', 'test/typeorm/crash-postgres.test.ts'],
          globalSetup: ['test/compat/typeorm1/install.ts'],
          env: { KOKUGEN_TYPEORM_LINE: '1' },
        },
      },
    ],
  },
});
