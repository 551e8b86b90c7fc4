import { afterEach, describe, expect, it } from 'vitest';
import { TaskState } from '../../src/index.js';
import { FakeClock, newTask } from '../../src/testing/index.js';
import { TypeOrmRepository } from '../../src/typeorm.js';
import type { TypeOrmRepositoryOptions } from '../../src/typeorm.js';
import { codeOf } from '../helpers.js';
import { createStore, describePostgres, openStore } from './stores.js';
import type { StoreFixture, StoreKind } from './stores.js';

const T = Date.UTC(2026, 0, 1);
const day = 86_400_000;

function retentionSuite(kind: StoreKind): void {
  let fixture: StoreFixture | undefined;
  const open = async (options: TypeOrmRepositoryOptions): Promise<TypeOrmRepository> => (fixture = await openStore(kind, options)).repository;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  /** Adds tasks `prefix-0..n-1`, runs them, and ends them `state` at `endedAt(i)`. */
  async function ended(repo: TypeOrmRepository, prefix: string, n: number, state: 'done' | 'failed' | 'cancelled', endedAt: (i: number) => number): Promise<void> {
    const ids = Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
    await repo.add(ids.map((id) => newTask({ id, scheduledAt: 1 })));
    for (const [i, id] of ids.entries()) {
      if (state === 'cancelled') {
        await repo.cancel(id, endedAt(i));
        continue;
      }
      await repo.update(id, { scheduledAt: 1 });
      const [claimed] = await repo.claimDue(endedAt(i), 1, 'me');
      expect(claimed?.id).toBe(id);
      await repo.complete(id, state === 'done' ? { state, result: i } : { state, error: { name: 'E', message: 'm', attempt: 1, at: endedAt(i) } }, endedAt(i));
    }
  }

  const ids = async (repo: TypeOrmRepository, state: TaskState): Promise<string[]> => (await repo.find({ state, limit: 1_000 })).map((t) => t.id).sort();

  it('deletes ended tasks past their age, per state, in batches, and nothing else', async () => {
    const repo = await open({ retention: { done: { maxAge: day }, cancelled: { maxAge: 2 * day }, failed: false, batchSize: 2 } });
    await ended(repo, 'old', 5, 'done', (i) => T - 3 * day + i);
    await ended(repo, 'new', 2, 'done', (i) => T - day / 2 + i);
    await ended(repo, 'fail', 2, 'failed', () => T - 100 * day);
    await ended(repo, 'cxl', 2, 'cancelled', (i) => T - (i === 0 ? 3 : 1) * day);
    await repo.add([newTask({ id: 'waiting', scheduledAt: T + day }), newTask({ id: 'running', scheduledAt: 2 })]);
    await repo.claimDue(T, 1, 'me');
    expect(await repo.sweepRetention(T)).toBe(6);
    expect(await ids(repo, TaskState.Done)).toEqual(['new-0', 'new-1']);
    expect(await ids(repo, TaskState.Failed)).toEqual(['fail-0', 'fail-1']);
    expect(await ids(repo, TaskState.Cancelled)).toEqual(['cxl-1']);
    expect(await ids(repo, TaskState.Scheduled)).toEqual(['waiting']);
    expect(await ids(repo, TaskState.Dispatched)).toEqual(['running']);
    expect(await repo.sweepRetention(T)).toBe(0);
  });

  it('keeps at most maxCount tasks of a state, the newest created', async () => {
    const repo = await open({ retention: { done: { maxCount: 3 }, failed: { maxCount: 0 }, batchSize: 2 } });
    await ended(repo, 'd', 7, 'done', () => T);
    await ended(repo, 'f', 1, 'failed', () => T);
    expect(await repo.sweepRetention(T)).toBe(5);
    expect(await ids(repo, TaskState.Done)).toEqual(['d-4', 'd-5', 'd-6']);
    expect(await ids(repo, TaskState.Failed)).toEqual([]);
  });

  it('sweeps on the watcher clock every sweepInterval while watched, and stops when unwatched', async () => {
    const repo = await open({ retention: { done: { maxAge: 1_000 }, sweepInterval: 60_000 } });
    const clock = new FakeClock(T);
    const unwatch = repo.watch({ clock, keepAlive: false, onDue: () => undefined });
    await ended(repo, 'a', 2, 'done', () => T);
    await clock.advance(59_999);
    await repo.retentionIdle();
    expect(await ids(repo, TaskState.Done)).toEqual(['a-0', 'a-1']);
    await clock.advance(1);
    await repo.retentionIdle();
    expect(await ids(repo, TaskState.Done)).toEqual([]);
    await ended(repo, 'b', 1, 'done', () => T);
    unwatch();
    await clock.advance(120_000);
    await repo.retentionIdle();
    expect(await ids(repo, TaskState.Done)).toEqual(['b-0']);
  });

  it('by default keeps done, cancelled and expired tasks 7 days and failed ones 30; false keeps all', async () => {
    const repo = await open({});
    await ended(repo, 'd', 2, 'done', (i) => T - (i === 0 ? 8 : 6) * day);
    await ended(repo, 'f', 2, 'failed', (i) => T - (i === 0 ? 31 : 8) * day);
    await repo.sweepRetention(T);
    expect(await ids(repo, TaskState.Done)).toEqual(['d-1']);
    expect(await ids(repo, TaskState.Failed)).toEqual(['f-1']);

    const keepAll = new TypeOrmRepository(repo.dataSource, { retention: false });
    expect(await keepAll.sweepRetention(T + 1_000 * day)).toBe(0);
    expect(await ids(repo, TaskState.Done)).toEqual(['d-1']);
  });

  it('never deletes a series, only its ended occurrences', async () => {
    const repo = await open({ retention: { done: { maxCount: 0 } } });
    const series = { id: 's', workId: 'work', param: null, schedule: { kind: 'every', ms: 1_000 }, misfire: 'once', grace: 1_000, priority: 0, meta: {}, retry: null, timeout: null, enabled: true, createdAt: 0 } as const;
    await repo.addSeries(series as never, newTask({ id: 's-1', seriesId: 's', scheduledAt: 1 }));
    await repo.claimDue(T, 1, 'me');
    await repo.complete('s-1', { state: TaskState.Done, result: null }, T);
    expect(await repo.sweepRetention(T)).toBe(1);
    expect(await repo.getSeries('s')).toBeDefined();
  });

  it('refuses bad retention options at open() and in the constructor', async () => {
    const { location, drop } = await createStore(kind);
    const base = kind === 'sqlite' ? { type: 'sqlite' as const, database: location } : { type: 'postgres' as const, url: location };
    const bad: unknown[] = [
      'forever',
      { done: { maxAge: -1 } },
      { done: { maxCount: 1.5 } },
      { done: {} },
      { done: { maxAge: 1, extra: 1 } },
      { sweepInterval: 0 },
      { batchSize: 0 },
      { kept: true },
    ];
    for (const retention of bad) expect(await codeOf(TypeOrmRepository.open({ ...base, retention } as never)), JSON.stringify(retention)).toBe('ERR_INVALID_ARGUMENT');
    const repo = await TypeOrmRepository.open(base);
    for (const retention of bad) expect(await codeOf(() => new TypeOrmRepository(repo.dataSource, { retention } as never))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(() => new TypeOrmRepository(repo.dataSource, { pollIntervall: 5 } as never))).toBe('ERR_INVALID_ARGUMENT');
    await repo.close();
    await drop();
  });
}

describe('TypeORM retention (SQLite file)', () => retentionSuite('sqlite'));
describePostgres('TypeORM retention (PostgreSQL)', () => retentionSuite('postgres'));
