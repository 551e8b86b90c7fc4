import { describe, expect, it } from 'vitest';
import { every, HeapRepository, Scheduler, TaskState } from '../src/index.js';
import type { Task, WorkContext, WorkRegistry } from '../src/index.js';
import { FakeClock } from '../src/testing/index.js';
import { WorkerThreadDispatcher } from '../src/worker-threads.js';
import { codeOf, kit, T0 } from './helpers.js';
import { track } from './setup/leak-guard.js';

/** Works that log their runs: 'step' returns its param, 'fail' throws, 'gather' returns its parents' results. */
function flowWorks(log: string[], contexts: Map<string, WorkContext>) {
  return (works: WorkRegistry): void => {
    works.register('step', (param: string, context) => {
      log.push(param);
      contexts.set(context.task.id, context);
      return param;
    });
    works.register('fail', (param: string) => {
      log.push(param);
      throw new Error(`${param} failed`);
    });
    works.register('gather', (param: string, context) => {
      log.push(param);
      contexts.set(context.task.id, context);
      return context.parents.map((p) => p.result);
    });
  };
}

function flowKit(concurrency = 1) {
  const log: string[] = [];
  const contexts = new Map<string, WorkContext>();
  return { ...kit({ concurrency, works: flowWorks(log, contexts) }), log, contexts };
}

describe('chain()', () => {
  it('runs steps in order, each after the one before is done, and passes the parent with its result', async () => {
    const { scheduler, clock, log, contexts } = flowKit(4);
    const flow = await scheduler.chain([{ workId: 'step', param: 'a' }, { workId: 'step', param: 'b', delay: 500 }, { workId: 'gather', param: 'c' }], { id: 'f1' });
    expect(flow.id).toBe('f1');
    expect(flow.tasks.map((t) => [t.state, t.flowId])).toEqual([
      [TaskState.Scheduled, 'f1'],
      [TaskState.Waiting, 'f1'],
      [TaskState.Waiting, 'f1'],
    ]);
    const [a, b, c] = flow.tasks as [Task, Task, Task];
    expect(b.dependsOn).toEqual({ parents: [a.id], when: 'done', delay: 500 });
    await scheduler.start();
    await clock.tick();
    expect(log).toEqual(['a']);
    expect(await scheduler.get(b.id)).toMatchObject({ state: TaskState.Scheduled, scheduledAt: T0 + 500 });
    await clock.advance(499);
    expect(log).toEqual(['a']);
    await clock.advance(1);
    const ended = await scheduler.wait(c.id);
    expect(log).toEqual(['a', 'b', 'c']);
    expect(ended).toMatchObject({ state: TaskState.Done, result: ['b'] });
    expect(contexts.get(b.id)?.parents.map((p) => [p.id, p.state, p.result])).toEqual([[a.id, TaskState.Done, 'a']]);
    expect(contexts.get(a.id)?.parents).toEqual([]);
    expect((await scheduler.find({ flowId: 'f1' })).map((t) => t.id)).toEqual([a.id, b.id, c.id]);
    await scheduler.stop();
  });

  it('cancels the later steps with the reason when a step fails for good; nothing after it runs', async () => {
    const { scheduler, clock, log, events } = flowKit();
    const flow = await scheduler.chain([{ workId: 'step', param: 'a' }, { workId: 'fail', param: 'b', retry: { attempts: 2, delay: 100 } }, { workId: 'step', param: 'c' }, { workId: 'step', param: 'd' }]);
    const [, b, c, d] = flow.tasks as [Task, Task, Task, Task];
    await scheduler.start();
    await clock.tick();
    await clock.advance(100);
    expect(await scheduler.wait(b.id)).toMatchObject({ state: TaskState.Failed, attempt: 2 });
    const cEnded = await scheduler.wait(c.id);
    expect(cEnded).toMatchObject({ state: TaskState.Cancelled, error: { name: 'FlowCancelled' } });
    expect(cEnded.error?.message).toContain(b.id);
    expect(await scheduler.wait(d.id)).toMatchObject({ state: TaskState.Cancelled, error: { name: 'FlowCancelled' } });
    await scheduler.idle();
    expect(log).toEqual(['a', 'b', 'b']);
    const cancelled = events.filter(([name]) => name === 'task:cancelled').map(([, p]) => (p as { task: Task }).task.id);
    expect(cancelled.sort()).toEqual([c.id, d.id].sort());
    await scheduler.stop();
  });

  it('cancelling a pending step cancels what depends on it, and says so', async () => {
    const { scheduler, clock, log, events } = flowKit();
    const flow = await scheduler.chain([{ workId: 'step', param: 'a', delay: 1_000 }, { workId: 'step', param: 'b' }, { workId: 'step', param: 'c' }]);
    const [a, b, c] = flow.tasks as [Task, Task, Task];
    const waitC = scheduler.wait(c.id);
    expect(await scheduler.cancel(b.id)).toBe(true);
    expect(await waitC).toMatchObject({ state: TaskState.Cancelled, error: { name: 'FlowCancelled' } });
    expect(events.filter(([name]) => name === 'task:cancelled').map(([, p]) => (p as { task: Task }).task.id)).toEqual([b.id, c.id]);
    await scheduler.start();
    await clock.advance(1_000);
    expect(await scheduler.wait(a.id)).toMatchObject({ state: TaskState.Done });
    await scheduler.idle();
    expect(log).toEqual(['a']);
    await scheduler.stop();
  });

  it('refuses bad input with ERR_INVALID_ARGUMENT and stores nothing', async () => {
    const { scheduler } = flowKit();
    for (const bad of [() => scheduler.chain([]), () => scheduler.chain('x' as never), () => scheduler.chain([{ workId: 'step', schedule: {} } as never]), () => scheduler.chain([{ workId: 'step' }], { name: 'x' } as never), () => scheduler.chain([{ workId: 'step', onSuccess: { workId: 'step' } } as never])]) {
      expect(await codeOf(bad)).toBe('ERR_INVALID_ARGUMENT');
    }
    expect(await codeOf(scheduler.chain([{ workId: 'step' }, { workId: 'nope' }]))).toBe('ERR_UNKNOWN_WORK');
    expect(await codeOf(scheduler.chain([{ workId: 'step', id: 'x' }, { workId: 'step', id: 'x' }]))).toBe('ERR_DUPLICATE_ID');
    expect(await scheduler.find()).toEqual([]);
  });
});

