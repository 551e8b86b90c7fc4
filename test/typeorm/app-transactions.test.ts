/**
 * kokugen in an application's TypeORM transactions (`schedule(input, { manager })`): the task
 * commits or rolls back with the application's rows, the scheduler learns of it after the commit
 * (its poll interval here is an hour, so only the after-commit nudge can wake it), and an open
 * transaction that added a task blocks no other add. On PostgreSQL one DataSource is shared; on
 * SQLite the application has its own DataSource on kokugen's file.
 */
import { DataSource, EntitySchema } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HeapRepository, Scheduler, SystemClock, TaskState, WorkerPoolDispatcher, WorkRegistry } from '../../src/index.js';
import { kokugenEntities, kokugenMigrations, TypeOrmRepository } from '../../src/typeorm.js';
import { codeOf } from '../helpers.js';
import { track } from '../setup/leak-guard.js';
import { createStore, describePostgres } from './stores.js';
import type { StoreKind } from './stores.js';

interface User {
  id: number;
  name: string;
}
const UserEntity = new EntitySchema<User>({
  name: 'User',
  tableName: 'app_users',
  columns: { id: { type: Number, primary: true, generated: true }, name: { type: String } },
});

const HOUR = 3_600_000;

interface App {
  readonly dataSource: DataSource;
  readonly scheduler: Scheduler;
  readonly repository: TypeOrmRepository;
  readonly close: () => Promise<void>;
}

async function appOn(kind: StoreKind): Promise<App> {
  const { location, drop } = await createStore(kind, true);
  const works = new WorkRegistry();
  works.register('remind', (param: unknown) => param);
  let dataSource: DataSource;
  let repository: TypeOrmRepository;
  if (kind === 'postgres') {
    dataSource = new DataSource({ type: 'postgres', url: location, entities: [UserEntity, ...kokugenEntities], migrations: [...kokugenMigrations], synchronize: false });
    await dataSource.initialize();
    await dataSource.runMigrations();
    await dataSource.query('CREATE TABLE app_users (id serial PRIMARY KEY, name text NOT NULL)');
    repository = new TypeOrmRepository(dataSource, { pollInterval: HOUR });
  } else {
    repository = await TypeOrmRepository.open({ type: 'sqlite', database: location, pollInterval: HOUR });
    dataSource = new DataSource({ type: 'sqlite', database: location, entities: [UserEntity], enableWAL: true, busyTimeout: 10_000 });
    await dataSource.initialize();
    await dataSource.query('CREATE TABLE app_users (id integer PRIMARY KEY AUTOINCREMENT, name text NOT NULL)');
  }
  const scheduler = track(new Scheduler({ repository, dispatcher: new WorkerPoolDispatcher({ works }), clock: new SystemClock(), logger: false }));
  return {
    dataSource,
    scheduler,
    repository,
    close: async () => {
      await scheduler.stop();
      await repository.close();
      if (dataSource.isInitialized) await dataSource.destroy();
      await drop();
    },
  };
}

function transactionCases(kind: StoreKind): void {
  let app: App;
  beforeEach(async () => {
    app = await appOn(kind);
  });
  afterEach(() => app.close());

  it('a task scheduled in the transaction commits with the user, and runs after the commit', async () => {
    const { dataSource, scheduler } = app;
    await scheduler.start();
    const task = await dataSource.transaction(async (manager) => {
      const user = await manager.save(UserEntity, { name: 'ada' });
      return scheduler.schedule({ workId: 'remind', param: { userId: user.id }, delay: 0 }, { manager });
    });
    expect(await scheduler.wait(task.id)).toMatchObject({ state: TaskState.Done, result: { userId: 1 } });
    expect(await dataSource.getRepository(UserEntity).count()).toBe(1);
  });

  it('a rollback takes the task with it: nothing is stored, nothing runs', async () => {
    const { dataSource, scheduler } = app;
    let id = '';
    const failed = await dataSource
      .transaction(async (manager) => {
        await manager.save(UserEntity, { name: 'bob' });
        id = (await scheduler.scheduleMany([{ workId: 'remind', delay: 0 }], { manager }))[0]?.id ?? '';
        throw new Error('the signup failed');
      })
      .catch((error: unknown) => error);
    expect(failed).toMatchObject({ message: 'the signup failed' });
    expect(id).not.toBe('');
    expect(await codeOf(scheduler.get(id))).toBe('ERR_TASK_NOT_FOUND');
    expect(await scheduler.find()).toEqual([]);
    expect(await dataSource.getRepository(UserEntity).count()).toBe(0);
  });

  it('a series declared in the transaction is there after the commit only', async () => {
    const { dataSource, scheduler } = app;
    await dataSource
      .transaction(async (manager) => {
        await scheduler.schedule({ id: 'digest', workId: 'remind', schedule: { next: (after: Date) => new Date(after.getTime() + HOUR), toJSON: () => ({ kind: 'every', ms: HOUR, anchor: 0 }) } }, { manager });
        throw new Error('no');
      })
      .catch(() => undefined);
    expect(await scheduler.listSeries()).toEqual([]);
  });

  it('refuses a manager outside a transaction with ERR_TRANSACTION_UNSUPPORTED, storing nothing', async () => {
    const { dataSource, scheduler } = app;
    expect(await codeOf(scheduler.schedule({ workId: 'remind', delay: 0 }, { manager: dataSource.manager }))).toBe('ERR_TRANSACTION_UNSUPPORTED');
    expect(await codeOf(scheduler.schedule({ workId: 'remind', delay: 0 }, { manager: 'nope' }))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(scheduler.schedule({ workId: 'remind', delay: 0 }, { manger: {} } as never))).toBe('ERR_INVALID_ARGUMENT');
    expect(await scheduler.find()).toEqual([]);
  });
}

