import { describe, expect, it } from 'vitest';
import { HeapRepository, TaskState } from '../src/index.js';
import { newTask } from '../src/testing/index.js';
import { codeOf, kit, T0 } from './helpers.js';

describe('Scheduler lifecycle', () => {
  it('stop() dispatches nothing more and waits for running work to finish', async () => {
    let release!: () => void;
    const { scheduler, clock, started } = kit({
      works: (works) => works.register('hold', () => new Promise<string>((resolve) => (release = () => resolve('finished')))),
    });
    await scheduler.start();
    const running = await scheduler.schedule({ workId: 'hold', delay: 0 });
    const later = await scheduler.schedule({ workId: 'record', delay: 10 });
    await clock.tick();
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    expect(scheduler.state).toBe('stopping');
    await clock.advance(100);
    expect(stopped).toBe(false);
    expect(started.has(later.id)).toBe(false);
    release();
    await stopping;
    expect(scheduler.state).toBe('stopped');
    expect(await scheduler.get(running.id)).toMatchObject({ state: TaskState.Done, result: 'finished' });
    expect((await scheduler.get(later.id)).state).toBe(TaskState.Scheduled);
  });

  it('stop({ force: true }) aborts running work through its signal and records it failed at once', async () => {
    const reasons: unknown[] = [];
    const { scheduler, clock } = kit({
      concurrency: 2,
      works: (works) =>
        works
          .register('obedient', (_: null, { signal }) => new Promise((_resolve, reject) => signal.addEventListener('abort', () => (reasons.push(signal.reason), reject(signal.reason)))))
          .register('deaf', () => new Promise(() => undefined)),
    });
    await scheduler.start();
    const obedient = await scheduler.schedule({ workId: 'obedient', delay: 0 });
    const deaf = await scheduler.schedule({ workId: 'deaf', delay: 0 });
    const waiting = scheduler.wait(deaf.id);
    await clock.tick();
    await scheduler.stop({ force: true });
    expect((reasons[0] as { code?: string }).code).toBe('ERR_ABORTED');
    for (const id of [obedient.id, deaf.id]) {
      expect(await scheduler.get(id)).toMatchObject({ state: TaskState.Failed, error: { name: 'AbortedError' } });
    }
    expect((await waiting).state).toBe(TaskState.Failed);
  });

  it('a forced stop during a graceful one aborts what the graceful one waits for', async () => {
    const { scheduler, clock } = kit({ works: (works) => works.register('deaf', () => new Promise(() => undefined)) });
    await scheduler.start();
    const task = await scheduler.schedule({ workId: 'deaf', delay: 0 });
    await clock.tick();
    const graceful = scheduler.stop();
    await scheduler.stop({ force: true });
    await graceful;
    expect((await scheduler.get(task.id)).state).toBe(TaskState.Failed);
  });

  it('rejects wait() with ERR_NOT_RUNNING for tasks that did not end before the stop', async () => {
    const { scheduler } = kit();
    await scheduler.start();
    const task = await scheduler.schedule({ workId: 'record', delay: 1_000 });
    const waiting = scheduler.wait(task.id);
    await scheduler.stop();
    expect(await codeOf(waiting)).toBe('ERR_NOT_RUNNING');
  });

  it('can be started again after a stop, and start()/stop() are idempotent', async () => {
    const { scheduler, clock } = kit();
    await Promise.all([scheduler.start(), scheduler.start()]);
    await scheduler.stop();
    await scheduler.stop();
    const task = await scheduler.schedule({ workId: 'record', param: 'after restart', delay: 5 });
    await scheduler.start();
    await clock.advance(5);
    expect((await scheduler.wait(task.id)).result).toBe('after restart');
    await scheduler.stop();
  });

  it('stops through await using', async () => {
    const { scheduler } = kit();
    {
      await using running = scheduler;
      await running.start();
      expect(running.state).toBe('running');
    }
    expect(scheduler.state).toBe('stopped');
  });

  it('recovers at start what a previous run left dispatched: rerun flags and runs it again', async () => {
    const repository = new HeapRepository();
    await repository.add([newTask({ id: 'in-flight', workId: 'record', param: 'again', scheduledAt: T0 - 5 })]);
    await repository.claimDue(T0, 1, 'worker-1');
    // The same stable owner as the previous run: the fast path (the default owner is unique per process).
    const { scheduler, clock, events } = kit({ repository, owner: 'worker-1' });
    await scheduler.start();
    await clock.tick();
    const ended = await scheduler.wait('in-flight');
    expect(ended).toMatchObject({ state: TaskState.Done, recovered: true, attempt: 2, result: 'again' });
    expect(events.filter(([n]) => n === 'task:recovered')).toHaveLength(1);
    await scheduler.stop();
  });

  it('idle() resolves at once when not running, and after due work is done when running', async () => {
    const { scheduler, clock } = kit();
    await scheduler.idle();
    await scheduler.start();
    await scheduler.schedule({ workId: 'record', delay: 0 });
    let idle = false;
    const waiting = scheduler.idle().then(() => (idle = true));
    expect(idle).toBe(false);
    await clock.tick();
    await waiting;
    expect(scheduler.running).toBe(0);
    await scheduler.stop();
  });
});
