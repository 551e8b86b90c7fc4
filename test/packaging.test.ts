import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** What the package holds, by `npm pack --dry-run` over the built dist/ (npm test builds first). */
let files: Set<string>;

beforeAll(async () => {
  const { stdout } = await run(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  const [pack] = JSON.parse(stdout) as [{ files: { path: string }[] }];
  files = new Set(pack.files.map((file) => file.path));
}, 60_000);

describe('the npm package', () => {
  it('holds the license, readme, changelog and every entry point with its types', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; default: string } | string>; bin: Record<string, string> };
    const wanted = ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json', 'docs/scheduler.md', ...Object.values(pkg.bin).map(normalize)];
    for (const target of Object.values(pkg.exports)) {
      if (typeof target === 'object') wanted.push(normalize(target.types), normalize(target.default));
    }
    expect(wanted.filter((file) => !files.has(file))).toEqual([]);
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) 2026 the kokugen authors\n/);
  });

  it('holds no tests, no demo and nothing of the development setup', () => {
    const unwanted = [...files].filter((file) => /^(test|bench|\.ci|\.github)\/|^dist\/cli\/|^src\/cli\/|\.test\.|^tsconfig|^vitest/.test(file));
    expect(unwanted).toEqual([]);
  });

  it('ships the sources every source map points at', () => {
    const maps = [...files].filter((file) => file.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    const missing: string[] = [];
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(root, map), 'utf8')) as { sources: string[] };
      for (const source of sources) {
        const path = normalize(join(dirname(map), source));
        if (!files.has(path)) missing.push(`${map} -> ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('require(kokugen)', () => {
  it('loads the ESM package from CommonJS on this Node (20.19+ has require(esm) on by default)', async () => {
    // The package requires itself by name from its root, through its own exports.
    const script = [
      "const { Scheduler, HeapRepository, WorkerPoolDispatcher, WorkRegistry } = require('kokugen');",
      "const { FakeClock } = require('kokugen/testing');",
      "const works = new WorkRegistry().register('add', ({ a, b }) => a + b);",
      'const clock = new FakeClock(0);',
      'const scheduler = new Scheduler({ repository: new HeapRepository(), dispatcher: new WorkerPoolDispatcher({ works }), clock, logger: false });',
      '(async () => {',
      '  await scheduler.start();',
      "  const task = await scheduler.schedule({ workId: 'add', param: { a: 2, b: 3 }, delay: 0 });",
      '  await clock.tick();',
      '  console.log(JSON.stringify((await scheduler.wait(task.id)).result));',
      '  await scheduler.stop();',
      '})();',
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--input-type=commonjs', '-e', script], { cwd: root });
    expect(stdout.trim()).toBe('5');
  }, 30_000);
});
