/**
 * The dispatcher contract suite, unchanged, on WorkerThreadDispatcher with real worker threads.
 *
 * Two things stand between the suite and a module-based dispatcher, and this file bridges both:
 * - The suite's works are closures over each test's state, which cannot run in a thread. The works
 *   module test/fixtures/worker-threads/contract-bridge.mjs exports one work per registered id that
 *   runs the suite's function on the main thread (over a BroadcastChannel), so the tasks still go
 *   through the real pool: threads, their busy count, abort relay and outcome transport.
 * - The suite's factory is synchronous, while `WorkerThreadDispatcher.create()` is not (the threads
 *   read the module's works). `Creating` is a dispatcher that waits for `create()` in `ready()` and
 *   `dispatch()`; only `supports()` asked before the dispatcher exists is answered from the
 *   registry (the real `supports()` is checked against it below, and in worker-thread-dispatcher.test.ts).
 * - The suite looks for a work's effects on the main thread right after `dispatch()` (one
 *   `flush()` later, "never runs more than concurrency" counts running works). A thread starts the
 *   work at once, but its call reaches the main thread a moment later; so `Creating.dispatch()`
 *   resolves once the bridged call has arrived (or the task ended without one).
 */
import { BroadcastChannel } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { WorkerThreadDispatcher } from '../src/worker-threads.js';
import { WorkRegistry } from '../src/index.js';
import type { DispatchHandle, Dispatcher, Task, WorkContext, WorkSettings } from '../src/index.js';
import { dispatcherContract } from '../src/testing/index.js';

const bridge = new URL('./fixtures/worker-threads/contract-bridge.mjs', import.meta.url);
const open: Array<{ dispatcher: Promise<WorkerThreadDispatcher>; channel: BroadcastChannel }> = [];
/** Resolved when the bridged work of a task id has been called on this thread. */
const calls = new Map<string, { promise: Promise<void>; resolve: () => void }>();
function called(taskId: string): { promise: Promise<void>; resolve: () => void } {
  let call = calls.get(taskId);
  if (call === undefined) {
    let resolve!: () => void;
    call = { promise: new Promise<void>((r) => (resolve = r)), resolve: () => resolve() };
    calls.set(taskId, call);
  }
  return call;
}
let channels = 0;

interface BridgeMessage {
  readonly kind: 'call' | 'abort' | 'settled';
  readonly call: string;
  readonly workId?: string;
  readonly task?: Task;
  readonly reason?: unknown;
}

/** Serves the bridge module's calls with `works` on this thread, and creates the dispatcher on it. */
function bridged(works: WorkRegistry, concurrency: number): Promise<WorkerThreadDispatcher> {
  const name = `kokugen-contract-${process.pid}-${++channels}`;
  const channel = new BroadcastChannel(name);
  const running = new Map<string, AbortController>();
  channel.onmessage = (event: unknown) => {
    const message = (event as { data: BridgeMessage }).data;
    if (message.kind === 'abort') running.get(message.call)?.abort(message.reason);
    if (message.kind !== 'call') return;
    const controller = new AbortController();
    running.set(message.call, controller);
    const task = message.task as Task;
    const settle = (ok: boolean, value: unknown): void => {
      running.delete(message.call);
      channel.postMessage({ kind: 'settled', call: message.call, ok, value });
    };
    Promise.resolve()
      .then(() => {
        called(task.id).resolve();
        return works.get(message.workId as string)(task.param, { signal: controller.signal, task, parents: [] });
      })
      .then(
        (value) => settle(true, value),
        (error: unknown) => settle(false, error),
      );
  };
  const module = new URL(bridge);
  module.searchParams.set('channel', name);
  module.searchParams.set('ids', JSON.stringify(works.ids()));
  const dispatcher = WorkerThreadDispatcher.create({ module, concurrency });
  open.push({ dispatcher, channel });
  return dispatcher;
}

/** A dispatcher while `create()` runs: waits for it in every asynchronous method. */
class Creating implements Dispatcher {
  readonly #creating: Promise<WorkerThreadDispatcher>;
  readonly #works: WorkRegistry;
  #created: WorkerThreadDispatcher | undefined;

  constructor(creating: Promise<WorkerThreadDispatcher>, works: WorkRegistry) {
    this.#creating = creating;
    this.#works = works;
    creating.then(
      (dispatcher) => (this.#created = dispatcher),
      () => undefined,
    );
  }

  supports(workId: string): boolean {
    return this.#created?.supports(workId) ?? this.#works.has(workId);
  }

  async ready(signal: AbortSignal): Promise<number> {
    return (await this.#creating).ready(signal);
  }

  async dispatch(task: Task, context: WorkContext): Promise<DispatchHandle> {
    const handle = await (await this.#creating).dispatch(task, context);
    await Promise.race([called(task.id).promise, handle.done]);
    return handle;
  }

  capacities(): ReadonlyMap<string, number> | undefined {
    return this.#created?.capacities();
  }

  workDefaults(workId: string): WorkSettings | undefined {
    return this.#created?.workDefaults(workId);
  }
}

afterEach(async () => {
  calls.clear();
  const closing = open.splice(0);
  for (const { dispatcher, channel } of closing) {
    channel.close();
    await (await dispatcher.catch(() => undefined))?.close();
  }
});

dispatcherContract('WorkerThreadDispatcher (works bridged to the main thread)', (options) => new Creating(bridged(options.works, options.concurrency), options.works));

describe('the bridge', () => {
  it('gives the real dispatcher the registry works, so the stand-in supports() says what it would', async () => {
    const works = new WorkRegistry().register('a', () => 1).register('wait-abort', () => 2);
    const dispatcher = await bridged(works, 1);
    expect(dispatcher.workIds).toEqual(['a', 'wait-abort']);
    expect([dispatcher.supports('a'), dispatcher.supports('wait-abort'), dispatcher.supports('b')]).toEqual([true, true, false]);
  });
});
