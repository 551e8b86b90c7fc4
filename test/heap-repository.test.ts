import { afterEach, describe, expect, it, vi } from 'vitest';
import { HeapRepository, TaskState } from '../src/index.js';
import type { Series } from '../src/index.js';
import { PendingTask } from '../src/repository/pending-task.js';
import { newSeries } from '../src/testing/contract-helpers.js';
import { newTask } from '../src/testing/index.js';
import { kit, T0 } from './helpers.js';

const pending = 10_000;
const series = (id: string): Series => newSeries({ id, workId: 'record', param: null, schedule: { kind: 'every', ms: 1_000, anchor: 0 }, createdAt: 0 });

/** Counts the pending records a step reads, through a getter every filter reads. */
function countReads(): { reads: () => number } {
  const spy = vi.spyOn(PendingTask.prototype, 'seriesId', 'get');
  return { reads: () => spy.mock.calls.length };
}

describe('HeapRepository: lookups by series read only that series', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('Scheduler.remove(taskId) among many pending tasks reads none of the others', async () => {
    const repository = new HeapRepository();
    await repository.add(Array.from({ length: pending }, (_, i) => newTask({ id: `t${i}`, workId: 'record', scheduledAt: T0 + 3_600_000 + i })));
    const { scheduler } = kit({ repository });
    await scheduler.start();
    const { reads } = countReads();
    expect(await scheduler.remove('t5000')).toBe(true);
    expect(await scheduler.remove('t5000')).toBe(false);
    expect(reads()).toBeLessThan(10);
    expect(repository.size).toBe(pending - 1);
    await scheduler.stop();
  });

  it('find({ seriesId }) and removeSeries() read only the series, among many pending tasks', async () => {
    const repository = new HeapRepository();
    await repository.add(Array.from({ length: pending }, (_, i) => newTask({ id: `t${i}`, scheduledAt: 1_000 + i })));
    await repository.addSeries(series('s'), newTask({ id: 's-1', scheduledAt: 10, seriesId: 's' }));
    await repository.add([newTask({ id: 'loose', scheduledAt: 20, seriesId: 'no-such-series' })]);
    const { reads } = countReads();
    expect((await repository.find({ seriesId: 's' })).map((t) => t.id)).toEqual(['s-1']);
    expect((await repository.find({ seriesId: 'no-such-series' })).map((t) => t.id)).toEqual(['loose']);
    expect(await repository.find({ seriesId: 'nothing' })).toEqual([]);
    expect(await repository.removeSeries('s')).toBe(true);
    expect(await repository.removeSeries('s')).toBe(false);
    expect(reads()).toBeLessThan(20);
    expect(await repository.get('s-1')).toBeUndefined();
    expect(repository.size).toBe(pending + 1);
  });

  it('find({ seriesId }) follows every state change, retention and id reuse', async () => {
    const repository = new HeapRepository({ retention: { maxEnded: 1 } });
    await repository.addSeries(series('s'), newTask({ id: 's-1', scheduledAt: 10, seriesId: 's' }));
    const [claimed] = await repository.claimDue(10, 1, 'me');
    expect(claimed?.id).toBe('s-1');
    const { next } = await repository.complete('s-1', { state: TaskState.Done, result: null }, 10, newTask({ id: 's-2', scheduledAt: 20, seriesId: 's' }));
    expect(next?.id).toBe('s-2');
    expect((await repository.find({ seriesId: 's' })).map((t) => [t.id, t.state])).toEqual([
      ['s-1', 'done'],
      ['s-2', 'scheduled'],
    ]);
    await repository.cancel('s-2', 15);
    // maxEnded 1: s-1 is forgotten when s-2 ends.
    expect((await repository.find({ seriesId: 's' })).map((t) => [t.id, t.state])).toEqual([['s-2', 'cancelled']]);
    expect(await repository.remove('s-2')).toBe(true);
    expect(await repository.find({ seriesId: 's' })).toEqual([]);
    // The id comes back in another series, then without one.
    await repository.add([newTask({ id: 's-2', scheduledAt: 30, seriesId: 'other' })]);
    expect(await repository.find({ seriesId: 's' })).toEqual([]);
    expect((await repository.find({ seriesId: 'other' })).map((t) => t.id)).toEqual(['s-2']);
    expect(await repository.remove('s-2')).toBe(true);
    await repository.add([newTask({ id: 's-2', scheduledAt: 30 })]);
    expect(await repository.find({ seriesId: 'other' })).toEqual([]);
    expect((await repository.find({ state: TaskState.Scheduled, seriesId: 'other' })).length).toBe(0);
  });
});

describe('HeapRepository: packed times', () => {
  it('each repository keeps its own time base: times decades apart round-trip and order exactly in both', async () => {
    const near0 = new HeapRepository();
    const today = new HeapRepository();
    const early = [newTask({ id: 'a', scheduledAt: 30, createdAt: 0 }), newTask({ id: 'b', scheduledAt: 10, createdAt: 0 })];
    const late = [newTask({ id: 'a', scheduledAt: T0 + 30, createdAt: T0 }), newTask({ id: 'b', scheduledAt: T0 + 10, createdAt: T0 }), newTask({ id: 'c', scheduledAt: T0 + 0.5, createdAt: T0 })];
    await near0.add(early);
    await today.add(late);
    expect((await near0.find({ state: TaskState.Scheduled })).map((t) => [t.id, t.scheduledAt])).toEqual([
      ['b', 10],
      ['a', 30],
    ]);
    expect((await today.claimDue(T0 + 30, 10, 'me')).map((t) => [t.id, t.scheduledAt, t.createdAt])).toEqual([
      ['c', T0 + 0.5, T0],
      ['b', T0 + 10, T0],
      ['a', T0 + 30, T0],
    ]);
  });
});
