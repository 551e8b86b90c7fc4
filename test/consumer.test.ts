import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * The consumer-project proof: the packed tarball installed into a fresh app (its dependencies from
 * the npm cache when there), a strict TypeScript file type-checked with node16 and with bundler
 * resolution, then run on the heap repository.
 */

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
let app: string;

const strict = {
  target: 'ES2022',
  lib: ['ES2023'],
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  verbatimModuleSyntax: true,
  // The app's own node types come from this project's install, so nothing is fetched for them.
  typeRoots: [join(root, 'node_modules', '@types')],
  types: ['node'],
  skipLibCheck: false,
};

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), 'kokugen-consumer-'));
  await run(npm, ['pack', '--ignore-scripts', '--pack-destination', app], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  const tarball = readdirSync(app).find((file) => file.endsWith('.tgz'));
  if (tarball === undefined) throw new Error('npm pack made no tarball');
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await run(npm, ['install', `./${tarball}`, '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', '--loglevel=error'], { cwd: app, maxBuffer: 64 * 1024 * 1024 });
  for (const file of ['app.ts', 'app-cjs.cts']) copyFileSync(join(root, 'test', 'consumer', file), join(app, file));
}, 120_000);

afterAll(() => {
  if (app !== undefined) rmSync(app, { recursive: true, force: true });
});

function tsconfig(name: string, options: Record<string, unknown>, file = 'app.ts'): string {
  writeFileSync(join(app, name), JSON.stringify({ compilerOptions: { ...strict, ...options }, files: [file] }));
  return name;
}

describe('a consumer project on the packed tarball', () => {
  it('type-checks under node16 resolution and runs', async () => {
    const config = tsconfig('tsconfig.node16.json', { module: 'node16', moduleResolution: 'node16', outDir: 'out' });
    await run(process.execPath, [tsc, '-p', config], { cwd: app }).catch((error: { stdout?: string }) => {
      throw new Error(`tsc (node16) failed:\n${error.stdout ?? String(error)}`);
    });
    const { stdout } = await run(process.execPath, [join(app, 'out', 'app.js')], { cwd: app });
    expect(stdout.trim()).toBe('reminded 7 true true');
  }, 60_000);

  it('type-checks under bundler resolution', async () => {
    const config = tsconfig('tsconfig.bundler.json', { module: 'esnext', moduleResolution: 'bundler', noEmit: true });
    await run(process.execPath, [tsc, '-p', config], { cwd: app }).catch((error: { stdout?: string }) => {
      throw new Error(`tsc (bundler) failed:\n${error.stdout ?? String(error)}`);
    });
  }, 60_000);

  // A CommonJS app writes `import` and lets TypeScript emit require(): without verbatimModuleSyntax,
  // which would ask for `import x = require(...)` instead.
  it('compiles to CommonJS under module nodenext, and the require() runs', async () => {
    const config = tsconfig('tsconfig.cjs.json', { module: 'nodenext', moduleResolution: 'nodenext', outDir: 'out-cjs', verbatimModuleSyntax: false }, 'app-cjs.cts');
    await run(process.execPath, [tsc, '-p', config], { cwd: app }).catch((error: { stdout?: string }) => {
      throw new Error(`tsc (CommonJS) failed:\n${error.stdout ?? String(error)}`);
    });
    const { stdout } = await run(process.execPath, [join(app, 'out-cjs', 'app-cjs.cjs')], { cwd: app });
    expect(stdout.trim()).toBe('42');
  }, 60_000);
});
