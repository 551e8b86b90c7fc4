import type { DispatchHandle, Dispatcher } from '../dispatcher/dispatcher.js';
import { WorkRegistry } from '../dispatcher/work-registry.js';
import type { WorkContext } from '../dispatcher/dispatcher.js';
import type { Task } from '../task/task.js';
import { TaskState } from '../task/task.js';
import { expect } from './expect.js';
import { flush } from './fake-clock.js';
import { resolveFramework } from './framework.js';
import type { TestFramework } from './framework.js';

/** Builds the dispatcher under test around the given works, running at most `concurrency` at once. */
export type DispatcherFactory = (options: { readonly works: WorkRegistry; readonly concurrency: number }) => Dispatcher;

/** A promise with its resolve and reject, to hold work open until a test lets it go. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

let ids = 0;

/** A dispatched task, as the Scheduler would hand it over. */
export function dispatchedTask(workId: string, param: Task['param'] = null): Task {
  return Object.freeze({
    id: `d-${++ids}`,
    workId,
    param,
    scheduledAt: 0,
    priority: 0,
    seq: ids,
    meta: {},
    state: TaskState.Dispatched,
    createdAt: 0,
    dispatchedAt: 0,
    endedAt: null,
    result: null,
    error: null,
    attempt: 1,
    owner: 'contract',
    recovered: false,
    seriesId: null,
    retry: null,
    timeout: null,
    deadline: null,
    errors: [],
    flowId: null,
    dependsOn: null,
    key: null,
    keyHeld: null,
  });
}

/**
 * The behaviour every Dispatcher must have; runs unchanged on every implementation. `framework` as
 * for `repositoryContract`.
 */
