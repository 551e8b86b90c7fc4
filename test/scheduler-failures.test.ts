import { describe, expect, it } from 'vitest';
import { HeapRepository, Recovery, TaskState } from '../src/index.js';
import type { HookName, LoopHooks, Task, TaskRepository } from '../src/index.js';
import { codeOf, kit } from './helpers.js';

/** A real HeapRepository whose chosen methods fail on demand: store faults cannot be made real in memory. */
function faultyRepository(): { repository: TaskRepository; failNext: (method: keyof TaskRepository, times: number) => void } {
  const inner = new HeapRepository();
  const failures = new Map<string, number>();
  const repository = new Proxy(inner, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const left = failures.get(key as string) ?? 0;
        if (left > 0) {
          failures.set(key as string, left - 1);
          return Promise.reject(new Error(`store down: ${String(key)}`));
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { repository, failNext: (method, times) => failures.set(method, times) };
}

describe('Scheduler: failing work', () => {
  it('records throwing, rejecting and non-Error-throwing work as failed with name and message', async () => {
    const { scheduler, clock, events } = kit({
      concurrency: 2,
      works: (works) =>
        works
          .register('sync-throw', () => {
            throw new RangeError('sync boom');
          })
          .register('reject', () => Promise.reject(new TypeError('async boom')))
          .register('throw-string', () => {
            throw 'just a string';
          })
          .register('throw-undefined', () => {
            throw undefined;
          })
          .register('bigint-result', () => 10n),
    });
    await scheduler.start();
    const ids = await Promise.all(
      ['sync-throw', 'reject', 'throw-string', 'throw-undefined', 'bigint-result'].map(async (workId) => (await scheduler.schedule({ workId, delay: 0 })).id),
    );
    await clock.tick();
    await scheduler.idle();
    const ended = await Promise.all(ids.map((id) => scheduler.wait(id)));
    expect(ended.map((t) => [t.state, t.error?.name])).toEqual([
      [TaskState.Failed, 'RangeError'],
      [TaskState.Failed, 'TypeError'],
      [TaskState.Failed, 'NonErrorThrownError'],
      [TaskState.Failed, 'NonErrorThrownError'],
      [TaskState.Failed, 'InvalidResultError'],
    ]);
    expect(ended[0]?.error?.message).toBe('sync boom');
    const failed = events.filter(([name]) => name === 'task:failed').map(([, p]) => (p as { error: unknown }).error);
    expect(failed).toContain('just a string');
    // The pool is whole: a later task still runs.
    const after = await scheduler.schedule({ workId: 'record', param: 'still alive', delay: 0 });
    await clock.tick();
    expect((await scheduler.wait(after.id)).result).toBe('still alive');
    await scheduler.stop();
  });
});

describe('Scheduler: hooks', () => {
  const observePoints: HookName[] = ['onStart', 'onGetNext', 'onDispatch', 'onUpdate', 'onTaskEnded'];
  const behaviours = {
    throws: () => {
      throw new Error('hook threw');
    },
    rejects: () => Promise.reject(new Error('hook rejected')),
    hangs: () => new Promise<never>(() => undefined),
  };

  for (const point of observePoints) {
    for (const [behaviour, fn] of Object.entries(behaviours)) {
      it(`keeps running when ${point} ${behaviour}`, async () => {
        const hooks = { [point]: fn } as LoopHooks;
        const { scheduler, clock, events } = kit({ hooks, hookTimeout: 1_000 });
        // Nothing is awaited before the clock moves: a hung hook holds its caller for hookTimeout of fake time.
        const starting = scheduler.start();
        const scheduled = starting.then(() =>
          Promise.all([scheduler.schedule({ workId: 'record', param: 1, delay: 10 }), scheduler.schedule({ workId: 'record', param: 2, delay: 20 })]),
        );
        for (let i = 0; i < 10; i++) {
          await clock.tick();
          await clock.advance(1_000);
        }
        const [first, second] = await scheduled;
        expect((await scheduler.get(first.id)).state).toBe(TaskState.Done);
        expect((await scheduler.get(second.id)).state).toBe(TaskState.Done);
        const codes = events.filter(([name]) => name === 'loop:error').map(([, p]) => (p as { error: { code: string } }).error.code);
        expect(codes.length).toBeGreaterThan(0);
        expect(new Set(codes)).toEqual(new Set([behaviour === 'hangs' ? 'ERR_HOOK_TIMEOUT' : 'ERR_HOOK_FAILED']));
        await scheduler.stop();
      });
    }
  }

  it('calls observation hooks at every step, in order', async () => {
    const calls: string[] = [];
    const hooks: LoopHooks = {
      onStart: () => void calls.push('start'),
      onUpdate: ({ kind }) => void calls.push(`update:${kind}`),
      onGetNext: () => void calls.push('getNext'),
      onDispatch: () => void calls.push('dispatch'),
      onTaskEnded: ({ task }) => void calls.push(`ended:${task.state}`),
      onStop: () => void calls.push('stop'),
    };
    const { scheduler, clock } = kit({ hooks });
    await scheduler.start();
    const task = await scheduler.schedule({ workId: 'record', delay: 5 });
    await scheduler.update(task.id, { priority: 2 });
    await clock.advance(5);
    await scheduler.idle();
    const gone = await scheduler.schedule({ workId: 'record', delay: 5 });
    await scheduler.cancel(gone.id);
    await scheduler.stop();
    expect(calls).toEqual(['start', 'update:schedule', 'update:update', 'getNext', 'dispatch', 'ended:done', 'update:schedule', 'update:cancel', 'stop']);
  });

  it('composes several hook sets: all observers run, the first recovery decision wins', async () => {
    const calls: string[] = [];
    const { repository, failNext } = faultyRepository();
    const { scheduler, clock } = kit({
      repository,
      hooks: [
        { onDispatch: () => void calls.push('a'), onGetNextError: () => undefined },
        {
          onDispatch: () => {
            calls.push('b');
            throw new Error('b fails');
          },
          onGetNextError: () => {
            calls.push('decide');
            return Recovery.retry(5);
          },
        },
        { onDispatch: () => void calls.push('c'), onGetNextError: () => Recovery.stop },
      ],
    });
    await scheduler.start();
    failNext('claimDue', 1);
    const task = await scheduler.schedule({ workId: 'record', delay: 0 });
    await clock.tick();
    await clock.advance(5);
    expect((await scheduler.wait(task.id)).state).toBe(TaskState.Done);
    expect(calls).toEqual(['decide', 'a', 'b', 'c']);
    expect(scheduler.state).toBe('running');
    await scheduler.stop();
  });

  it('never loses a wake-up when a recovery hook swallows claim errors (continue)', async () => {
    const { repository, failNext } = faultyRepository();
    const { scheduler, clock, events } = kit({ repository, retryDelay: 100, hooks: { onGetNextError: () => Recovery.continue } });
    await scheduler.start();
    failNext('claimDue', 3);
    const task = await scheduler.schedule({ workId: 'record', delay: 0 });
    await clock.tick();
    for (let i = 0; i < 3; i++) await clock.advance(100);
    expect((await scheduler.wait(task.id)).state).toBe(TaskState.Done);
    expect(events.filter(([n]) => n === 'loop:error')).toHaveLength(3);
    await scheduler.stop();
  });

  it('retries claim errors after retryDelay by default', async () => {
    const { repository, failNext } = faultyRepository();
    const { scheduler, clock } = kit({ repository, retryDelay: 250 });
    await scheduler.start();
    failNext('claimDue', 2);
    const task = await scheduler.schedule({ workId: 'record', delay: 0 });
    await clock.advance(249);
    expect((await scheduler.get(task.id)).state).toBe(TaskState.Scheduled);
    await clock.advance(251);
    expect((await scheduler.wait(task.id)).state).toBe(TaskState.Done);
    await scheduler.stop();
  });

  it('stops the loop with the error when a recovery hook says stop, and keeps the task', async () => {
    const { repository, failNext } = faultyRepository();
    const stopped: unknown[] = [];
    const { scheduler, clock } = kit({ repository, hooks: { onGetNextError: () => Recovery.stop, onStop: ({ error }) => void stopped.push(error) } });
    await scheduler.start();
    failNext('claimDue', 1);
    const task = await scheduler.schedule({ workId: 'record', delay: 0 });
    await clock.tick();
    await clock.tick();
    expect(scheduler.state).toBe('stopped');
    expect((stopped[0] as Error).message).toBe('store down: claimDue');
    expect((await scheduler.get(task.id)).state).toBe(TaskState.Scheduled);
    await scheduler.start();
    await clock.tick();
    expect((await scheduler.wait(task.id)).state).toBe(TaskState.Done);
    await scheduler.stop();
  });

  it('retries storing an outcome until the store comes back, then reports it', async () => {
    const { repository, failNext } = faultyRepository();
    const attempts: number[] = [];
    const { scheduler, clock } = kit({ repository, retryDelay: 50, hooks: { onTaskEndedError: ({ attempt }) => void attempts.push(attempt) } });
    await scheduler.start();
    failNext('complete', 3);
    const task = await scheduler.schedule({ workId: 'record', param: 'kept', delay: 0 });
    await clock.tick();
    for (let i = 0; i < 3; i++) await clock.advance(50);
    const ended: Task = await scheduler.wait(task.id);
    expect(ended).toMatchObject({ state: TaskState.Done, result: 'kept' });
    expect(attempts).toEqual([1, 2, 3]);
    await scheduler.stop();
  });

  it('records a task the dispatcher refuses as failed (default continue), or retries it when asked', async () => {
    const { scheduler, clock, works } = kit({ hooks: { onDispatchError: ({ attempt }) => (attempt < 2 ? Recovery.retry(10) : undefined) } });
    works.register('vanishing', () => 1);
    await scheduler.start();
    // A dispatcher that refuses: make the pool's work lookup fail by scheduling a work it knows,
    // then pretending it does not by dispatching a task whose work id is gone.
    const task = await scheduler.schedule({ workId: 'vanishing', delay: 0 });
    (works as unknown as { get: (id: string) => unknown }).get = () => {
      throw new Error('dispatch refused');
    };
    await clock.tick();
    await clock.advance(10);
    const ended = await scheduler.wait(task.id);
    expect(ended.state).toBe(TaskState.Failed);
    expect(ended.error?.message).toBe('dispatch refused');
    await scheduler.stop();
  });
});

describe('Scheduler: listeners', () => {
  it('reports throwing and rejecting listeners as loop:error and keeps going', async () => {
    const { scheduler, clock, events } = kit();
    scheduler.on('task:done', () => {
      throw new Error('listener threw');
    });
    scheduler.on('task:dispatched', () => Promise.reject(new Error('listener rejected')));
    const afterThrower: string[] = [];
    scheduler.on('task:done', ({ task }) => void afterThrower.push(task.id));
    scheduler.on('loop:error', () => {
      throw new Error('even the error listener throws');
    });
    await scheduler.start();
    const task = await scheduler.schedule({ workId: 'record', delay: 0 });
    await clock.tick();
    expect((await scheduler.wait(task.id)).state).toBe(TaskState.Done);
    await clock.tick();
    expect(afterThrower).toEqual([task.id]);
    const codes = events.filter(([n]) => n === 'loop:error').map(([, p]) => (p as { error: { code: string } }).error.code);
    expect(codes.sort()).toEqual(['ERR_LISTENER_FAILED', 'ERR_LISTENER_FAILED']);
    await scheduler.stop();
  });

  it('supports once and off', async () => {
    const { scheduler, clock } = kit();
    const once: string[] = [];
    const off: string[] = [];
    const listener = ({ task }: { task: Task }): void => void off.push(task.id);
    scheduler.once('task:done', ({ task }) => void once.push(task.id));
    scheduler.on('task:done', listener);
    scheduler.off('task:done', listener);
    await scheduler.start();
    await scheduler.scheduleMany([{ workId: 'record', delay: 0 }, { workId: 'record', delay: 0 }]);
    await clock.tick();
    await scheduler.idle();
    expect(once).toHaveLength(1);
    expect(off).toHaveLength(0);
    await scheduler.stop();
  });

  it('retries a caller write (schedule, update, cancel) that onUpdateError asks to retry', async () => {
    const { repository, failNext } = faultyRepository();
    const seen: Array<[string, string, number]> = [];
    const { scheduler, clock, events } = kit({
      repository,
      hooks: { onUpdateError: ({ kind, taskId, attempt }) => (seen.push([kind, taskId, attempt]), attempt < 2 ? Recovery.retry(10) : undefined) },
    });
    failNext('add', 1);
    const adding = scheduler.schedule({ id: 'a', workId: 'record', delay: 1_000 });
    await clock.tick();
    await clock.advance(10);
    expect((await adding).state).toBe(TaskState.Scheduled);
    failNext('update', 1);
    const updating = scheduler.update('a', { param: 'changed' });
    await clock.tick();
    await clock.advance(10);
    expect((await updating).param).toBe('changed');
    failNext('cancel', 1);
    const cancelling = scheduler.cancel('a');
    await clock.tick();
    await clock.advance(10);
    expect(await cancelling).toBe(true);
    expect(seen).toEqual([
      ['schedule', 'a', 1],
      ['update', 'a', 1],
      ['cancel', 'a', 1],
    ]);
    expect(events.filter(([n]) => n === 'loop:error')).toHaveLength(3);
    expect((await scheduler.get('a')).state).toBe(TaskState.Cancelled);
  });

  it('rejects a caller write with the store error by default, writing nothing, and stops on stop', async () => {
    const { repository, failNext } = faultyRepository();
    const { scheduler } = kit({ repository, hooks: { onUpdateError: ({ kind }) => (kind === 'cancel' ? Recovery.stop : undefined) } });
    await scheduler.start();
    await scheduler.schedule({ id: 'a', workId: 'record', delay: 1_000 });
    failNext('update', 1);
    await expect(scheduler.update('a', { param: 'lost' })).rejects.toThrow('store down: update');
    expect((await scheduler.get('a')).param).toBe(null);
    failNext('add', 1);
    await expect(scheduler.schedule({ id: 'b', workId: 'record', delay: 0 })).rejects.toThrow('store down: add');
    expect(await codeOf(scheduler.get('b'))).toBe('ERR_TASK_NOT_FOUND');
    failNext('cancel', 1);
    await expect(scheduler.cancel('a')).rejects.toThrow('store down: cancel');
    expect((await scheduler.get('a')).state).toBe(TaskState.Scheduled);
    await scheduler.idle();
    expect(scheduler.state).toBe('stopped');
  });

  it('answers a typed refusal at once, without onUpdateError', async () => {
    const calls: string[] = [];
    const { scheduler } = kit({ hooks: { onUpdateError: ({ kind }) => void calls.push(kind) } });
    await scheduler.schedule({ id: 'a', workId: 'record', delay: 1_000 });
    expect(await codeOf(scheduler.schedule({ id: 'a', workId: 'record', delay: 0 }))).toBe('ERR_DUPLICATE_ID');
    expect(await codeOf(scheduler.cancel('missing'))).toBe('ERR_TASK_NOT_FOUND');
    expect(await codeOf(scheduler.update('missing', { param: 1 }))).toBe('ERR_TASK_NOT_FOUND');
    expect(calls).toEqual([]);
  });
});
