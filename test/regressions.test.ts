import { describe, expect, it } from 'vitest';
import { every, HeapRepository, TaskState } from '../src/index.js';
import type { TaskRepository } from '../src/index.js';
import { newTask } from '../src/testing/index.js';
import { codeOf, kit } from './helpers.js';

/** Bugs found in review, each pinned by the test that would have caught it. */
describe('regressions', () => {
  it('stop() right after an unawaited start() leaves the scheduler stopped', async () => {
    const { scheduler } = kit();
    void scheduler.start();
    await scheduler.stop();
    expect(scheduler.state).toBe('stopped');
  });

  it('a forced stop during a batch hand-off starts none of the rest of the batch and does not hang', async () => {
    const started: string[] = [];
    const { scheduler, clock } = kit({
      concurrency: 3,
      works: (works) => works.register('deaf', (_: null, { task }) => (started.push(task.id), new Promise(() => undefined))),
      hooks: { onDispatch: () => new Promise<void>(() => undefined) },
      hookTimeout: 60_000,
    });
    await scheduler.start();
    const tasks = await scheduler.scheduleMany([0, 1, 2].map(() => ({ workId: 'deaf', delay: 0 })));
    await clock.tick();
    expect(started).toHaveLength(1);
    // The loop is inside the hung hook; a stop waits for it at most hookTimeout.
    const stopping = scheduler.stop({ force: true });
    await clock.advance(60_000);
    await stopping;
    for (const task of tasks) expect((await scheduler.get(task.id)).state).toBe(TaskState.Failed);
    expect(started).toHaveLength(1);
  });

  it('a forced stop ends even while the store keeps refusing the outcome', async () => {
    const inner = new HeapRepository();
    let down = false;
    const repository = new Proxy(inner, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (key === 'complete') return (...args: unknown[]) => (down ? Promise.reject(new Error('store down')) : (value as (...a: unknown[]) => unknown).apply(target, args));
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    }) as TaskRepository;
    const { scheduler, clock } = kit({ repository, retryDelay: 1_000 });
    await scheduler.start();
    down = true;
    const task = await scheduler.schedule({ workId: 'record', delay: 0 });
    const waiting = scheduler.wait(task.id);
    await clock.tick();
    await clock.advance(3_000);
    await scheduler.stop({ force: true });
    expect(scheduler.state).toBe('stopped');
    expect(await codeOf(waiting)).not.toBe('resolved');
  });

  it('pause() while the loop waits for a worker claims nothing when the worker frees', async () => {
    let release!: () => void;
    const { scheduler, clock, started } = kit({ works: (works) => works.register('hold', () => new Promise<void>((resolve) => (release = resolve))) });
    await scheduler.start();
    await scheduler.schedule({ workId: 'hold', delay: 0 });
    const next = await scheduler.schedule({ workId: 'record', delay: 0 });
    await clock.tick();
    scheduler.pause();
    release();
    await clock.advance(1_000);
    expect(started.has(next.id)).toBe(false);
    scheduler.resume();
    await clock.tick();
    expect(started.has(next.id)).toBe(true);
    await scheduler.stop();
  });

  it('retention never forgets a later task that reused a removed id', async () => {
    const repo = new HeapRepository({ retention: { maxEnded: 1 } });
    await repo.add([newTask({ id: 'x', scheduledAt: 0 })]);
    await repo.claimDue(0, 1, 'p');
    await repo.complete('x', { state: TaskState.Done, result: 1 }, 5);
    await repo.remove('x');
    await repo.add([newTask({ id: 'x', scheduledAt: 0 }), newTask({ id: 'y', scheduledAt: 0 })]);
    await repo.claimDue(0, 2, 'p');
    await repo.complete('y', { state: TaskState.Done, result: 2 }, 6);
    expect((await repo.get('x'))?.state).toBe(TaskState.Dispatched);
  });

  it('remove(seriesId) settles the wait() of the occurrences it deletes', async () => {
    const { scheduler } = kit();
    const first = await scheduler.schedule({ id: 's', workId: 'record', schedule: every(60_000) });
    const waiting = scheduler.wait(first.id);
    expect(await scheduler.remove('s')).toBe(true);
    expect(await codeOf(waiting)).toBe('ERR_TASK_NOT_FOUND');
  });

  it('per-work defaults reach a dispatcher that only wraps the pool', async () => {
    const { scheduler, works } = kit();
    works.register('defaulted', () => 1, { retry: { attempts: 4 }, timeout: 900 });
    const task = await scheduler.schedule({ workId: 'defaulted', delay: 10 });
    expect(task).toMatchObject({ retry: { attempts: 4 }, timeout: 900 });
    expect(() => works.register('too-long', () => 1, { timeout: 2 ** 31 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
