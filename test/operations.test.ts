import { describe, expect, it } from 'vitest';
import { HeapRepository, Scheduler, TaskState, WorkerPoolDispatcher, WorkRegistry } from '../src/index.js';
import type { Task } from '../src/index.js';
import { deferred, FakeClock } from '../src/testing/index.js';
import { codeOf, kit, T0 } from './helpers.js';
import { track } from './setup/leak-guard.js';

describe('Scheduler.stats', () => {
  it('counts by state and work, reports the most overdue task and what runs in this process', async () => {
    const gate = deferred<void>();
    const { scheduler, clock } = kit({
      concurrency: 2,
      works: (works) => {
        works.register('slow', () => gate.promise);
        works.register('boom', () => {
          throw new Error('boom');
        });
      },
    });
    await scheduler.schedule({ workId: 'record', delay: 500 });
    await scheduler.schedule({ workId: 'slow', delay: 0 });
    await scheduler.schedule({ workId: 'boom', delay: 0 });
    await clock.advance(30);
    const before = await scheduler.stats();
    expect(before).toMatchObject({ byState: { scheduled: 3, dispatched: 0, done: 0 }, oldestDueAt: T0, oldestDueLateness: 30, running: 0, at: T0 + 30 });
    await scheduler.start();
    await clock.tick();
    const during = await scheduler.stats();
    expect(during.byState).toMatchObject({ scheduled: 1, dispatched: 1, failed: 1 });
    expect(during.byWork).toEqual({ record: { scheduled: 1 }, slow: { dispatched: 1 }, boom: { failed: 1 } });
    expect(during).toMatchObject({ running: 1, oldestDueAt: null, oldestDueLateness: null });
    gate.resolve();
    await scheduler.idle();
    expect((await scheduler.stats()).byState).toMatchObject({ scheduled: 1, dispatched: 0, done: 1, failed: 1 });
    await scheduler.stop();
  });
});

describe('Scheduler.retry', () => {
  it('schedules a failed task again under its id, runs it, and emits task:retried', async () => {
    let fail = true;
    const { scheduler, clock } = kit({
      works: (works) =>
        works.register('flaky', () => {
          if (fail) throw new Error('down');
          return 'up';
        }),
    });
    const retried: Task[] = [];
    scheduler.on('task:retried', ({ task }) => void retried.push(task));
    await scheduler.start();
    const task = await scheduler.schedule({ id: 'job', workId: 'flaky', delay: 0 });
    expect((await scheduler.wait(task.id)).state).toBe(TaskState.Failed);
    fail = false;
    const again = await scheduler.retry('job', { delay: 1_000 });
    expect(again).toMatchObject({ id: 'job', state: TaskState.Scheduled, scheduledAt: clock.now() + 1_000, attempt: 1, error: null, endedAt: null });
    expect(again.errors).toHaveLength(1);
    expect(retried).toEqual([again]);
    await clock.advance(1_000);
    expect(await scheduler.wait('job')).toMatchObject({ state: TaskState.Done, result: 'up', attempt: 2 });
    await scheduler.stop();
  });

  it('defaults to now, takes `at`, and refuses bad options or a done task without changing it', async () => {
    const { scheduler, clock } = kit();
    const a = await scheduler.schedule({ workId: 'record', delay: 100 });
    await scheduler.cancel(a.id);
    expect((await scheduler.retry(a.id)).scheduledAt).toBe(clock.now());
    await scheduler.cancel(a.id);
    expect((await scheduler.retry(a.id, { at: new Date(T0 + 5_000) })).scheduledAt).toBe(T0 + 5_000);
    await scheduler.cancel(a.id);
    for (const options of [{ at: T0, delay: 1 }, { delay: -1 }, { when: 1 }, 'soon']) {
      expect(await codeOf(scheduler.retry(a.id, options as never))).toBe('ERR_INVALID_ARGUMENT');
    }
    expect((await scheduler.get(a.id)).state).toBe(TaskState.Cancelled);
    expect(await codeOf(scheduler.retry('nope'))).toBe('ERR_TASK_NOT_FOUND');
    await scheduler.start();
    const b = await scheduler.schedule({ workId: 'record', delay: 0 });
    await scheduler.wait(b.id);
    expect(await codeOf(scheduler.retry(b.id))).toBe('ERR_STATE_CONFLICT');
    await scheduler.stop();
  });

  it('update() of a failed task says it ended (state on the error) and points to retry', async () => {
    const { scheduler } = kit({ works: (works) => works.register('boom', () => Promise.reject(new Error('no'))) });
    await scheduler.start();
    const task = await scheduler.schedule({ workId: 'boom', delay: 0 });
    await scheduler.wait(task.id);
    const refusal = await scheduler.update(task.id, { priority: 1 }).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: 'ERR_ALREADY_DISPATCHED', state: TaskState.Failed });
    await scheduler.stop();
  });
});