describe('transactional enqueue: SQLite (the application has its own DataSource on the file)', () => {
  transactionCases('sqlite');

  it("refuses a transaction on kokugen's own SQLite DataSource, and a shared one at construction", async () => {
    const app = await appOn('sqlite');
    try {
      const own = app.repository.dataSource;
      const error = await own.transaction((manager) => app.scheduler.schedule({ workId: 'remind', delay: 0 }, { manager })).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ERR_SHARED_DATA_SOURCE' });
      const shared = new DataSource({ type: 'sqlite', database: own.options.database as string, entities: [UserEntity, ...kokugenEntities] });
      await shared.initialize();
      expect(() => new TypeOrmRepository(shared)).toThrow(expect.objectContaining({ code: 'ERR_SHARED_DATA_SOURCE', message: expect.stringMatching(/its own/) }));
      await shared.destroy();
    } finally {
      await app.close();
    }
  });
});

describePostgres('transactional enqueue: PostgreSQL (one DataSource for the application and kokugen)', () => {
  transactionCases('postgres');

  it('an open transaction that scheduled a task blocks no other schedule()', async () => {
    const app = await appOn('postgres');
    try {
      const runner = app.dataSource.createQueryRunner();
      await runner.startTransaction();
      const inside = await app.scheduler.schedule({ workId: 'remind', delay: HOUR }, { manager: runner.manager });
      // Before Keys0005 this waited on the open transaction's insert lock until it ended.
      const outside = await app.scheduler.schedule({ workId: 'remind', delay: HOUR });
      expect(outside.seq).toBeGreaterThan(inside.seq);
      expect(await codeOf(app.scheduler.get(inside.id))).toBe('ERR_TASK_NOT_FOUND');
      await runner.commitTransaction();
      await runner.release();
      expect((await app.scheduler.get(inside.id)).state).toBe(TaskState.Scheduled);
    } finally {
      await app.close();
    }
  });
});

describePostgres('dedup keys in transactions: PostgreSQL', () => {
  it('two open transactions scheduling one key: the later one fails with ERR_DUPLICATE_KEY once the first commits', async () => {
    const app = await appOn('postgres');
    try {
      const first = app.dataSource.createQueryRunner();
      const second = app.dataSource.createQueryRunner();
      await first.startTransaction();
      await second.startTransaction();
      const held = await app.scheduler.schedule({ workId: 'remind', delay: HOUR, key: 'welcome:1' }, { manager: first.manager });
      // The second cannot see the first's row yet: its insert waits on the unique index until the first ends.
      const refused = app.scheduler.schedule({ workId: 'remind', delay: HOUR, key: 'welcome:1' }, { manager: second.manager }).catch((error: unknown) => error);
      await first.commitTransaction();
      expect(await refused).toMatchObject({ code: 'ERR_DUPLICATE_KEY', key: 'welcome:1', taskId: held.id });
      await second.rollbackTransaction();
      await first.release();
      await second.release();
      expect((await app.scheduler.find({ state: TaskState.Scheduled })).map((t) => t.id)).toEqual([held.id]);
    } finally {
      await app.close();
    }
  });
});

describe('transactional enqueue elsewhere', () => {
  it('the heap repository refuses a transaction with ERR_TRANSACTION_UNSUPPORTED', async () => {
    const works = new WorkRegistry();
    works.register('remind', () => null);
    const scheduler = track(new Scheduler({ repository: new HeapRepository(), dispatcher: new WorkerPoolDispatcher({ works }), logger: false }));
    expect(await codeOf(scheduler.schedule({ workId: 'remind', delay: 0 }, { manager: {} }))).toBe('ERR_TRANSACTION_UNSUPPORTED');
    expect(await scheduler.find()).toEqual([]);
  });
});
