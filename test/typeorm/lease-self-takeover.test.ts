/**
 * A process whose own lease expired while its work ran (its event loop stalled past the lease, so
 * no renewal went out) takes the task over itself at its next claim: attempt + 1, run again here.
 * The stale run is told (its signal aborts with ERR_LEASE_LOST) and its outcome is never stored:
 * only the new attempt's is. On SQLite and PostgreSQL, with the local clock (FakeClock times).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LeaseLostError, TaskState } from '../../src/index.js';
import type { SchedulerEvents } from '../../src/index.js';
import { kit, T0 } from '../helpers.js';
import { describePostgres, openStore } from './stores.js';
import type { StoreFixture, StoreKind } from './stores.js';

function selfTakeover(kind: StoreKind): void {
  let store: StoreFixture;
  beforeEach(async () => {
    store = await openStore(kind, { lease: 1_000 });
  });
  afterEach(async () => {
    await store.close();
  });

  it('the stale run of a task this process took over from itself stores nothing; the new attempt stores its outcome', async () => {
    /** Each started run, by `id/attempt`: its release, and its signal. */
    const runs = new Map<string, { release: () => void; signal: AbortSignal }>();
    const waiting: Array<[string, () => void]> = [];
    const started = (key: string): Promise<void> => new Promise((resolve) => (runs.has(key) ? resolve() : waiting.push([key, resolve])));
    const { scheduler, events } = kit({
      repository: store.repository,
      concurrency: 4,
      works: (works) =>
        works.register('held', (_param, { task, signal }) => {
          const key = `${task.id}/${task.attempt}`;
          return new Promise((resolve) => {
            runs.set(key, { release: () => resolve(`a${task.attempt}`), signal });
            for (const [wanted, wake] of waiting) if (wanted === key) wake();
          });
        }),
    });
    await scheduler.start();
    await scheduler.schedule({ id: 'a', workId: 'held', at: T0 });
    await started('a/1');
    // The process stalled past its lease: the stored lease ended and no renewal went out.
    await store.repository.dataSource.query(`UPDATE kokugen_tasks SET lease_until = ${kind === 'postgres' ? '$1' : '?'} WHERE id = 'a'`, [T0 - 1]);
    // The next claim (for a task of its own) takes the expired lease over.
    await scheduler.schedule({ id: 'b', workId: 'held', at: T0 });
    await Promise.all([started('a/2'), started('b/1')]);
    expect(runs.get('a/1')?.signal.reason).toBeInstanceOf(LeaseLostError);
    expect(runs.get('a/2')?.signal.aborted).toBe(false);

    // The stale run settles first: its outcome must not be stored as the new attempt's.
    runs.get('a/1')?.release();
    runs.get('a/2')?.release();
    runs.get('b/1')?.release();
    expect(await scheduler.wait('a')).toMatchObject({ state: TaskState.Done, attempt: 2, result: 'a2', recovered: true });
    await scheduler.wait('b');
    await scheduler.stop();
    expect(await store.repository.get('a')).toMatchObject({ state: TaskState.Done, attempt: 2, result: 'a2' });
    const errors = events.filter(([name]) => name === 'loop:error').map(([, payload]) => payload as SchedulerEvents['loop:error']);
    expect(errors.map(({ phase, taskId, error }) => [phase, taskId, (error as { code?: unknown }).code])).toEqual([['complete', 'a', 'ERR_LEASE_LOST']]);
    expect(events.filter(([name]) => name === 'task:done').map(([, payload]) => (payload as SchedulerEvents['task:done']).task.attempt)).toEqual([2, 1]);
  });
}

describe('a lease taken over from itself, on SQLite', () => selfTakeover('sqlite'));
describePostgres('a lease taken over from itself, on PostgreSQL', () => selfTakeover('postgres'));
