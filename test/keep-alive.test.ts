import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/retry-keeps-alive.mjs', import.meta.url));
const built = fileURLToPath(new URL('../dist/index.js', import.meta.url));

describe('keepAlive (real process)', () => {
  it('an outcome write waiting for its retry keeps the process alive until it is stored', () => {
    if (!existsSync(built)) throw new Error('dist/index.js is missing: run `npm run build` first (npm test does)');
    // Before the fix the retry's timer was unref'd: with nothing else alive, Node ended the process
    // with the top-level await unsettled (exit code 13) and the outcome never stored.
    const run = spawnSync(process.execPath, [fixture], { encoding: 'utf8', timeout: 30_000 });
    expect({ status: run.status, stdout: run.stdout.trim() }).toEqual({ status: 0, stdout: 'done after 2 writes' });
  }, 40_000);
});