describe('group()', () => {
  it('runs members independently and the chord callback once all are done, with every result in order', async () => {
    const { scheduler, clock, log, contexts } = flowKit(3);
    const flow = await scheduler.group([{ workId: 'step', param: 'x', delay: 300 }, { workId: 'step', param: 'y', delay: 100 }, { workId: 'step', param: 'z', delay: 200 }], { then: { workId: 'gather', param: 'then' } });
    const [x, y, z, then] = flow.tasks as [Task, Task, Task, Task];
    expect(then.dependsOn?.parents).toEqual([x.id, y.id, z.id]);
    await scheduler.start();
    await clock.advance(100);
    await clock.advance(100);
    expect(await scheduler.get(then.id)).toMatchObject({ state: TaskState.Waiting });
    await clock.advance(100);
    expect(await scheduler.wait(then.id)).toMatchObject({ state: TaskState.Done, result: ['x', 'y', 'z'] });
    expect(log).toEqual(['y', 'z', 'x', 'then']);
    expect(contexts.get(then.id)?.parents.map((p) => p.id)).toEqual([x.id, y.id, z.id]);
    await scheduler.stop();
  });

  it('cancels the callback when a member fails, unless runOnFailure', async () => {
    for (const runOnFailure of [false, true]) {
      const { scheduler, clock, log } = flowKit(2);
      const flow = await scheduler.group([{ workId: 'fail', param: 'm1' }, { workId: 'step', param: 'm2', delay: 50 }], { then: { workId: 'gather', param: 'then', runOnFailure } });
      const then = flow.tasks[2] as Task;
      await scheduler.start();
      await clock.tick();
      if (runOnFailure) {
        expect(await scheduler.get(then.id)).toMatchObject({ state: TaskState.Waiting });
        await clock.advance(50);
        expect(await scheduler.wait(then.id)).toMatchObject({ state: TaskState.Done, result: [null, 'm2'] });
        expect(log).toEqual(['m1', 'm2', 'then']);
      } else {
        expect(await scheduler.wait(then.id)).toMatchObject({ state: TaskState.Cancelled, error: { name: 'FlowCancelled' } });
        await clock.advance(50);
        await scheduler.idle();
        expect(log).toEqual(['m1', 'm2']);
      }
      await scheduler.stop();
    }
  });

  it('without then is a plain group of tasks sharing a flow id', async () => {
    const { scheduler, clock } = flowKit(2);
    const flow = await scheduler.group([{ workId: 'step', param: 'p' }, { workId: 'fail', param: 'q' }], { id: 'g' });
    expect(flow.tasks.map((t) => [t.flowId, t.state, t.dependsOn])).toEqual([
      ['g', TaskState.Scheduled, null],
      ['g', TaskState.Scheduled, null],
    ]);
    await scheduler.start();
    await clock.tick();
    expect((await Promise.all(flow.tasks.map((t) => scheduler.wait(t.id)))).map((t) => t.state)).toEqual([TaskState.Done, TaskState.Failed]);
    await scheduler.stop();
  });

  it('refuses a bad then', async () => {
    const { scheduler } = flowKit();
    expect(await codeOf(scheduler.group([{ workId: 'step' }], { then: { workId: 'step', runOnFailure: 'yes' } as never }))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(scheduler.group([{ workId: 'step' }], { then: 5 } as never))).toBe('ERR_INVALID_ARGUMENT');
    expect(await scheduler.find()).toEqual([]);
  });
});

