import { afterEach } from 'vitest';
import { WorkerThreadDispatcher } from '../src/worker-threads.js';
import type { WorkerThreadDispatcherOptions } from '../src/worker-threads.js';
import type { DispatchHandle, Task, WorkOutcome } from '../src/index.js';
import { dispatchedTask } from '../src/testing/index.js';

/** The works module of these tests (test/fixtures/worker-threads/works.mjs). */
export const works = new URL('./fixtures/worker-threads/works.mjs', import.meta.url);
export const broken = (name: string): URL => new URL(`./fixtures/worker-threads/broken/${name}.mjs`, import.meta.url);
export const never: AbortSignal = new AbortController().signal;

const opened: WorkerThreadDispatcher[] = [];

/** Creates a dispatcher whose threads are closed after the test. */
export async function open(options: WorkerThreadDispatcherOptions): Promise<WorkerThreadDispatcher> {
  const dispatcher = await WorkerThreadDispatcher.create(options);
  opened.push(dispatcher);
  return dispatcher;
}

afterEach(async () => {
  for (const dispatcher of opened.splice(0)) await dispatcher.close();
});

/** Waits for a free thread and hands it a task of `workId`. */
export async function start(dispatcher: WorkerThreadDispatcher, workId: string, param: unknown = null, signal: AbortSignal = never): Promise<DispatchHandle> {
  await dispatcher.ready(never);
  const task = dispatchedTask(workId, param as Task['param']);
  return dispatcher.dispatch(task, { signal, task, parents: [] });
}

/** Like `start`, and waits for the outcome. */
export async function run(dispatcher: WorkerThreadDispatcher, workId: string, param: unknown = null, signal: AbortSignal = never): Promise<WorkOutcome> {
  return await (await start(dispatcher, workId, param, signal)).done;
}

/** Whether `promise` has settled after the pending jobs ran (it cannot settle later without an outside event). */
export async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}
