import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import installTypeorm1 from './compat/typeorm1/install.js';
import { describePostgres, pgUrl } from './typeorm/stores.js';

/*
 * Issue 11's consumer-project proof: the packed tarball installed into a fresh strict-TypeScript
 * app, once on each TypeORM line (0.3 with sqlite3, 1.x with better-sqlite3), running the reminders
 * scenario of docs/typeorm-app.md on PostgreSQL and its SQLite variant, checked against the output
 * the page prints. The app's TypeORM and drivers are links to the installs this checkout already
 * has (the root's, and test/compat/typeorm1's), so no native module is built again.
 */

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const page = readFileSync(join(root, 'docs', 'typeorm-app.md'), 'utf8');
const blocks = (lang: string): string[] => [...page.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] as string);
const [pgApp, sqliteApp] = blocks('ts');
const [pgOutput, sqliteOutput] = blocks('text').map((text) => text.trim());

const lines = [
  { name: 'TypeORM 0.3 + sqlite3', major: '0', typeorm: join(root, 'node_modules', 'typeorm'), sqlite: (code: string) => code },
  {
    name: 'TypeORM 1.x + better-sqlite3',
    major: '1',
    typeorm: join(root, 'test', 'compat', 'typeorm1', 'node_modules', 'typeorm'),
    // TypeORM 1.x has no 'sqlite' type: the application's own DataSource is a better-sqlite3 one.
    sqlite: (code: string) => code.replace("type: 'sqlite', database: 'app.sqlite', entities", "type: 'better-sqlite3', database: 'app.sqlite', entities").replace('busyTimeout: 10_000', 'timeout: 10_000'),
  },
] as const;

const apps = new Map<string, string>();
let base: string;

beforeAll(async () => {
  installTypeorm1();
  base = mkdtempSync(join(tmpdir(), 'kokugen-consumer-typeorm-'));
  await run(npm, ['pack', '--ignore-scripts', '--pack-destination', base], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  const tarball = readdirSync(base).find((file) => file.endsWith('.tgz'));
  if (tarball === undefined) throw new Error('npm pack made no tarball');
  for (const line of lines) {
    const app = join(base, line.name.replace(/\W+/g, '-'));
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'reminders', private: true, type: 'module' }));
    await run(npm, ['install', join(base, tarball), '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--loglevel=error'], { cwd: app, maxBuffer: 64 * 1024 * 1024 });
    symlinkSync(line.typeorm, join(app, 'node_modules', 'typeorm'), 'dir');
    for (const driver of ['pg', 'sqlite3', 'better-sqlite3']) symlinkSync(join(root, 'node_modules', driver), join(app, 'node_modules', driver), 'dir');
    writeFileSync(join(app, 'pg.ts'), pgApp ?? '');
    writeFileSync(join(app, 'sqlite.ts'), line.sqlite(sqliteApp ?? ''));
    const compilerOptions = {
      target: 'ES2022',
      lib: ['ES2023'],
      module: 'node16',
      moduleResolution: 'node16',
      strict: true,
      noUncheckedIndexedAccess: true,
      verbatimModuleSyntax: true,
      typeRoots: [join(root, 'node_modules', '@types')],
      types: ['node'],
      // kokugen's own declarations are checked strictly by consumer.test.ts; TypeORM's are its own.
      skipLibCheck: true,
      outDir: 'out',
    };
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['pg.ts', 'sqlite.ts'] }));
    await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app }).catch((error: { stdout?: string }) => {
      throw new Error(`tsc failed for ${line.name}:\n${error.stdout ?? String(error)}`);
    });
    apps.set(line.name, app);
  }
}, 300_000);

afterAll(() => {
  if (base !== undefined) rmSync(base, { recursive: true, force: true });
});

/** Runs a compiled scenario of the app; its stdout, trimmed. */
async function scenario(app: string, file: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await run(process.execPath, [join(app, 'out', file)], { cwd: app, env: { ...process.env, ...env }, timeout: 60_000 });
  return stdout.trim();
}

for (const line of lines) {
  describe(`the reminders app on the packed tarball, ${line.name}`, () => {
    it('resolves the TypeORM of its line, from where the installed kokugen sits', async () => {
      const app = apps.get(line.name) as string;
      // TypeORM as the installed kokugen finds it: its version, read from its own package.json.
      const probe = [
        "const { dirname, join } = require('node:path');",
        "const { readFileSync, existsSync } = require('node:fs');",
        "let dir = dirname(require.resolve('typeorm', { paths: [dirname(require.resolve('kokugen/typeorm'))] }));",
        "while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);",
        "console.log(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version);",
      ].join('\n');
      writeFileSync(join(app, 'probe.cjs'), probe);
      const { stdout } = await run(process.execPath, [join(app, 'probe.cjs')], { cwd: app });
      expect(stdout.trim().split('.')[0]).toBe(line.major);
    });

    it('SQLite: one transaction for the note and its task, and a shared DataSource refused', async () => {
      const app = apps.get(line.name) as string;
      expect(await scenario(app, 'sqlite.js')).toBe(sqliteOutput);
    }, 90_000);

    describePostgres('PostgreSQL', () => {
      it('commit runs the reminder, rollback stores nothing, a dedup key refuses, a changed cron is applied at the next boot', async () => {
        const app = apps.get(line.name) as string;
        const database = `reminders_${line.name.startsWith('TypeORM 1') ? 'one' : 'zero'}_${process.pid}`;
        const admin = new pg.Client({ connectionString: pgUrl as string });
        await admin.connect();
        try {
          await admin.query(`DROP DATABASE IF EXISTS ${database}`);
          await admin.query(`CREATE DATABASE ${database}`);
        } finally {
          await admin.end();
        }
        const url = new URL(pgUrl as string);
        url.pathname = `/${database}`;
        expect(await scenario(app, 'pg.js', { DATABASE_URL: url.toString() })).toBe(pgOutput);
      }, 90_000);
    });
  });
}
