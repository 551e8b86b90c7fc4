/**
 * vitest globalSetup of the `typeorm-1` project: makes sure this folder holds its own install of
 * TypeORM 1.x, exactly as package-lock.json says, before any of its tests load it. Installed with
 * `npm ci` when node_modules is missing or was installed from another lock file (a stamp holds the
 * lock file's hash), so that `npm ci && npm test` on a fresh machine needs no other step; otherwise
 * it costs one hash. The drivers TypeORM 1.x loads (better-sqlite3 ^12, pg) are the project's own
 * devDependencies, found up the directory tree, so better-sqlite3 compiles once for both lines.
 * Fails the run if it cannot install: the 1.x line is never skipped silently.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const stamp = fileURLToPath(new URL('node_modules/.kokugen-lock-hash', import.meta.url));

export default function setup(): void {
  const hash = createHash('sha256').update(readFileSync(new URL('package-lock.json', import.meta.url))).digest('hex');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return;
  console.log(`Installing TypeORM 1.x for the typeorm-1 tests: npm ci in ${dir} (a few seconds; its drivers are the project's own)`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) throw new Error(`npm ci in ${dir} failed (${result.error?.message ?? `exit ${String(result.status)}`}): the TypeORM 1.x tests cannot run`);
  writeFileSync(stamp, hash);
}
