/**
 * WorkerThreadDispatcher: stopping works in their threads. The abort reaches the work's signal in
 * its thread; a work that ignores it is terminated `abortGrace` later (on a FakeClock, so the grace
 * passes when the test says), and the pool keeps its size. Real worker threads: the tests wait on
 * their replies and on termination, never assert a duration.
 */
import { describe, expect, it } from 'vitest';
import { AbortedError, HeapRepository, Scheduler, TaskState, WorkTimeoutError } from '../src/index.js';
import { FakeClock } from '../src/testing/index.js';
import { track } from './setup/leak-guard.js';
import { never, open, run, settled, start, works } from './worker-threads.js';

const grace = 1_000;

async function threads(concurrency = 1): Promise<{ dispatcher: Awaited<ReturnType<typeof open>>; clock: FakeClock }> {
  const clock = new FakeClock(0);
  return { dispatcher: await open({ module: works, concurrency, abortGrace: grace, clock }), clock };
}

describe('WorkerThreadDispatcher: abort', () => {
  it('aborts the signal of an async work in its thread; the work stops and its thread serves on', async () => {
    const { dispatcher, clock } = await threads();
    const thread = await run(dispatcher, 'threadId');
    const controller = new AbortController();
    const waiting = await start(dispatcher, 'waitAbort', null, controller.signal);
    const reason = new AbortedError('stop it');
    controller.abort(reason);
    expect(await waiting.done).toEqual({ ok: false, error: reason });
    expect(clock.pending).toBe(0);
    expect(await run(dispatcher, 'threadId')).toEqual(thread);
  });

  it('lets a CPU-bound loop see the abort through signal.aborted without yielding', async () => {
    const { dispatcher, clock } = await threads();
    const thread = await run(dispatcher, 'threadId');
    const controller = new AbortController();
    const spinning = await start(dispatcher, 'spinChecking', null, controller.signal);
    const reason = new Error('enough');
    controller.abort(reason);
    expect(await spinning.done).toEqual({ ok: false, error: reason });
    expect(clock.pending).toBe(0);
    expect(await run(dispatcher, 'threadId')).toEqual(thread);
  });

  it('terminates the thread of a work that ignores the abort once abortGrace has passed, and replaces it', async () => {
    const { dispatcher, clock } = await threads();
    const thread = await run(dispatcher, 'threadId');
    const controller = new AbortController();
    const spinning = await start(dispatcher, 'spinForever', null, controller.signal);
    const reason = new Error('stop spinning');
    controller.abort(reason);
    await clock.advance(grace - 1);
    expect(await settled(spinning.done)).toBe(false);
    expect(dispatcher.running).toBe(1);
    await clock.advance(1);
    expect(await spinning.done).toEqual({ ok: false, error: reason });
    expect(dispatcher.running).toBe(0);
    const replaced = await run(dispatcher, 'threadId');
    expect(replaced.ok).toBe(true);
    expect(replaced).not.toEqual(thread);
  });

  it('aborts a work whose signal is aborted before it starts', async () => {
    const { dispatcher } = await threads();
    const reason = new Error('too late');
    expect(await run(dispatcher, 'waitAbort', null, AbortSignal.abort(reason))).toEqual({ ok: false, error: reason });
  });

  it('keeps the pool at its size: after terminating both threads, two works still run at once', async () => {
    const { dispatcher, clock } = await threads(2);
    const controller = new AbortController();
    const spinning = [await start(dispatcher, 'spinForever', null, controller.signal), await start(dispatcher, 'spinForever', null, controller.signal)];
    controller.abort(new Error('stop both'));
    await clock.advance(grace);
    await Promise.all(spinning.map((handle) => handle.done));
    expect(await dispatcher.ready(never)).toBe(2);
    // Each 'meet' finishes only once the other runs at the same time.
    const name = `meet-${process.pid}-${Date.now()}`;
    const meetings = [await start(dispatcher, 'meet', { name, parties: 2 }), await start(dispatcher, 'meet', { name, parties: 2 })];
    const met = await Promise.all(meetings.map((handle) => handle.done));
    expect(met.every((outcome) => outcome.ok)).toBe(true);
    expect(met[0]).not.toEqual(met[1]);
  });
});

describe('WorkerThreadDispatcher under a Scheduler: timeouts, abort() and forced stops', () => {
  async function kit(concurrency = 1): Promise<{ scheduler: Scheduler; clock: FakeClock; dispatcher: Awaited<ReturnType<typeof open>> }> {
    const { dispatcher, clock } = await threads(concurrency);
    const scheduler = track(new Scheduler({ repository: new HeapRepository(), dispatcher, clock }));
    await scheduler.start();
    return { scheduler, clock, dispatcher };
  }

  it('fails a timed-out work with ERR_TIMEOUT at once, terminates it past the grace, and runs the next task', async () => {
    const { scheduler, clock, dispatcher } = await kit();
    const failed = new Promise<unknown>((resolve) => scheduler.once('task:failed', ({ error }) => resolve(error)));
    const spinning = await scheduler.schedule({ workId: 'spinForever', delay: 0, timeout: 100 });
    const next = await scheduler.schedule({ workId: 'double', param: 5, delay: 0 });
    await clock.tick();
    await clock.advance(100);
    expect(await failed).toBeInstanceOf(WorkTimeoutError);
    const ended = await scheduler.wait(spinning.id);
    expect([ended.state, ended.error?.name]).toEqual([TaskState.Failed, 'WorkTimeoutError']);
    expect(dispatcher.running).toBe(1);
    expect((await scheduler.get(next.id)).state).toBe(TaskState.Scheduled);
    await clock.advance(grace);
    expect((await scheduler.wait(next.id)).result).toBe(10);
    await scheduler.stop();
  });

  it('abort() fails the task with ERR_ABORTED, and the work stops in its thread, which serves on', async () => {
    const { scheduler, clock } = await kit();
    const runOne = async (workId: string): Promise<unknown> => (await scheduler.wait((await scheduler.schedule({ workId, delay: 0 })).id)).result;
    const thread = await runOne('threadId');
    const waiting = await scheduler.schedule({ workId: 'waitAbort', delay: 0 });
    await clock.tick();
    expect(await scheduler.abort(waiting.id)).toBe(true);
    const ended = await scheduler.wait(waiting.id);
    expect([ended.state, ended.error?.name]).toEqual([TaskState.Failed, 'AbortedError']);
    expect(await runOne('threadId')).toBe(thread);
    expect(clock.pending).toBe(0);
    await scheduler.stop();
  });

  it('stop({ force: true }) fails running works with ERR_ABORTED; close() then ends the threads', async () => {
    const { scheduler, clock, dispatcher } = await kit(2);
    const tasks = [await scheduler.schedule({ workId: 'spinForever', delay: 0 }), await scheduler.schedule({ workId: 'waitAbort', delay: 0 })];
    await clock.tick();
    expect(scheduler.running).toBe(2);
    await scheduler.stop({ force: true });
    for (const task of tasks) {
      const ended = await scheduler.get(task.id);
      expect([ended.state, ended.error?.name]).toEqual([TaskState.Failed, 'AbortedError']);
    }
    await dispatcher.close();
    expect(dispatcher.running).toBe(0);
  });
});
