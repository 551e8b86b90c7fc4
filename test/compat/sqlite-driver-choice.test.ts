/**
 * Which SQLite driver `open()` takes, and the typed error when none can run. A package that is not
 * installed cannot be made real here (both lines' drivers are installed), so its absence is
 * mocked the way TypeORM reports it: DriverPackageNotInstalledError from the DataSource.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { DriverNotInstalledError } from '../../src/index.js';
import { TypeOrmRepository } from '../../src/typeorm.js';
import { tempDir } from '../typeorm/stores.js';
import { typeormLine } from './line.js';

const missing = vi.hoisted(() => ({ drivers: false }));

vi.mock('typeorm', async (importOriginal) => {
  const typeorm = await importOriginal<typeof import('typeorm')>();
  class DataSource extends typeorm.DataSource {
    constructor(options: ConstructorParameters<typeof typeorm.DataSource>[0]) {
      if (missing.drivers && options.type === 'better-sqlite3') throw new typeorm.DriverPackageNotInstalledError('SQLite', 'better-sqlite3');
      super(options);
    }
  }
  return { ...typeorm, DataSource };
});

vi.mock('../../src/repository/typeorm/sqlite3-driver.js', async (importOriginal) => {
  const driver = await importOriginal<typeof import('../../src/repository/typeorm/sqlite3-driver.js')>();
  return { ...driver, quietSqlite: () => (missing.drivers ? undefined : driver.quietSqlite()) };
});

afterEach(() => {
  missing.drivers = false;
});

it('refuses with ERR_DRIVER_NOT_INSTALLED, naming what to install on this line, and creates nothing', async () => {
  missing.drivers = true;
  const { dir, remove } = tempDir();
  try {
    const database = join(dir, 'sub', 'tasks.sqlite');
    const error = await TypeOrmRepository.open({ type: 'sqlite', database }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DriverNotInstalledError);
    expect(error).toMatchObject({ code: 'ERR_DRIVER_NOT_INSTALLED', packages: typeormLine === '1' ? ['better-sqlite3'] : ['sqlite3', 'better-sqlite3'] });
    expect(existsSync(join(dir, 'sub'))).toBe(false);
  } finally {
    remove();
  }
});

it(`takes ${typeormLine === '1' ? 'better-sqlite3, the only driver of TypeORM 1.x' : 'sqlite3 on TypeORM 0.3 when both drivers are installed'}`, async () => {
  const { dir, remove } = tempDir();
  try {
    const repository = await TypeOrmRepository.open({ type: 'sqlite', database: join(dir, 'tasks.sqlite') });
    expect(repository.dataSource.options.type).toBe(typeormLine === '1' ? 'better-sqlite3' : 'sqlite');
    await repository.close();
  } finally {
    remove();
  }
});
