import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const demo = fileURLToPath(new URL('../../dist/cli/demo.js', import.meta.url));
let dir: string | undefined;

afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Runs the demo in `cwd` until a task is running, then kills it with SIGKILL. */
function killWhileRunning(cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [demo], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const started = out.split('▶').length - 1;
      const ended = out.split('✔').length - 1 + (out.split('✘').length - 1);
      // Some task has started and not ended: the kill leaves it dispatched in the store.
      if (started >= 3 && started > ended) child.kill('SIGKILL');
    });
    child.once('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`the demo ended by itself (${String(code)}) before it was killed:\n${out}`))));
  });
}

describe('npm run demo (real processes)', () => {
  it('run again after kill -9, it recovers the task it was running at once and finishes the rest', async () => {
    if (!existsSync(demo)) throw new Error('dist/cli/demo.js is missing: run `npm run build` first (npm test does)');
    dir = mkdtempSync(join(tmpdir(), 'kokugen-demo-'));
    await killWhileRunning(dir);
    const again = spawnSync(process.execPath, [demo], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(again.status).toBe(0);
    // Before the demo had a stable owner, its new process recovered nothing at start: the killed
    // run's task waited for its lease to expire (30 s).
    const recoveredAt = /\+(\d+\.\d+)s\s+⟲ recovered /.exec(again.stdout)?.[1];
    expect(recoveredAt, again.stdout).toBeDefined();
    // At start (same-owner recovery), not when the killed run's lease expired.
    expect(Number(recoveredAt)).toBeLessThan(5);
    expect(again.stdout).toMatch(/all \d+ tasks ended/);
  }, 90_000);
});