describe('Scheduler.runNow', () => {
  it('makes a future task due now; an overdue one keeps its time; a running one is refused', async () => {
    const gate = deferred<void>();
    const { scheduler, clock, started } = kit({ works: (works) => works.register('slow', () => gate.promise) });
    const later = await scheduler.schedule({ workId: 'record', delay: 60_000 });
    await clock.advance(10);
    const moved = await scheduler.runNow(later.id);
    expect(moved.scheduledAt).toBe(T0 + 10);
    const overdue = await scheduler.schedule({ workId: 'record', at: T0 });
    expect((await scheduler.runNow(overdue.id)).scheduledAt).toBe(T0);
    await scheduler.start();
    await scheduler.wait(later.id);
    expect(started.get(later.id)).toBe(T0 + 10);
    const slow = await scheduler.schedule({ workId: 'slow', delay: 0 });
    await clock.tick();
    expect(await codeOf(scheduler.runNow(slow.id))).toBe('ERR_ALREADY_DISPATCHED');
    expect(await codeOf(scheduler.runNow('nope'))).toBe('ERR_TASK_NOT_FOUND');
    gate.resolve();
    await scheduler.stop();
  });
});

describe('a producer-only Scheduler (no dispatcher)', () => {
  it('schedules and manages tasks of any work without start(), and refuses start()', async () => {
    const clock = new FakeClock(T0);
    const repository = new HeapRepository();
    const producer = new Scheduler({ repository, clock });
    const task = await producer.schedule({ id: 'p', workId: 'registered-elsewhere', delay: 5_000 });
    const [other] = await producer.scheduleMany([{ workId: 'another', delay: 1 }]);
    await producer.update(task.id, { priority: 4 });
    expect(await producer.cancel(other?.id as string)).toBe(true);
    expect((await producer.retry(other?.id as string)).state).toBe(TaskState.Scheduled);
    await producer.runNow(task.id);
    expect((await producer.get(task.id)).scheduledAt).toBe(T0);
    expect((await producer.find({ workId: 'another' })).length).toBe(1);
    expect((await producer.stats()).byState.scheduled).toBe(2);
    expect(await codeOf(producer.start())).toBe('ERR_INVALID_ARGUMENT');
    expect(producer.state).toBe('idle');

    const works = new WorkRegistry();
    const ran: string[] = [];
    works.register('registered-elsewhere', (_param, { task: t }) => void ran.push(t.id));
    works.register('another', (_param, { task: t }) => void ran.push(t.id));
    const consumer = track(new Scheduler({ repository, clock, dispatcher: new WorkerPoolDispatcher({ works }) }));
    await consumer.start();
    await consumer.wait(task.id);
    await consumer.wait(other?.id as string);
    expect(ran.sort()).toEqual([other?.id, 'p'].sort());
    await consumer.stop();
  });

  it('wait() resolves when another scheduler on the store ends the task, without start() or works', async () => {
    const clock = new FakeClock(T0);
    const repository = new HeapRepository();
    const producer = new Scheduler({ repository, clock });
    const [first, second] = await producer.scheduleMany([
      { id: 'elsewhere-1', workId: 'echo', delay: 0, param: 1 },
      { id: 'elsewhere-2', workId: 'echo', delay: 10, param: 2 },
    ]);
    const ended = [producer.wait(first?.id as string), producer.wait(second?.id as string), producer.wait(second?.id as string)];
    const works = new WorkRegistry().register('echo', (param: unknown) => param);
    const consumer = track(new Scheduler({ repository, clock, dispatcher: new WorkerPoolDispatcher({ works }) }));
    await consumer.start();
    await clock.advance(10);
    expect((await Promise.all(ended)).map((t) => [t.id, t.state, t.result])).toEqual([
      ['elsewhere-1', TaskState.Done, 1],
      ['elsewhere-2', TaskState.Done, 2],
      ['elsewhere-2', TaskState.Done, 2],
    ]);
    await consumer.stop();
  });

  it("wait() of a task it cancels itself resolves after its own listeners and hooks, not from the store's watch", async () => {
    const clock = new FakeClock(T0);
    const order: string[] = [];
    const onUpdate = async ({ kind }: { kind: string }): Promise<void> => {
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      if (kind === 'cancel') order.push('hook');
    };
    const producer = new Scheduler({ repository: new HeapRepository(), clock, hooks: { onUpdate } });
    await producer.schedule({ id: 'c', workId: 'echo', delay: 1_000 });
    producer.on('task:cancelled', () => void order.push('listener'));
    const waited = producer.wait('c').then((task) => void order.push(`wait:${task.state}`));
    expect(await producer.cancel('c')).toBe(true);
    await waited;
    expect(order).toEqual(['listener', 'hook', 'wait:cancelled']);
  });
});
