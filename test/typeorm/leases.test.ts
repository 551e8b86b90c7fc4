/**
 * Leases, fencing and claim-ahead of the TypeORM repository, on SQLite and PostgreSQL, with the
 * local clock (FakeClock times): two repositories on one store stand for two processes. The
 * multi-process proofs, on the database's clock, are in leases-postgres.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TaskState } from '../../src/index.js';
import type { Task } from '../../src/index.js';
import { FakeClock, newTask } from '../../src/testing/index.js';
import type { TypeOrmRepository } from '../../src/typeorm.js';
import { codeOf, T0 } from '../helpers.js';
import { describePostgres, openOn, openStore } from './stores.js';
import type { StoreFixture, StoreKind } from './stores.js';

const lease = 1_000;

function leases(kind: StoreKind): void {
  let store: StoreFixture;
  let mine: TypeOrmRepository;
  let theirs: TypeOrmRepository;
  beforeEach(async () => {
    store = await openStore(kind, { lease });
    mine = store.repository;
    theirs = await openOn(kind, store.location, { lease });
  });
  afterEach(async () => {
    await theirs.close();
    await store.close();
  });

  const done = { state: TaskState.Done, result: 'ok' } as const;

  it('takes over a task whose lease expired (attempt + 1, recovered); the old holder is fenced off', async () => {
    await mine.add([newTask({ id: 'a', scheduledAt: T0 })]);
    const [claimed] = await mine.claimDue(T0, 1, 'me');
    expect(claimed).toMatchObject({ id: 'a', attempt: 1, owner: 'me' });
    // Not expired yet: the lease runs to T0 + lease inclusive.
    expect(await theirs.claimDue(T0 + lease, 5, 'them')).toEqual([]);
    const [taken] = await theirs.claimDue(T0 + lease + 1, 5, 'them');
    expect(taken).toMatchObject({ id: 'a', state: TaskState.Dispatched, attempt: 2, owner: 'them', recovered: true });
    const refused = await codeOf(mine.complete('a', { state: TaskState.Done, result: 'late' }, T0 + 2_000));
    expect(refused).toBe('ERR_LEASE_LOST');
    expect((await theirs.complete('a', done, T0 + 2_000)).task).toMatchObject({ state: TaskState.Done, result: 'ok', attempt: 2 });
    expect(await mine.get('a')).toMatchObject({ result: 'ok', attempt: 2 });
  });

  it('takes over an expired lease and claims a due task in one claim, telling only the first recovered', async () => {
    await mine.add([newTask({ id: 'old', scheduledAt: T0 })]);
    await mine.claimDue(T0, 1, 'me');
    await mine.add([newTask({ id: 'new', scheduledAt: T0 + 10 })]);
    const recovered: string[] = [];
    const stop = theirs.watch({ clock: new FakeClock(T0 + lease + 1), keepAlive: false, onDue: () => undefined, onRecovered: (task) => void recovered.push(task.id) });
    try {
      const claimed = await theirs.claimDue(T0 + lease + 1, 5, 'them');
      expect(claimed.map((task) => [task.id, task.attempt, task.recovered, task.owner])).toEqual([
        ['old', 2, true, 'them'],
        ['new', 1, false, 'them'],
      ]);
      expect(recovered).toEqual(['old']);
    } finally {
      stop();
    }
  });

  it('refuses a lost holder retry outcome (the general path)', async () => {
    await mine.add([newTask({ id: 'r', scheduledAt: T0 })]);
    await mine.claimDue(T0, 1, 'me');
    await theirs.claimDue(T0 + lease + 1, 1, 'them');
    const retry = { state: TaskState.Scheduled, scheduledAt: T0 + 5_000, error: { name: 'E', message: 'again', at: T0, attempt: 1 } } as const;
    expect(await codeOf(mine.complete('r', retry, T0 + 2_000))).toBe('ERR_LEASE_LOST');
    expect(await mine.get('r')).toMatchObject({ state: TaskState.Dispatched, attempt: 2, owner: 'them' });
  });

  it('renews every held lease in one write; a renewal that finds a lease gone reports it once, with ERR_LEASE_LOST', async () => {
    await mine.add([newTask({ id: 'k', scheduledAt: T0 }), newTask({ id: 'l', scheduledAt: T0 })]);
    const clock = new FakeClock(T0);
    const lost: Array<[string, unknown]> = [];
    const unwatch = mine.watch({ clock, keepAlive: false, onDue: () => undefined, onLeaseLost: (id, error) => lost.push([id, (error as { code?: unknown }).code]) });
    try {
      await mine.claimDue(T0, 2, 'me');
      await clock.set(T0 + 900);
      await mine.renewLeases();
      // Renewed to T0 + 1900: not expired at T0 + 1500.
      expect(await theirs.claimDue(T0 + 1_500, 5, 'them')).toEqual([]);
      await mine.complete('l', done, T0 + 1_500);
      const taken = await theirs.claimDue(T0 + 1_901, 5, 'them');
      expect(taken.map((t) => [t.id, t.attempt])).toEqual([['k', 2]]);
      await mine.renewLeases();
      await mine.renewLeases();
      expect(lost).toEqual([['k', 'ERR_LEASE_LOST']]);
      // The run's outcome, written after the renewal found the lease gone, is refused the same way.
      expect(await codeOf(mine.complete('k', done, T0 + 2_000))).toBe('ERR_LEASE_LOST');
      expect(await mine.get('k')).toMatchObject({ state: TaskState.Dispatched, attempt: 2, owner: 'them' });
    } finally {
      unwatch();
    }
  });

  it('claims only the works it is given, and takes over only those', async () => {
    await mine.add([newTask({ id: 'x1', workId: 'x', scheduledAt: T0 }), newTask({ id: 'y1', workId: 'y', scheduledAt: T0 }), newTask({ id: 'x2', workId: 'x', scheduledAt: T0 + 1 })]);
    expect((await mine.claimDue(T0 + 1, 10, 'me', undefined, new Set(['x']))).map((t) => t.id)).toEqual(['x1', 'x2']);
    expect((await theirs.claimDue(T0 + 5_000, 10, 'them', undefined, new Set(['y']))).map((t) => t.id)).toEqual(['y1']);
    expect((await theirs.claimDue(T0 + 5_000, 10, 'them', undefined, new Set(['z']))).map((t) => t.id)).toEqual([]);
    expect(await codeOf(mine.claimDue(T0, 1, 'me', undefined, ['x'] as never))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('refuses bad lease options with a typed error', async () => {
    for (const options of [{ lease: 5 }, { lease: 1.5 }, { clock: 'sundial' }, { claimAhead: -1 }, { claimAhead: 10_001 }, { leese: 1 }]) {
      expect(await codeOf(openOn(kind, store.location, options as never)), JSON.stringify(options)).toBe('ERR_INVALID_ARGUMENT');
    }
    if (kind === 'sqlite') expect(await codeOf(openOn(kind, store.location, { clock: 'database' }))).toBe('ERR_INVALID_ARGUMENT');
  });
}

function claimAhead(kind: StoreKind): void {
  let store: StoreFixture;
  beforeEach(async () => {
    store = await openStore(kind, { lease, claimAhead: 3 });
  });
  afterEach(() => store.close());

  it('claims ahead into a local queue held under lease; queued tasks lose a cancel cleanly and go back at unwatch', async () => {
    const { repository } = store;
    await repository.add(Array.from({ length: 6 }, (_, i) => newTask({ id: `q${i}`, scheduledAt: T0 + i })));
    const clock = new FakeClock(T0 + 10);
    const unwatch = repository.watch({ clock, keepAlive: false, onDue: () => undefined });
    const first = await repository.claimDue(T0 + 10, 1, 'me');
    expect(first.map((t) => t.id)).toEqual(['q0']);
    // q1..q3 wait in the queue, dispatched in the store: a cancel or update loses cleanly.
    expect((await repository.find({ state: TaskState.Dispatched })).map((t) => t.id)).toEqual(['q0', 'q1', 'q2', 'q3']);
    expect(await codeOf(repository.cancel('q2', T0 + 10))).toBe('ERR_ALREADY_DISPATCHED');
    expect(await codeOf(repository.update('q3', { param: 'new' }))).toBe('ERR_ALREADY_DISPATCHED');
    const next: Task[] = await repository.claimDue(T0 + 10, 2, 'me');
    expect(next.map((t) => t.id)).toEqual(['q1', 'q2']);
    unwatch();
    // close() waits for the release that unwatching started.
    await repository.close();
    const again = await openOn(kind, store.location);
    try {
      expect(await again.get('q3')).toMatchObject({ state: TaskState.Scheduled, attempt: 0, owner: null, dispatchedAt: null });
      expect(await again.get('q1')).toMatchObject({ state: TaskState.Dispatched, attempt: 1 });
    } finally {
      await again.close();
    }
  });
}

describe('leases on SQLite', () => {
  leases('sqlite');
  claimAhead('sqlite');
});

describePostgres('leases on PostgreSQL', () => {
  leases('postgres');
  claimAhead('postgres');
});
