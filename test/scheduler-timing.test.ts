import { describe, expect, it } from 'vitest';
import { HeapRepository, TaskState } from '../src/index.js';
import { newTask } from '../src/testing/index.js';
import { kit, T0 } from './helpers.js';

describe('Scheduler timing', () => {
  it('runs tasks at their time, never early, by time then priority then creation', async () => {
    const { scheduler, clock, started } = kit();
    await scheduler.start();
    const order: string[] = [];
    scheduler.on('task:done', ({ task }) => void order.push(task.param as string));
    await scheduler.schedule({ workId: 'record', param: 'c', at: T0 + 300 });
    await scheduler.schedule({ workId: 'record', param: 'b-low', at: T0 + 200 });
    await scheduler.schedule({ workId: 'record', param: 'b-high', at: T0 + 200, priority: 5 });
    await scheduler.schedule({ workId: 'record', param: 'a', delay: 100 });
    await scheduler.schedule({ workId: 'record', param: 'b-low-2', at: new Date(T0 + 200) });

    await clock.advance(99);
    expect(order).toEqual([]);
    await clock.advance(1);
    expect(order).toEqual(['a']);
    await clock.advance(100);
    expect(order).toEqual(['a', 'b-high', 'b-low', 'b-low-2']);
    await clock.advance(100);
    expect(order).toEqual(['a', 'b-high', 'b-low', 'b-low-2', 'c']);
    const ended = await Promise.all([...started.keys()].map((id) => scheduler.get(id)));
    for (const task of ended) {
      expect(started.get(task.id)).toBeGreaterThanOrEqual(task.scheduledAt);
      expect(task.dispatchedAt).toBeGreaterThanOrEqual(task.scheduledAt);
    }
    await scheduler.stop();
  });

  it('waits for the new time when the earliest task is moved later while armed, and runs early-moved tasks early', async () => {
    const { scheduler, clock, started } = kit();
    await scheduler.start();
    const later = await scheduler.schedule({ workId: 'record', delay: 100 });
    const other = await scheduler.schedule({ workId: 'record', delay: 500 });
    await clock.advance(50);
    await scheduler.update(later.id, { at: T0 + 1_000 });
    await scheduler.update(other.id, { delay: 10 });
    await clock.advance(9);
    expect(started.size).toBe(0);
    await clock.advance(1);
    expect(started.get(other.id)).toBe(T0 + 60);
    await clock.advance(939);
    expect(started.has(later.id)).toBe(false);
    await clock.advance(1);
    expect(started.get(later.id)).toBe(T0 + 1_000);
    await scheduler.stop();
  });

  it('drains overdue tasks at start in order without a timer per task', async () => {
    const repository = new HeapRepository();
    const { scheduler, clock } = kit({ repository, concurrency: 2 });
    await repository.add([
      newTask({ id: 'old-3', workId: 'record', param: 3, scheduledAt: T0 - 10 }),
      newTask({ id: 'old-1', workId: 'record', param: 1, scheduledAt: T0 - 1_000 }),
      newTask({ id: 'old-2', workId: 'record', param: 2, scheduledAt: T0 - 100 }),
      newTask({ id: 'future', workId: 'record', param: 4, scheduledAt: T0 + 10 }),
    ]);
    const order: unknown[] = [];
    scheduler.on('task:dispatched', ({ task }) => void order.push(task.param));
    await scheduler.start();
    await scheduler.idle();
    expect(order).toEqual([1, 2, 3]);
    expect(clock.now()).toBe(T0);
    await clock.advance(10);
    await scheduler.idle();
    expect(order).toEqual([1, 2, 3, 4]);
    await scheduler.stop();
  });

  it('fires a task 30 days ahead and one 10 years ahead exactly once, at their time', async () => {
    const { scheduler, clock, started } = kit();
    await scheduler.start();
    const day = 86_400_000;
    const month = await scheduler.schedule({ workId: 'record', delay: 30 * day });
    const decade = await scheduler.schedule({ workId: 'record', at: new Date(Date.UTC(2036, 0, 1)) });
    const runs: string[] = [];
    scheduler.on('task:dispatched', ({ task }) => void runs.push(task.id));
    await clock.advance(30 * day - 1);
    expect(runs).toEqual([]);
    await clock.advance(1);
    expect(started.get(month.id)).toBe(T0 + 30 * day);
    await clock.set(Date.UTC(2036, 0, 1) - 1);
    expect(runs).toEqual([month.id]);
    await clock.advance(1);
    expect(started.get(decade.id)).toBe(Date.UTC(2036, 0, 1));
    await clock.advance(365 * day);
    expect(runs).toEqual([month.id, decade.id]);
    await scheduler.stop();
  });

  it('never runs a task early when the wall clock jumps back', async () => {
    const { scheduler, clock, started } = kit();
    await scheduler.start();
    const task = await scheduler.schedule({ workId: 'record', delay: 1_000 });
    await clock.advance(500);
    await clock.set(T0 - 3_600_000);
    await clock.advance(3_600_000 + 999);
    expect(started.size).toBe(0);
    await clock.advance(1);
    expect(started.get(task.id)).toBe(T0 + 1_000);
    await scheduler.stop();
  });

  it('waits for a free worker before taking the next task; a time moved while the pool is full is honoured', async () => {
    const gates: Array<() => void> = [];
    const { scheduler, clock, started } = kit({
      concurrency: 1,
      works: (works, { clock: c, started: s }) =>
        works.register('hold', (_: null, { task }) => {
          s.set(task.id, c.now());
          return new Promise<void>((resolve) => gates.push(resolve));
        }),
    });
    await scheduler.start();
    const busy = await scheduler.schedule({ workId: 'hold', delay: 0 });
    const next = await scheduler.schedule({ workId: 'record', delay: 100 });
    await clock.tick();
    await clock.advance(100);
    expect(started.has(busy.id)).toBe(true);
    expect((await scheduler.get(next.id)).state).toBe(TaskState.Scheduled);
    await scheduler.update(next.id, { at: T0 + 5_000 });
    gates[0]?.();
    await clock.advance(0);
    expect(started.has(next.id)).toBe(false);
    await clock.advance(4_899);
    expect(started.has(next.id)).toBe(false);
    await clock.advance(1);
    expect(started.get(next.id)).toBe(T0 + 5_000);
    await scheduler.stop();
  });
});
