/**
 * What the contract suite cannot say about TypeOrmRepository: its options and settings, your own
 * DataSource with the exported entities and migrations, closing, and other processes on the same
 * store (a second repository has its own connection, as a second process would).
 */
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { DataSourceOptions } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TaskState } from '../../src/index.js';
import type { Task } from '../../src/index.js';
import { FakeClock, newTask } from '../../src/testing/index.js';
import { kokugenEntities, kokugenMigrations, migrationsTableName, TaskEntity, TypeOrmRepository } from '../../src/typeorm.js';
import type { TypeOrmOpenOptions } from '../../src/typeorm.js';
import { sqliteType, sqliteTypes } from '../compat/line.js';
import type { SqliteType } from '../compat/line.js';
import { codeOf, T0 } from '../helpers.js';
import { createStore, describePostgres, openOn, openStore } from './stores.js';
import type { StoreFixture, StoreKind } from './stores.js';

describe('TypeOrmRepository options', () => {
  it.each<[string, unknown]>([
    ['not an object', 'tasks.sqlite'],
    ['an unknown type', { type: 'mysql', url: 'x' }],
    ['no database', { type: 'sqlite' }],
    ['an empty database', { type: 'sqlite', database: '' }],
    ['synchronous OFF', { type: 'sqlite', database: 'x.sqlite', synchronous: 'OFF' }],
    ['a negative busyTimeout', { type: 'sqlite', database: 'x.sqlite', busyTimeout: -1 }],
    ['a zero pollInterval', { type: 'sqlite', database: 'x.sqlite', pollInterval: 0 }],
    ['a fractional pollInterval', { type: 'sqlite', database: 'x.sqlite', pollInterval: 1.5 }],
    ['a zero watchInterval', { type: 'sqlite', database: 'x.sqlite', watchInterval: 0 }],
    ['a watchInterval as text', { type: 'postgres', url: 'postgres://localhost/x', watchInterval: '50' }],
    ['a misspelt key', { type: 'sqlite', databse: 'x.sqlite' }],
    ['a postgres option on sqlite', { type: 'sqlite', database: 'x.sqlite', url: 'postgres://x' }],
    ['no url', { type: 'postgres' }],
    ['a pool of one', { type: 'postgres', url: 'postgres://localhost/x', poolSize: 1 }],
  ])('open() refuses %s with ERR_INVALID_ARGUMENT before touching a database', async (_name, options) => {
    expect(await codeOf(() => TypeOrmRepository.open(options as TypeOrmOpenOptions))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('the constructor refuses anything but an initialised sqlite or postgres DataSource', () => {
    const uninitialised = new DataSource({ type: sqliteType, database: ':memory:' } as DataSourceOptions);
    const mysqlLike = { createQueryRunner: () => undefined, isInitialized: true, options: { type: 'mysql' } } as unknown as DataSource;
    for (const dataSource of [undefined, {}, uninitialised, mysqlLike]) {
      expect(() => new TypeOrmRepository(dataSource as DataSource)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    }
  });
});

describe('SQLite settings', () => {
  let store: StoreFixture | undefined;
  afterEach(() => store?.close());

  it('opens in WAL mode with synchronous FULL and a busy timeout', async () => {
    store = await openStore('sqlite');
    const { dataSource } = store.repository;
    expect(await dataSource.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await dataSource.query('PRAGMA synchronous')).toEqual([{ synchronous: 2 }]);
    expect(await dataSource.query('PRAGMA busy_timeout')).toEqual([{ timeout: 10_000 }]);
  });

  it('takes synchronous NORMAL and another busy timeout when asked', async () => {
    const { location, drop } = await createStore('sqlite');
    const repository = await TypeOrmRepository.open({ type: 'sqlite', database: location, synchronous: 'NORMAL', busyTimeout: 2_500 });
    store = { repository, location, close: async () => (await repository.close(), await drop()) };
    expect(await repository.dataSource.query('PRAGMA synchronous')).toEqual([{ synchronous: 1 }]);
    expect(await repository.dataSource.query('PRAGMA busy_timeout')).toEqual([{ timeout: 2_500 }]);
  });
});

/** A DataSource of `type` (a SQLite one through either driver, or PostgreSQL) on `location`. */
function dataSourceOptions(type: SqliteType | 'postgres', location: string): DataSourceOptions {
  const shared = { entities: [...kokugenEntities], migrations: [...kokugenMigrations], synchronize: false, logging: false };
  if (type === 'postgres') return { type, url: location, ...shared };
  // TypeORM 1.x's types have no 'sqlite'; better-sqlite3 names its busy timeout `timeout`.
  return (type === 'sqlite' ? { type, database: location, enableWAL: true, busyTimeout: 10_000, ...shared } : { type, database: location, enableWAL: true, timeout: 10_000, ...shared }) as DataSourceOptions;
}

function ownDataSource(kind: StoreKind, type: SqliteType | 'postgres'): void {
  describe(`your own DataSource (${type})`, () => {
    let dataSource: DataSource;
    let drop: () => Promise<void>;
    beforeEach(async () => {
      const store = await createStore(kind);
      drop = store.drop;
      dataSource = await new DataSource(dataSourceOptions(type, store.location)).initialize();
      await dataSource.runMigrations();
    });
    afterEach(async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await drop();
    });

    it('runs on the exported entities and migrations, whose schema TypeORM finds identical', async () => {
      expect((await dataSource.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query)).toEqual([]);
      const repository = new TypeOrmRepository(dataSource);
      const [task] = await repository.add([newTask({ id: 'mine', scheduledAt: 8.64e15, param: { a: [1] } })]);
      const record = await dataSource.getRepository(TaskEntity).findOneByOrFail({ id: 'mine' });
      expect(record).toMatchObject({ id: 'mine', scheduledAt: 8.64e15, seq: task?.seq, state: TaskState.Scheduled, param: '{"a":[1]}', recovered: false });
      await repository.close();
      expect(dataSource.isInitialized).toBe(true);
    });

    it('0003 upgrades a table that holds tasks: they stay, outside any flow', async () => {
      const repository = new TypeOrmRepository(dataSource);
      await repository.add([newTask({ id: 'old', flowId: 'f' })]);
      // Down to before 0003 (the later ones first), then up again.
      const later = kokugenMigrations.length - kokugenMigrations.findIndex((m) => new m().name.startsWith('KokugenFlows'));
      for (let i = 0; i < later; i++) await dataSource.undoLastMigration();
      expect((await dataSource.createQueryRunner().getTable('kokugen_tasks'))?.findColumnByName('flow_id')).toBeUndefined();
      expect(await dataSource.runMigrations()).toHaveLength(later);
      expect(await repository.get('old')).toMatchObject({ id: 'old', state: TaskState.Scheduled, flowId: null, dependsOn: null });
      await repository.close();
    });

    it('migrations go down and up again', async () => {
      for (let i = 0; i < kokugenMigrations.length; i++) await dataSource.undoLastMigration();
      expect(await dataSource.createQueryRunner().hasTable('kokugen_tasks')).toBe(false);
      expect(await dataSource.runMigrations()).toHaveLength(kokugenMigrations.length);
      expect(await dataSource.createQueryRunner().hasTable('kokugen_tasks')).toBe(true);
    });
  });
}

function stores(kind: StoreKind): void {
  // On SQLite, a DataSource of each type this TypeORM line has: 'sqlite' (0.3 only) and 'better-sqlite3'.
  for (const type of kind === 'sqlite' ? sqliteTypes : (['postgres'] as const)) ownDataSource(kind, type);

  describe('open()', () => {
    let store: StoreFixture;
    beforeEach(async () => {
      store = await openStore(kind);
    });
    afterEach(() => store.close());

    it('migrates once: a second open finds the schema current and the tasks there', async () => {
      await store.repository.add([newTask({ id: 'kept' })]);
      const again = await openOn(kind, store.location);
      expect((await again.get('kept'))?.id).toBe('kept');
      expect(await again.dataSource.query(`SELECT name FROM ${migrationsTableName}`)).toEqual(kokugenMigrations.map((m) => ({ name: new m().name })));
      await again.close();
    });

    it('refuses every call once closed, and closing twice is fine', async () => {
      const adding = store.repository.add([newTask({ id: 'in-flight' })]);
      const closing = store.repository.close();
      expect((await adding).map((t) => t.id)).toEqual(['in-flight']);
      await closing;
      await store.repository.close();
      expect(store.repository.dataSource.isInitialized).toBe(false);
      for (const call of [() => store.repository.get('x'), () => store.repository.add([newTask()]), () => store.repository.claimDue(0, 1, 'me'), () => store.repository.find({})]) {
        expect(await codeOf(call)).toBe('ERR_NOT_RUNNING');
      }
      const reopened = await openOn(kind, store.location);
      expect((await reopened.get('in-flight'))?.id).toBe('in-flight');
      await reopened.close();
    });
  });

  describe('another process on the same store', () => {
    let store: StoreFixture;
    let other: TypeOrmRepository;
    beforeEach(async () => {
      // No change watch (SQLite's data_version, every watchInterval): these cases are about the poll.
      store = await openStore(kind, { pollInterval: 500, watchInterval: 3_600_000 });
      other = await openOn(kind, store.location);
    });
    afterEach(async () => {
      await other.close();
      await store.close();
    });

    it('is noticed by the poll: a task it adds wakes this watcher within pollInterval', async () => {
      const clock = new FakeClock(T0);
      const calls: number[] = [];
      let woken!: () => void;
      const wake = new Promise<void>((resolve) => (woken = resolve));
      const stop = store.repository.watch({ clock, keepAlive: false, onDue: () => (calls.push(clock.now()), woken()) });
      await other.add([newTask({ id: 'theirs', scheduledAt: T0 - 1 })]);
      // A round trip on this repository's own connection: nothing has made it look at the store yet.
      expect((await store.repository.get('theirs'))?.id).toBe('theirs');
      await clock.tick();
      expect(calls).toEqual([]);
      await clock.advance(500);
      await wake;
      expect(calls).toEqual([T0 + 500]);
      stop();
    });

    it('writes at the same time without errors, and every task is claimed by one of them, once', async () => {
      const ids = Array.from({ length: 300 }, (_, i) => `c${i}`);
      const batches = Array.from({ length: 15 }, (_, b) => ids.slice(b * 20, b * 20 + 20).map((id) => newTask({ id, scheduledAt: T0 })));
      await Promise.all(batches.map((batch, b) => (b % 2 === 0 ? store.repository : other).add(batch)));
      const claimed: Task[] = [];
      const work = async (repository: TypeOrmRepository, owner: string): Promise<void> => {
        for (;;) {
          const tasks = await repository.claimDue(T0, 7, owner);
          claimed.push(...tasks);
          await Promise.all(tasks.map((t) => repository.complete(t.id, { state: TaskState.Done, result: owner }, T0)));
          if (tasks.length === 0 && (await repository.find({ state: TaskState.Scheduled, limit: 1 })).length === 0) return;
        }
      };
      await Promise.all([work(store.repository, 'a1'), work(store.repository, 'a2'), work(other, 'b1'), work(other, 'b2')]);
      expect(claimed.map((t) => t.id).sort()).toEqual([...ids].sort());
      const done = await store.repository.find({ state: TaskState.Done, limit: 1_000 });
      expect(done).toHaveLength(ids.length);
      expect(done.every((t) => t.attempt === 1 && t.result === t.owner)).toBe(true);
    });
  });
}

describe('SQLite', () => stores('sqlite'));

describePostgres('PostgreSQL', () => {
  stores('postgres');

  it('reports an id another writer took after the check as ERR_DUPLICATE_ID', async () => {
    const store = await openStore('postgres');
    const writer = new pg.Client({ connectionString: store.location });
    const observer = new pg.Client({ connectionString: store.location });
    await Promise.all([writer.connect(), observer.connect()]);
    try {
      await writer.query('BEGIN');
      await writer.query(
        `INSERT INTO kokugen_tasks (id, work_id, param, scheduled_at, priority, seq, meta, state, created_at, result, attempt, recovered, errors)
         VALUES ('taken', 'w', 'null', 0, 0, 999999, '{}', 'scheduled', 0, 'null', 0, false, '[]')`,
      );
      const adding = codeOf(store.repository.add([newTask({ id: 'taken' })]));
      // Until kokugen's INSERT waits on the uncommitted key (its own check could not see it).
      for (let polls = 0; polls < 10_000; polls++) {
        const { rows } = await observer.query<{ waiting: number }>('SELECT count(*)::int AS waiting FROM pg_locks WHERE NOT granted');
        if ((rows[0]?.waiting ?? 0) > 0) break;
      }
      await writer.query('COMMIT');
      expect(await adding).toBe('ERR_DUPLICATE_ID');
    } finally {
      await Promise.all([writer.end(), observer.end()]);
      await store.close();
    }
  });
});
