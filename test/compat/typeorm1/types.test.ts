/**
 * kokugen's sources, and so the declarations it ships, type-check against TypeORM 1.x's types too
 * (tsconfig.json here maps `typeorm` there; `npm test` checks them against 0.3's). Only in the
 * typeorm-1 project, whose setup installed TypeORM 1.x.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const project = fileURLToPath(new URL('tsconfig.json', import.meta.url));

it('type-checks src against TypeORM 1.x', () => {
  const result = spawnSync(process.execPath, [tsc, '-p', project], { encoding: 'utf8' });
  expect(result.stdout + result.stderr).toBe('');
  expect(result.status).toBe(0);
}, 120_000);
