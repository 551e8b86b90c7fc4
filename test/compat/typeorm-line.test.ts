/**
 * Says which TypeORM line ran (the project name in the report says it too) and holds each line to
 * its SQLite driver: node-sqlite3 under TypeORM 0.3, better-sqlite3 under 1.x, in this process and
 * in the child processes of the kill -9 tests.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { TypeOrmRepository } from '../../src/typeorm.js';
import { tempDir } from '../typeorm/stores.js';
import { childExecArgv, sqliteType, typeormLine } from './line.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The version of the `typeorm` that kokugen's code imports here (through the project's resolution). */
async function loadedVersion(): Promise<string> {
  const specifier = 'typeorm/package.json';
  return ((await import(specifier, { with: { type: 'json' } })) as { default: { version: string } }).default.version;
}

it(`runs on TypeORM ${typeormLine}, SQLite through ${sqliteType}`, async () => {
  const version = await loadedVersion();
  console.log(`TypeORM ${version} (line ${typeormLine}), SQLite driver ${sqliteType}`);
  expect(version.startsWith(typeormLine === '1' ? '1.' : '0.3.')).toBe(true);
  const { dir, remove } = tempDir();
  try {
    const repository = await TypeOrmRepository.open({ type: 'sqlite', database: `${dir}/line.sqlite` });
    expect(repository.dataSource.options.type).toBe(sqliteType);
    await repository.close();
  } finally {
    remove();
  }
});

it('gives the built package in a child process the same TypeORM and driver', () => {
  const script = `
    import { createRequire } from 'node:module';
    import { mkdtempSync, rmSync } from 'node:fs';
    import { tmpdir } from 'node:os';
    import { join } from 'node:path';
    const { TypeOrmRepository } = await import(${JSON.stringify(`${root}dist/typeorm.js`)});
    const typeormUrl = import.meta.resolve('typeorm');
    const dir = mkdtempSync(join(tmpdir(), 'kokugen-line-'));
    const repository = await TypeOrmRepository.open({ type: 'sqlite', database: join(dir, 'line.sqlite') });
    const version = createRequire(typeormUrl)('./package.json').version;
    console.log(JSON.stringify({ version, type: repository.dataSource.options.type }));
    await repository.close();
    rmSync(dir, { recursive: true, force: true });`;
  const child = spawnSync(process.execPath, [...childExecArgv, '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  expect(child.stderr).toBe('');
  const seen = JSON.parse(child.stdout.trim()) as { version: string; type: string };
  expect(seen.version.startsWith(typeormLine === '1' ? '1.' : '0.3.')).toBe(true);
  expect(seen.type).toBe(sqliteType);
});
