import { afterEach, describe, expect, it } from 'vitest';
import { every, HeapRepository, Scheduler, TaskState, WorkerPoolDispatcher, WorkRegistry } from '../src/index.js';
import type { Dispatcher, Schedule, Task, TaskRepository } from '../src/index.js';
import { FakeClock } from '../src/testing/index.js';
import { TypeOrmRepository } from '../src/typeorm.js';
import { codeOf, kit, T0 } from './helpers.js';
import { track } from './setup/leak-guard.js';
import { tempDir } from './typeorm/stores.js';
import { join } from 'node:path';

/** Issue 9's defects on the scheduler's side, each pinned by the test that showed it. */

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function sqliteRepository(): Promise<TaskRepository> {
  const { dir, remove } = tempDir();
  const repository = await TypeOrmRepository.open({ type: 'sqlite', database: join(dir, 'tasks.sqlite') });
  cleanups.push(remove, () => repository.close());
  return repository;
}

/** Collects unhandled rejections for the length of a test. */
function unhandled(): unknown[] {
  const seen: unknown[] = [];
  const listener = (reason: unknown): void => void seen.push(reason);
  process.on('unhandledRejection', listener);
  cleanups.push(() => void process.off('unhandledRejection', listener));
  return seen;
}

/** A schedule that yields the given times, then `after` itself (a time that does not move on). */
function scripted(times: ReadonlyArray<number | Date | null | unknown>): Schedule {
  let i = 0;
  return {
    next: (after) => {
      const value = i < times.length ? times[i++] : after;
      return (typeof value === 'number' ? new Date(value) : value) as Date | null;
    },
    toJSON: () => ({ kind: 'scripted' }),
  };
}

describe('defect 1: wait() then stop()', () => {
  it('on SQLite, rejects the wait with ERR_NOT_RUNNING and leaves no unhandled rejection', async () => {
    const seen = unhandled();
    const { scheduler } = kit({ repository: await sqliteRepository() });
    await scheduler.start();
    const task = await scheduler.schedule({ workId: 'record', delay: 60_000 });
    const waiting = scheduler.wait(task.id).then(
      () => 'resolved',
      (error: { code?: unknown }) => error.code,
    );
    await scheduler.stop();
    expect(await waiting).toBe('ERR_NOT_RUNNING');
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([]);
  });
});

describe('defect 2: a series whose next time is invalid', () => {
  const invalidFirst: Array<[string, () => Schedule]> = [
    ['every(9e15)', () => every(9e15)],
    ['every({ days: 104_000_000 })', () => every({ days: 104_000_000 })],
    ['a schedule returning new Date(NaN)', () => scripted([new Date(Number.NaN)])],
    ['a schedule returning a number', () => ({ next: () => T0 + 1_000 as unknown as Date, toJSON: () => ({ kind: 'number' }) })],
    ['a schedule returning a Proxy(Date)', () => scripted([new Proxy(new Date(T0 + 1_000), {})])],
    ['a schedule returning now', () => scripted([])],
  ];
  for (const [name, make] of invalidFirst) {
    it(`refuses ${name} at schedule() with ERR_INVALID_ARGUMENT and stores nothing`, async () => {
      const { scheduler, repository } = kit();
      expect(await codeOf(scheduler.schedule({ workId: 'record', schedule: make() }))).toBe('ERR_INVALID_ARGUMENT');
      expect(await repository.find({})).toEqual([]);
      expect(await repository.listSeries()).toEqual([]);
    });
  }

  for (const store of ['heap', 'sqlite'] as const) {
    const invalidLater: Array<[string, unknown]> = [
      ['NaN', new Date(Number.NaN)],
      ['beyond the maximum time', new Date(8.64e15 + 1)],
      ['earlier than the previous time', T0],
      ['a number', T0 + 5_000],
    ];
    for (const [name, later] of invalidLater) {
      it(`${store}: a later time that is ${name} stores the occurrence's outcome, ends the series with ERR_INVALID_SCHEDULE and lets stop() return`, async () => {
        const repository = store === 'heap' ? new HeapRepository() : await sqliteRepository();
        const { scheduler, clock, events } = kit({ repository });
        const failed: unknown[] = [];
        scheduler.on('series:failed', ({ series, error }) => void failed.push([series.id, series.enabled, (error as { code?: unknown }).code]));
        await scheduler.start();
        const schedule: Schedule = {
          next: (after) => (after.getTime() < T0 + 1_000 ? new Date(T0 + 1_000) : (later as Date)),
          toJSON: () => ({ kind: 'scripted' }),
        };
        const first = await scheduler.schedule({ id: 'series-1', workId: 'record', schedule });
        const ended = scheduler.wait(first.id);
        await clock.advance(1_000);
        expect(await ended).toMatchObject({ state: TaskState.Done });
        await clock.advance(10_000);
        expect(failed).toEqual([['series-1', false, 'ERR_INVALID_SCHEDULE']]);
        const series = await repository.getSeries('series-1');
        expect(series).toMatchObject({ enabled: false, error: { name: 'InvalidScheduleError' } });
        expect(await repository.find({ state: TaskState.Scheduled })).toEqual([]);
        expect(events.filter(([event]) => event === 'loop:error')).toEqual([]);
        await scheduler.stop();
      });
    }
  }

  it("a next() that returns `after` with misfire 'all' ends the series and lets go of the process", async () => {
    const { scheduler, clock, started } = kit();
    await scheduler.start();
    const failed: unknown[] = [];
    scheduler.on('series:failed', ({ error }) => void failed.push((error as { code?: unknown }).code));
    await scheduler.schedule({ workId: 'record', schedule: scripted([T0 + 1_000]), misfire: 'all' });
    await clock.advance(5_000);
    expect(started.size).toBe(1);
    expect(failed).toEqual(['ERR_INVALID_SCHEDULE']);
    await scheduler.stop();
  });
});

