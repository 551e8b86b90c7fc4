/**
 * SQLite group commit: writes that queue up share one transaction, yet each stays all-or-nothing
 * and is answered only after the commit.
 */
import type { ClaimPlan } from '../../src/repository/typeorm/task-store.js';
import { DataSource, QueryFailedError } from 'typeorm';
import type { DataSourceOptions } from 'typeorm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TaskState } from '../../src/index.js';
import { SqliteStore, sqliteEndingsSql } from '../../src/repository/typeorm/sqlite-store.js';
import { FakeClock, newTask } from '../../src/testing/index.js';
import { kokugenEntities, kokugenMigrations, TypeOrmRepository } from '../../src/typeorm.js';
import { sqliteTypes } from '../compat/line.js';
import { createStore, openOn, openStore } from './stores.js';
import type { StoreFixture } from './stores.js';

describe('SqliteStore group commit', () => {
  let fixture: StoreFixture;
  let store: SqliteStore;
  beforeEach(async () => {
    fixture = await openStore('sqlite');
    await fixture.repository.dataSource.query('CREATE TABLE scratch (v TEXT PRIMARY KEY)');
    // Shares the DataSource's one connection (and its queue) with the repository.
    store = new SqliteStore(fixture.repository.dataSource, 'kokugen_tasks');
  });
  afterEach(() => fixture.close());

  /** Holds the connection with a read until `release()`, so writes submitted meanwhile form one batch. */
  function hold(): { release: () => void; done: Promise<void> } {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    return { release, done: store.read(() => gate) };
  }

  const values = async (): Promise<string[]> => ((await store.read((sql) => sql('SELECT v FROM scratch ORDER BY v'))).rows as Array<{ v: string }>).map((r) => r.v);

  it('keeps each write of a batch all-or-nothing: refusals and failures undo only themselves', async () => {
    const held = hold();
    const insert = (v: string) => store.write((sql) => sql('INSERT INTO scratch VALUES ($1)', [v]));
    const outcomes = Promise.allSettled([
      insert('first'),
      store.write(async (sql) => {
        await sql('INSERT INTO scratch VALUES ($1)', ['undone']);
        throw new Error('failed after a change');
      }),
      store.write(() => Promise.reject(new Error('refused before a change'))),
      insert('first'), // a constraint violation, after the batch's own insert of 'first'
      insert('last'),
    ]);
    held.release();
    await held.done;
    const settled = (await outcomes).map((o) => (o.status === 'fulfilled' ? 'ok' : store.isUniqueViolation(o.reason) ? 'unique violation' : String((o.reason as Error).message).slice(0, 24)));
    expect(settled).toEqual(['ok', 'failed after a change', 'refused before a change', 'unique violation', 'ok']);
    expect(await values()).toEqual(['first', 'last']);
  });

  it('answers a write only after its batch committed: another connection already sees it', async () => {
    const other = await openOn('sqlite', fixture.location);
    try {
      const held = hold();
      const seen = Promise.all(
        ['a', 'b', 'c'].map(async (v) => {
          await store.write((sql) => sql('INSERT INTO scratch VALUES ($1)', [v]));
          return (await other.dataSource.query('SELECT v FROM scratch WHERE v = ?', [v])) as unknown[];
        }),
      );
      held.release();
      expect(await seen).toEqual([[{ v: 'a' }], [{ v: 'b' }], [{ v: 'c' }]]);
    } finally {
      await other.close();
    }
  });

  it('gives the rows of a change with RETURNING, and leaves nothing in progress that would hold its transaction', async () => {
    await store.write((sql) => sql('INSERT INTO scratch VALUES ($1), ($2)', ['a', 'b']));
    const changed = await store.write((sql) => sql("UPDATE scratch SET v = v || '!' RETURNING v"));
    expect([changed.rows.map((row) => row['v']).sort(), changed.affected]).toEqual([['a!', 'b!'], 2]);
    await store.write((sql) => sql('INSERT INTO scratch VALUES ($1)', ['c']));
    expect(await values()).toEqual(['a!', 'b!', 'c']);
  });

  it('finds each ending\'s row by its id, not by walking every dispatched row', async () => {
    const plan = await store.read((sql) => sql(`EXPLAIN QUERY PLAN ${sqliteEndingsSql(store)}`, ['[]', 'dispatched']));
    const details = plan.rows.map((step) => String(step['detail']));
    expect(details).toContainEqual(expect.stringMatching(/^SEARCH kokugen_tasks USING INDEX sqlite_autoindex_kokugen_tasks_1 \(id=\?\)/));
    expect(details.filter((detail) => detail.includes('kokugen_tasks'))).toHaveLength(1);
  });
});