describe('onSuccess / onFailure', () => {
  it('schedules the success callback when the task is done and cancels the failure one', async () => {
    const { scheduler, clock, log, contexts } = flowKit();
    const task = await scheduler.schedule({ workId: 'step', param: 'main', delay: 0, onSuccess: { workId: 'gather', param: 'ok', delay: 1_000 }, onFailure: { workId: 'step', param: 'ko' } });
    expect(task.flowId).toBe(task.id);
    const [, ok, ko] = await scheduler.find({ flowId: task.id });
    await scheduler.start();
    await clock.tick();
    expect(await scheduler.wait(ko?.id as string)).toMatchObject({ state: TaskState.Cancelled });
    expect(await scheduler.get(ok?.id as string)).toMatchObject({ state: TaskState.Scheduled, scheduledAt: T0 + 1_000 });
    await clock.advance(1_000);
    expect(await scheduler.wait(ok?.id as string)).toMatchObject({ state: TaskState.Done, result: ['main'] });
    expect(log).toEqual(['main', 'ok']);
    expect(contexts.get(ok?.id as string)?.parents[0]?.id).toBe(task.id);
    await scheduler.stop();
  });

  it('schedules the failure callback only after the retries, with the failed task as parent', async () => {
    const { scheduler, clock, log, contexts } = flowKit();
    const task = await scheduler.schedule({ workId: 'fail', param: 'main', delay: 0, retry: { attempts: 3, backoff: 'fixed', delay: 10 }, onFailure: { workId: 'step', param: 'ko' } });
    const [, ko] = await scheduler.find({ flowId: task.id });
    await scheduler.start();
    await clock.tick();
    await clock.advance(10);
    expect(await scheduler.get(ko?.id as string)).toMatchObject({ state: TaskState.Waiting });
    await clock.advance(10);
    expect(await scheduler.wait(ko?.id as string)).toMatchObject({ state: TaskState.Done });
    expect(log).toEqual(['main', 'main', 'main', 'ko']);
    expect(contexts.get(ko?.id as string)?.parents[0]).toMatchObject({ id: task.id, state: TaskState.Failed, error: { message: 'main failed' } });
    await scheduler.stop();
  });

  it('runs the failure callback for an expired task', async () => {
    const { scheduler, clock, log } = flowKit();
    await scheduler.start();
    await scheduler.pause();
    const task = await scheduler.schedule({ workId: 'step', param: 'late', delay: 0, deadline: T0 + 10, onFailure: { workId: 'step', param: 'ko' } });
    await clock.advance(20);
    scheduler.resume();
    expect(await scheduler.wait(task.id)).toMatchObject({ state: TaskState.Expired });
    const [, ko] = await scheduler.find({ flowId: task.id });
    expect(await scheduler.wait(ko?.id as string)).toMatchObject({ state: TaskState.Done });
    expect(log).toEqual(['ko']);
    await scheduler.stop();
  });

  it('refuses callbacks on a series or in scheduleMany', async () => {
    const { scheduler } = flowKit();
    expect(await codeOf(scheduler.schedule({ workId: 'step', schedule: every(1_000), onSuccess: { workId: 'step' } }))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(scheduler.scheduleMany([{ workId: 'step', delay: 0, onSuccess: { workId: 'step' } }]))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(scheduler.schedule({ workId: 'step', delay: 0, onSuccess: { workId: 'step', onFailure: {} } as never }))).toBe('ERR_INVALID_ARGUMENT');
    expect(await scheduler.find()).toEqual([]);
  });
});

describe('parents in worker threads', () => {
  it('a step running in a worker thread receives its parents, frozen, with their results', async () => {
    const dispatcher = await WorkerThreadDispatcher.create({ module: new URL('./fixtures/worker-threads/works.mjs', import.meta.url), concurrency: 2 });
    try {
      const scheduler = track(new Scheduler({ repository: new HeapRepository(), dispatcher, clock: new FakeClock(T0) }));
      const flow = await scheduler.group([{ workId: 'double', param: 2 }, { workId: 'double', param: 5 }], { then: { workId: 'parents' } });
      await scheduler.start();
      const then = await scheduler.wait(flow.tasks[2]?.id as string);
      expect(then.result).toEqual([
        { id: flow.tasks[0]?.id, state: TaskState.Done, result: 4, frozen: true },
        { id: flow.tasks[1]?.id, state: TaskState.Done, result: 10, frozen: true },
      ]);
      await scheduler.stop();
    } finally {
      await dispatcher.close();
    }
  });
});
