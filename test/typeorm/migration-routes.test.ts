/**
 * The two routes to kokugen's schema on one database: the application's DataSource runs
 * `kokugenMigrations` (recorded in its `migrations` table), or `TypeOrmRepository.open()` migrates
 * (recorded in `kokugen_migrations`). Either finds what the other ran. A missing schema is a typed
 * error that names the migrations.
 */
import { DataSource } from 'typeorm';
import { afterEach, describe, expect, it } from 'vitest';
import { newTask } from '../../src/testing/index.js';
import { kokugenEntities, kokugenMigrations, TypeOrmRepository } from '../../src/typeorm.js';
import { createStore, describePostgres } from './stores.js';
import type { StoreKind } from './stores.js';

function appDataSource(kind: StoreKind, location: string, withMigrations = true): DataSource {
  const common = { entities: [...kokugenEntities], migrations: withMigrations ? [...kokugenMigrations] : [], synchronize: false };
  return kind === 'postgres' ? new DataSource({ type: 'postgres', url: location, ...common }) : new DataSource({ type: 'sqlite', database: location, ...common });
}

function open(kind: StoreKind, location: string): Promise<TypeOrmRepository> {
  return kind === 'postgres' ? TypeOrmRepository.open({ type: 'postgres', url: location }) : TypeOrmRepository.open({ type: 'sqlite', database: location });
}

function routes(kind: StoreKind): void {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("open() on a database where the application's DataSource ran kokugenMigrations", async () => {
    const { location, drop } = await createStore(kind, true);
    cleanups.push(drop);
    const app = appDataSource(kind, location);
    await app.initialize();
    cleanups.push(() => app.destroy());
    expect(await app.runMigrations()).toHaveLength(kokugenMigrations.length);
    const names = (await app.query('SELECT name FROM migrations ORDER BY id')) as Array<{ name: string }>;
    expect(names.map((row) => row.name)).toEqual(kokugenMigrations.map((m) => new m().name));
    const repository = await open(kind, location);
    cleanups.push(() => repository.close());
    await repository.add([newTask({ id: 'one' })]);
    expect((await repository.dataSource.query('SELECT name FROM kokugen_migrations')) as unknown[]).toHaveLength(kokugenMigrations.length);
  });

  it("the application's DataSource on a database that open() migrated", async () => {
    const { location, drop } = await createStore(kind, true);
    cleanups.push(drop);
    const repository = await open(kind, location);
    await repository.add([newTask({ id: 'kept' })]);
    await repository.close();
    const app = appDataSource(kind, location);
    await app.initialize();
    cleanups.push(() => app.destroy());
    expect(await app.runMigrations()).toHaveLength(kokugenMigrations.length);
    const mine = new TypeOrmRepository(app);
    expect((await mine.get('kept'))?.id).toBe('kept');
    await mine.close();
  });

  it('a missing schema is ERR_SCHEMA_MISSING, naming kokugenMigrations', async () => {
    const { location, drop } = await createStore(kind, true);
    cleanups.push(drop);
    const app = appDataSource(kind, location, false);
    await app.initialize();
    cleanups.push(() => app.destroy());
    const repository = new TypeOrmRepository(app);
    const error = await repository.add([newTask()]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_SCHEMA_MISSING', message: expect.stringContaining('kokugenMigrations') });
    expect(await repository.find({}).catch((e: unknown) => (e as { code?: string }).code)).toBe('ERR_SCHEMA_MISSING');
    await repository.close();
  });
}

describe('migration routes: SQLite', () => routes('sqlite'));
describePostgres('migration routes: PostgreSQL', () => routes('postgres'));