/**
 * The store keeps its statements prepared on the DataSource's Database (node-sqlite3's or
 * better-sqlite3's). SQLite refuses to close a database with prepared statements, so they must
 * never stand in the way of closing it.
 */
describe.each(sqliteTypes)('SqliteStore prepared statements (%s)', (type) => {
  let dataSource: DataSource;
  let drop: () => Promise<void>;
  beforeEach(async () => {
    const store = await createStore('sqlite');
    drop = store.drop;
    dataSource = await new DataSource({ type, database: store.location, enableWAL: true, entities: [...kokugenEntities], migrations: [...kokugenMigrations], logging: false } as DataSourceOptions).initialize();
    await dataSource.runMigrations();
  });
  afterEach(async () => {
    if (dataSource.isInitialized) await dataSource.destroy();
    await drop();
  });

  async function used(repository: TypeOrmRepository): Promise<void> {
    await repository.add([newTask({ id: 'a', scheduledAt: 1_000 }), newTask({ id: 'b', scheduledAt: 1_000 })]);
    const [claimed] = await repository.claimDue(2_000, 1, 'me');
    await repository.complete(claimed!.id, { state: TaskState.Done, result: 'ok' }, 3_000);
  }

  it('lets a DataSource be destroyed while its repository is still open, and initialised again under it', async () => {
    const repository = new TypeOrmRepository(dataSource);
    await used(repository);
    await dataSource.destroy(); // would fail with SQLITE_BUSY if statements were still prepared
    await dataSource.initialize();
    expect((await repository.get('a'))?.state).toBe(TaskState.Done);
    expect((await repository.claimDue(2_000, 1, 'me')).map((task) => task.id)).toEqual(['b']);
    await repository.close();
  });

  it('lets go of its statements when the repository closes, and prepares them again for another', async () => {
    const repository = new TypeOrmRepository(dataSource);
    await used(repository);
    await repository.close();
    const again = new TypeOrmRepository(dataSource);
    expect((await again.find({ state: TaskState.Done })).map((task) => task.id)).toEqual(['a']);
    await again.close();
    await dataSource.destroy();
  });

  it('keeps a bounded number: the oldest are finalized, and any statement still gives its own answer', async () => {
    const repository = new TypeOrmRepository(dataSource);
    const store = new SqliteStore(dataSource, 'kokugen_tasks');
    for (let round = 0; round < 2; round++) {
      for (let n = 0; n < 100; n++) {
        const { rows } = await store.read((sql) => sql(`SELECT $1 + ${n} AS v`, [round]));
        expect(rows).toEqual([{ v: round + n }]);
      }
    }
    await repository.close();
    await dataSource.destroy();
  });

  it('reports a failed statement as TypeORM does, with the driver\'s code', async () => {
    const repository = new TypeOrmRepository(dataSource);
    const store = new SqliteStore(dataSource, 'kokugen_tasks');
    const failure: unknown = await store.read((sql) => sql('SELECT * FROM no_such_table')).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QueryFailedError);
    expect(failure).toMatchObject({ code: 'SQLITE_ERROR', message: expect.stringContaining('no such table') });
    await dataSource.query('CREATE TABLE scratch (v TEXT PRIMARY KEY)');
    const duplicate: unknown = await store.write((sql) => sql("INSERT INTO scratch VALUES ('x'), ('x')")).catch((error: unknown) => error);
    expect(duplicate).toBeInstanceOf(QueryFailedError);
    expect(store.isUniqueViolation(duplicate)).toBe(true);
    await repository.close();
  });
});

describe('SqliteStore rows returned as JSON', () => {
  let fixture: StoreFixture;
  beforeEach(async () => {
    fixture = await openStore('sqlite');
  });
  afterEach(() => fixture.close());

  it('gives claims and endings the very values a plain read gives, doubles and long integers included', async () => {
    const { repository } = fixture;
    const odd = { id: 'odd \u00e9\u{1F600} "q" \\ \n', scheduledAt: 1_000, timeout: 0.1 + 0.2, deadline: 8.64e15, priority: -7, param: { big: 2 ** 53 + 2, tiny: 5e-324, text: '\u2028 \u0001' }, meta: { k: 'v' }, retry: { attempts: 3, backoff: 'fixed' as const, delay: 1.5, maxDelay: 10.25, jitter: 0.1 } };
    await repository.add([newTask(odd), newTask({ id: 'plain', scheduledAt: 1_000, timeout: 1e-7 })]);
    const claimed = await repository.claimDue(2_000, 2, 'owner');
    for (const task of claimed) expect(task).toStrictEqual(await repository.get(task.id));
    expect(claimed.find((task) => task.id === odd.id)).toMatchObject({ timeout: 0.1 + 0.2, deadline: 8.64e15, param: odd.param, state: TaskState.Dispatched, dispatchedAt: 2_000, recovered: false });
    const ended = await Promise.all(claimed.map((task) => repository.complete(task.id, { state: TaskState.Done, result: { at: 0.1 + 0.2 } }, 3_000)));
    for (const { task } of ended) expect(task).toStrictEqual(await repository.get(task.id));
    expect(ended.map(({ task }) => task.result)).toEqual([{ at: 0.1 + 0.2 }, { at: 0.1 + 0.2 }]);
  });
});