describe('defect 3: a definitive refusal of a completion', () => {
  it('is reported once with ERR_STATE_CONFLICT, never retried, and a graceful stop() returns', async () => {
    let release!: () => void;
    const { scheduler, clock, repository, events } = kit({
      retryDelay: 1_000,
      works: (works) => works.register('slow', () => new Promise<string>((resolve) => (release = () => resolve('late')))),
    });
    await scheduler.start();
    const task = await scheduler.schedule({ workId: 'slow', delay: 0 });
    await clock.tick();
    // Another attempt (another process, a recovery) ends the task first.
    await repository.complete(task.id, { state: TaskState.Done, result: 'other' }, clock.now());
    const waiting = scheduler.wait(task.id);
    release();
    await clock.tick();
    await clock.advance(10_000);
    const errors = events.filter(([event]) => event === 'loop:error').map(([, payload]) => (payload as { error: { code?: unknown } }).error.code);
    expect(errors).toEqual(['ERR_STATE_CONFLICT']);
    expect(await waiting).toMatchObject({ state: TaskState.Done, result: 'other' });
    await scheduler.stop();
    expect(scheduler.state).toBe('stopped');
  });
});

/** A clock whose monotonic time moves 1 ms per reading: it stands in for real work taking time. */
class BusyClock extends FakeClock {
  #mono = 0;
  override monotonic(): number {
    return (this.#mono += 1);
  }
}

/** A heap scheduler on a BusyClock, whose work 'count' counts its runs in `ran()`. */
function busyScheduler(): { scheduler: Scheduler; ran: () => number } {
  const works = new WorkRegistry();
  let ran = 0;
  works.register('count', () => void ran++);
  const scheduler = track(new Scheduler({ repository: new HeapRepository(), dispatcher: new WorkerPoolDispatcher({ works, concurrency: 4 }), clock: new BusyClock(T0) }));
  return { scheduler, ran: () => ran };
}

describe('defect 4: the loop yields while a backlog drains', () => {
  it('lets a macrotask run between batches once its time budget is spent', async () => {
    const { scheduler, ran: count } = busyScheduler();
    await scheduler.scheduleMany(Array.from({ length: 2_000 }, () => ({ workId: 'count', delay: 0 })));
    let ranAtMacrotask = -1;
    await scheduler.start();
    setImmediate(() => (ranAtMacrotask = count()));
    await scheduler.idle();
    expect(count()).toBe(2_000);
    expect(ranAtMacrotask).toBeGreaterThan(0);
    expect(ranAtMacrotask).toBeLessThan(2_000);
    await scheduler.stop();
  });
});

describe('the yield does not hand the loop to a caller that adds from microtasks', () => {
  it('due tasks added by an awaited schedule() loop run while it adds, not after it', async () => {
    // W1's shape: the caller awaits schedule() in a loop that never reaches the macrotask queue;
    // a loop that yielded with setImmediate alone waited for that whole loop to end.
    const { scheduler, ran } = busyScheduler();
    await scheduler.start();
    let macrotask = false;
    setImmediate(() => (macrotask = true));
    for (let i = 0; i < 2_000; i++) await scheduler.schedule({ workId: 'count', delay: 0 });
    // The adds never let the macrotask queue in; the loop ran their tasks between them all the same.
    expect(macrotask).toBe(false);
    expect(ran()).toBeGreaterThan(1_900);
    await scheduler.idle();
    expect(ran()).toBe(2_000);
    await scheduler.stop();
  });
});

/** Schedules 8 due tasks of `workId`, starts the scheduler and gives it 1,000 microtask turns at most: how many were dispatched. */
async function dispatchedWithinTurns(scheduler: Scheduler, workId: string): Promise<number> {
  await scheduler.scheduleMany(Array.from({ length: 8 }, () => ({ workId, delay: 0 })));
  let dispatched = 0;
  scheduler.on('task:dispatched', () => void dispatched++);
  await scheduler.start();
  for (let turns = 0; turns < 1_000 && dispatched < 8; turns++) await Promise.resolve();
  return dispatched;
}

describe("a claimed batch is not handed over at the pace of a caller's adds", () => {
  it('an add made while the loop hands a batch over resolves after the whole batch started', async () => {
    // W1 kit-many's shape: each add of a caller awaiting in a loop is one job in the microtask
    // queue, and the loop awaits once per task it hands over: the batch went one task per add.
    const { scheduler } = kit({ concurrency: 64, works: (works) => works.register('hang', () => new Promise<never>(() => undefined)) });
    await scheduler.scheduleMany(Array.from({ length: 64 }, () => ({ workId: 'hang', delay: 0 })));
    let adds = 0;
    const addsAtDispatch: number[] = [];
    scheduler.on('task:dispatched', () => void addsAtDispatch.push(adds));
    await scheduler.start();
    for (let i = 0; i < 200 && addsAtDispatch.length < 64; i++) {
      await scheduler.scheduleMany([{ workId: 'hang', delay: 60_000 }]);
      adds++;
    }
    expect(addsAtDispatch).toHaveLength(64);
    expect((addsAtDispatch.at(-1) ?? 0) - (addsAtDispatch[0] ?? 0), 'adds resolved while the batch was handed over').toBeLessThanOrEqual(1);
    await scheduler.stop({ force: true });
  });

  it('an onDispatch hook that adds and awaits does not wait on the hand-off it runs in', async () => {
    const { scheduler } = kit({
      concurrency: 8,
      works: (works) => works.register('hang', () => new Promise<never>(() => undefined)),
      hooks: { onDispatch: async ({ task }) => void (task.workId === 'hang' && (await scheduler.schedule({ workId: 'record', delay: 60_000 }))) },
    });
    expect(await dispatchedWithinTurns(scheduler, 'hang')).toBe(8);
    expect((await scheduler.find({ workId: 'record', limit: 100 })).length).toBeGreaterThanOrEqual(7);
    await scheduler.stop({ force: true });
  });

  it('a dispatcher that adds and awaits before it answers does not wait on the hand-off', async () => {
    let scheduler!: Scheduler;
    let running = 0;
    const dispatcher: Dispatcher = {
      supports: () => true,
      ready: () => Promise.resolve(8 - running),
      dispatch: async () => {
        running++;
        await scheduler.schedule({ workId: 'later', delay: 60_000 });
        return { done: new Promise<never>(() => undefined) };
      },
    };
    scheduler = track(new Scheduler({ repository: new HeapRepository(), dispatcher, clock: new FakeClock(T0), logger: false }));
    expect(await dispatchedWithinTurns(scheduler, 'now')).toBe(8);
    await scheduler.stop({ force: true });
  });
});

describe('defect 5: a stored outcome resolves its waiters', () => {
  it('with a slow onTaskEnded hook and a graceful stop, every wait() resolves with the stored task', async () => {
    const { scheduler, clock } = kit({
      concurrency: 20,
      hooks: { onTaskEnded: () => new Promise<void>((resolve) => clock.setTimer(clock.now() + 500, resolve)) },
    });
    await scheduler.start();
    const tasks = await scheduler.scheduleMany(Array.from({ length: 20 }, () => ({ workId: 'record', delay: 0 })));
    const waits = tasks.map((task) => scheduler.wait(task.id).then((t: Task) => t.state, (error: { code?: unknown }) => error.code));
    await clock.tick();
    const stopping = scheduler.stop();
    await clock.advance(20 * 500);
    await stopping;
    expect(await Promise.all(waits)).toEqual(tasks.map(() => TaskState.Done));
  });
});

describe('defect 8: unchecked edges of the scheduler', () => {
  const works = new WorkRegistry();
  const base = { repository: new HeapRepository(), dispatcher: new WorkerPoolDispatcher({ works }) };
  it('refuses unknown Scheduler options', () => {
    expect(() => new Scheduler({ ...base, retyrDelay: 5 } as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringContaining('retyrDelay') }));
  });

  it("refuses unknown event names in on/once/off ('task:doen')", async () => {
    const { scheduler } = kit();
    for (const method of ['on', 'once', 'off'] as const) {
      expect(await codeOf(() => scheduler[method]('task:doen' as never, () => undefined))).toBe('ERR_INVALID_ARGUMENT');
    }
  });

  it("refuses stop({ force: 'false' }) and stop({ forse: true }) and keeps running", async () => {
    const { scheduler } = kit();
    await scheduler.start();
    expect(await codeOf(scheduler.stop({ force: 'false' } as never))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(scheduler.stop({ forse: true } as never))).toBe('ERR_INVALID_ARGUMENT');
    expect(scheduler.state).toBe('running');
    await scheduler.stop();
  });
});

describe('work timeouts run on monotonic time', () => {
  it('a wall-clock jump forward does not time out running work; the duration does', async () => {
    const { scheduler, clock } = kit({ works: (w) => w.register('hang', () => new Promise<never>(() => undefined)) });
    await scheduler.start();
    const task = await scheduler.schedule({ workId: 'hang', delay: 0, timeout: 1_000 });
    await clock.tick();
    await clock.set(clock.now() + 3_600_000);
    expect((await scheduler.get(task.id)).state).toBe(TaskState.Dispatched);
    await clock.advance(1_000);
    expect(await scheduler.get(task.id)).toMatchObject({ state: TaskState.Failed, error: { name: 'WorkTimeoutError' } });
    await scheduler.stop();
  });
});
