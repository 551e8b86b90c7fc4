import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Runs `node --test` on `files` (relative to the root) with the TAP reporter; never rejects. */
function nodeTest(...files: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--test', '--test-reporter=tap', ...files], { cwd: root, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, output: stdout + stderr });
    });
  });
}

describe('kokugen/testing without vitest', () => {
  it('runs the repository and dispatcher contracts under node:test, all passing', async () => {
    // The second file finds the framework through globals, as under jest or mocha.
    const { code, output } = await nodeTest('test/node-test/heap-contract.mjs', 'test/node-test/globals-contract.mjs');
    const count = (name: string): number => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(output)?.[1] ?? NaN);
    expect({ code, fail: count('fail'), cancelled: count('cancelled') }, output.slice(-3_000)).toEqual({ code: 0, fail: 0, cancelled: 0 });
    // The suites registered their cases (a framework that ignored them would also report no failure).
    expect(count('pass')).toBeGreaterThan(70);
  }, 130_000);

  it('no file of the built kokugen/testing imports vitest', () => {
    const dir = new URL('../dist/testing/', import.meta.url);
    const importers = readdirSync(dir)
      .filter((file) => file.endsWith('.js'))
      .filter((file) => /from ['"]vitest['"]|import\(['"]vitest['"]\)/.test(readFileSync(new URL(file, dir), 'utf8')));
    expect(importers).toEqual([]);
  });
});