describe('SqliteStore claims that see what they leave', () => {
  let fixture: StoreFixture;
  beforeEach(async () => {
    fixture = await openStore('sqlite');
  });
  afterEach(() => fixture.close());

  it('tells the earliest time left after a full claim when that task is due, and only then', async () => {
    await fixture.repository.add([newTask({ id: 'a', scheduledAt: 100 }), newTask({ id: 'b', scheduledAt: 150 }), newTask({ id: 'c', scheduledAt: 150, priority: 5 }), newTask({ id: 'd', scheduledAt: 400 })]);
    const store = new SqliteStore(fixture.repository.dataSource, 'kokugen_tasks');
    const plan: ClaimPlan = { skip: [], caps: [] };
    const ids = (rows: readonly Record<string, unknown>[]) => rows.map((row) => row['id']);
    const claim = (now: number, limit: number, owner: string, p: ClaimPlan) => store.claim({ now, limit, owner, plan: p, lease: 30_000 });
    const first = await claim(200, 1, 'me', plan);
    expect([ids(first.rows), first.next]).toEqual([['a'], 150]);
    const second = await claim(200, 2, 'me', plan);
    expect([ids(second.rows).sort(), second.next]).toEqual([['b', 'c'], undefined]); // d is not due: unknown
    const skipping = await claim(500, 1, 'me', { skip: ['elsewhere'], caps: [] });
    expect([ids(skipping.rows), skipping.next]).toEqual([['d'], undefined]); // nothing due left: unknown
  });

  it('tells a due time left by a claim limited to some works (the Scheduler limits every claim to its works)', async () => {
    const at = (id: string, scheduledAt: number, workId: string) => newTask({ id, scheduledAt, workId });
    await fixture.repository.add([at('a', 100, 'mine'), at('b', 120, 'other'), at('c', 150, 'mine'), at('d', 160, 'mine')]);
    const store = new SqliteStore(fixture.repository.dataSource, 'kokugen_tasks');
    const claimed = await store.claim({ now: 200, limit: 1, owner: 'me', plan: { skip: [], caps: [], only: ['mine'] }, lease: 30_000 });
    // b comes first but is not this process's: c is due all the same, so the timer fires at once either way.
    expect([claimed.rows.map((row) => row['id']), claimed.next]).toEqual([['a'], 150]);
    const reads = vi.spyOn(SqliteStore.prototype, 'read');
    const clock = new FakeClock(200);
    const stop = fixture.repository.watch({ clock, keepAlive: false, onDue: () => undefined });
    try {
      await clock.tick();
      reads.mockClear();
      expect((await fixture.repository.claimDue(200, 1, 'me', undefined, new Set(['mine']))).map((task) => task.id)).toEqual(['c']);
      expect(reads).not.toHaveBeenCalled();
    } finally {
      reads.mockRestore();
      stop();
    }
  });

  it('moves the timer on without a read of its own while due tasks are left, and reads once none is', async () => {
    const { repository } = fixture;
    await repository.add([newTask({ id: 'a', scheduledAt: 100 }), newTask({ id: 'b', scheduledAt: 150 }), newTask({ id: 'c', scheduledAt: 300 })]);
    const clock = new FakeClock(0);
    const calls: number[] = [];
    const stop = repository.watch({ clock, keepAlive: false, onDue: () => calls.push(clock.now()) });
    await clock.advance(200);
    expect(calls).toEqual([100]);
    const reads = vi.spyOn(SqliteStore.prototype, 'read');
    try {
      expect((await repository.claimDue(200, 1, 'me')).map((task) => task.id)).toEqual(['a']);
      expect(reads).not.toHaveBeenCalled();
      await clock.tick();
      expect(calls).toEqual([100, 200]); // b is due
      expect((await repository.claimDue(200, 1, 'me')).map((task) => task.id)).toEqual(['b']);
      expect(reads).toHaveBeenCalledTimes(1);
    } finally {
      reads.mockRestore();
    }
    await clock.advance(100);
    expect(calls).toEqual([100, 200, 300]);
    stop();
  });
});