export function dispatcherContract(name: string, create: DispatcherFactory, framework?: TestFramework): void {
  const { describe, it } = resolveFramework(framework, 'dispatcherContract');
  describe(`Dispatcher contract: ${name}`, () => {
    const never = new AbortController().signal;
    const start = async (dispatcher: Dispatcher, task: Task, signal = never): Promise<DispatchHandle> => {
      await dispatcher.ready(never);
      return await dispatcher.dispatch(task, { signal, task, parents: [] });
    };
    /** Hands a task over without waiting for ready(): the cases that test refusals and free counts. */
    const handOver = (dispatcher: Dispatcher, task: Task): DispatchHandle | Promise<DispatchHandle> => dispatcher.dispatch(task, { signal: never, task, parents: [] });
    const codeOf = async (run: () => unknown): Promise<unknown> => {
      try {
        await run();
      } catch (error) {
        return (error as { code?: unknown }).code;
      }
      return 'resolved';
    };

    it('says which works it supports', () => {
      const dispatcher = create({ works: new WorkRegistry().register('a', () => 1), concurrency: 1 });
      expect(dispatcher.supports('a')).toBe(true);
      expect(dispatcher.supports('b')).toBe(false);
    });

    it('runs the work with its param, the task and a signal, and settles with the result', async () => {
      const seen: Array<{ param: unknown; context: WorkContext }> = [];
      const works = new WorkRegistry().register('echo', async (param: { n: number }, context) => {
        seen.push({ param, context });
        return { doubled: param.n * 2 };
      });
      const dispatcher = create({ works, concurrency: 2 });
      const task = dispatchedTask('echo', { n: 21 });
      const handle = await start(dispatcher, task);
      expect(await handle.done).toEqual({ ok: true, result: { doubled: 42 } });
      expect(seen[0]?.param).toEqual({ n: 21 });
      expect(seen[0]?.context.task.id).toBe(task.id);
      expect(seen[0]?.context.signal).toBeInstanceOf(AbortSignal);
    });

    it('reports how many workers are free', async () => {
      const gate = deferred();
      const dispatcher = create({ works: new WorkRegistry().register('hold', () => gate.promise), concurrency: 3 });
      expect(await dispatcher.ready(never)).toBe(3);
      const handle = await handOver(dispatcher, dispatchedTask('hold'));
      expect(await dispatcher.ready(never)).toBe(2);
      gate.resolve();
      await handle.done;
    });

    it('never runs more than concurrency at once, and ready() waits for a free worker', async () => {
      const gates = [deferred(), deferred(), deferred()];
      let active = 0;
      let peak = 0;
      const works = new WorkRegistry().register('hold', async (i: number) => {
        active++;
        peak = Math.max(peak, active);
        await gates[i]?.promise;
        active--;
      });
      const dispatcher = create({ works, concurrency: 2 });
      const first = await start(dispatcher, dispatchedTask('hold', 0));
      await start(dispatcher, dispatchedTask('hold', 1));
      let readyAgain = false;
      const ready = dispatcher.ready(never).then(() => (readyAgain = true));
      await flush();
      expect(readyAgain).toBe(false);
      gates[0]?.resolve();
      await first.done;
      await ready;
      expect(readyAgain).toBe(true);
      const third = await handOver(dispatcher, dispatchedTask('hold', 2));
      gates[1]?.resolve();
      gates[2]?.resolve();
      await third.done;
      expect(peak).toBe(2);
    });

    it('refuses a task while full with ERR_POOL_FULL', async () => {
      const gate = deferred();
      const dispatcher = create({ works: new WorkRegistry().register('hold', () => gate.promise), concurrency: 1 });
      const held = await start(dispatcher, dispatchedTask('hold'));
      expect(await codeOf(() => handOver(dispatcher, dispatchedTask('hold')))).toBe('ERR_POOL_FULL');
      gate.resolve();
      await held.done;
    });

    it('refuses an unknown work with ERR_UNKNOWN_WORK', async () => {
      const dispatcher = create({ works: new WorkRegistry(), concurrency: 1 });
      await dispatcher.ready(never);
      expect(await codeOf(() => handOver(dispatcher, dispatchedTask('nope')))).toBe('ERR_UNKNOWN_WORK');
      expect(await dispatcher.ready(never)).toBe(1);
    });

    it('settles throwing, rejecting and non-Error-throwing work as failures without shrinking the pool', async () => {
      const thrown: unknown[] = [new Error('sync'), new TypeError('async'), 'a string', undefined, 42];
      const works = new WorkRegistry()
        .register('sync', () => {
          throw thrown[0];
        })
        .register('async', async () => {
          await flush();
          throw thrown[1];
        })
        .register('value', (i: number) => {
          throw thrown[i];
        });
      const dispatcher = create({ works, concurrency: 2 });
      const outcomes = [];
      outcomes.push(await (await start(dispatcher, dispatchedTask('sync'))).done);
      outcomes.push(await (await start(dispatcher, dispatchedTask('async'))).done);
      for (const i of [2, 3, 4]) outcomes.push(await (await start(dispatcher, dispatchedTask('value', i))).done);
      expect(outcomes).toEqual(thrown.map((error) => ({ ok: false, error })));
      expect(await dispatcher.ready(never)).toBe(2);
    });

    it('aborts running work through the signal it was given', async () => {
      const works = new WorkRegistry().register('wait-abort', (_: null, { signal }) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))));
      const dispatcher = create({ works, concurrency: 1 });
      const controller = new AbortController();
      const handle = await start(dispatcher, dispatchedTask('wait-abort'), controller.signal);
      const reason = new Error('stop now');
      controller.abort(reason);
      expect(await handle.done).toEqual({ ok: false, error: reason });
      expect(await dispatcher.ready(never)).toBe(1);
    });

    it('rejects a waiting ready() when its signal aborts', async () => {
      const gate = deferred();
      const dispatcher = create({ works: new WorkRegistry().register('hold', () => gate.promise), concurrency: 1 });
      const held = await start(dispatcher, dispatchedTask('hold'));
      const controller = new AbortController();
      const waiting = dispatcher.ready(controller.signal);
      const reason = new Error('stopping');
      controller.abort(reason);
      await expect(waiting).rejects.toBe(reason);
      await expect(dispatcher.ready(controller.signal)).rejects.toBe(reason);
      gate.resolve();
      await held.done;
      expect(await dispatcher.ready(never)).toBe(1);
    });
  });
}
