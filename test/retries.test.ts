import { describe, expect, it } from 'vitest';
import { backoffDelay, RetryLaterError, TaskState, toRetryPolicy } from '../src/index.js';
import type { Task } from '../src/index.js';
import { codeOf, kit, T0 } from './helpers.js';

describe('backoff delays', () => {
  const policy = (backoff: 'fixed' | 'exponential' | 'fibonacci', extra = {}) => toRetryPolicy({ attempts: 10, backoff, delay: 100, ...extra });

  it('fixed, exponential and fibonacci give the documented delays, capped by maxDelay', () => {
    const delays = (p: ReturnType<typeof policy>) => [1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(p, n, () => 0.5));
    expect(delays(policy('fixed'))).toEqual([100, 100, 100, 100, 100, 100, 100]);
    expect(delays(policy('exponential'))).toEqual([100, 200, 400, 800, 1_600, 3_200, 6_400]);
    expect(delays(policy('fibonacci'))).toEqual([100, 100, 200, 300, 500, 800, 1_300]);
    expect(delays(policy('exponential', { maxDelay: 1_000 }))).toEqual([100, 200, 400, 800, 1_000, 1_000, 1_000]);
  });

  it('keeps jitter within ±jitter of the delay', () => {
    const p = policy('fixed', { jitter: 0.2 });
    expect(backoffDelay(p, 1, () => 0)).toBe(80);
    expect(backoffDelay(p, 1, () => 0.999_999)).toBe(120);
    for (let i = 0; i < 200; i++) {
      const d = backoffDelay(p, 3, Math.random);
      expect(d).toBeGreaterThanOrEqual(80);
      expect(d).toBeLessThanOrEqual(120);
    }
  });

  it('refuses bad policies with ERR_INVALID_ARGUMENT', () => {
    for (const bad of [{ attempts: 0 }, { attempts: 1.5 }, { backoff: 'linear' }, { delay: -1 }, { maxDelay: Number.NaN }, { jitter: 2 }, { tries: 3 }, 'often']) {
      expect(() => toRetryPolicy(bad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    }
    expect(() => new RetryLaterError(-5)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});

describe('retries on the scheduler (FakeClock)', () => {
  const failing = (failures: number) => (works: import('../src/index.js').WorkRegistry, { clock }: { clock: { now(): number } }) => {
    const calls = new Map<string, number[]>();
    works.register('flaky', (_: null, { task }) => {
      const list = calls.get(task.id) ?? [];
      list.push(clock.now());
      calls.set(task.id, list);
      if (list.length <= failures) throw new Error(`failure ${list.length}`);
      return `ok after ${list.length}`;
    });
    return calls;
  };

  it('retries with exponential back-off at the documented times and succeeds', async () => {
    let calls!: Map<string, number[]>;
    const { scheduler, clock, events } = kit({ works: (w, k) => void (calls = failing(3)(w, k)) });
    await scheduler.start();
    const task = await scheduler.schedule({ workId: 'flaky', delay: 0, retry: { attempts: 5, backoff: 'exponential', delay: 1_000 } });
    await clock.tick();
    await clock.advance(1_000 + 2_000 + 4_000);
    const ended = await scheduler.wait(task.id);
    expect(ended).toMatchObject({ state: TaskState.Done, result: 'ok after 4', attempt: 4 });
    expect(calls.get(task.id)).toEqual([T0, T0 + 1_000, T0 + 3_000, T0 + 7_000]);
    expect(ended.errors.map((e) => [e.attempt, e.message, e.at])).toEqual([
      [1, 'failure 1', T0],
      [2, 'failure 2', T0 + 1_000],
      [3, 'failure 3', T0 + 3_000],
    ]);
    expect(events.filter(([n]) => n === 'task:retrying')).toHaveLength(3);
    await scheduler.stop();
  });

  it('ends failed with the last error and every attempt kept when attempts run out', async () => {
    const { scheduler, clock } = kit({ works: (w, k) => void failing(99)(w, k) });
    await scheduler.start();
    const task = await scheduler.schedule({ workId: 'flaky', delay: 0, retry: { attempts: 3, backoff: 'fibonacci', delay: 100 } });
    await clock.tick();
    await clock.advance(100);
    await clock.advance(100);
    const ended: Task = await scheduler.wait(task.id);
    expect(ended).toMatchObject({ state: TaskState.Failed, attempt: 3, error: { name: 'Error', message: 'failure 3' } });
    expect(ended.errors.map((e) => e.message)).toEqual(['failure 1', 'failure 2', 'failure 3']);
    await scheduler.stop();
  });

  it('takes retry defaults from the work, and lets the task override fields', async () => {
    const { scheduler, clock, works } = kit();
    let n = 0;
    works.register('defaults', () => {
      n++;
      throw new Error('always');
    }, { retry: { attempts: 2, backoff: 'fixed', delay: 500 } });
    await scheduler.start();
    const inherited = await scheduler.schedule({ workId: 'defaults', delay: 0 });
    const overridden = await scheduler.schedule({ workId: 'defaults', delay: 0, retry: { attempts: 1 } });
    expect(inherited.retry).toMatchObject({ attempts: 2, backoff: 'fixed', delay: 500 });
    expect(overridden.retry).toMatchObject({ attempts: 1, backoff: 'fixed', delay: 500 });
    await clock.tick();
    await clock.advance(500);
    expect((await scheduler.wait(inherited.id)).attempt).toBe(2);
    expect((await scheduler.wait(overridden.id)).attempt).toBe(1);
    expect(n).toBe(3);
    await scheduler.stop();
  });

  it('honours RetryLaterError(ms) over the back-off', async () => {
    const { scheduler, clock, works, started } = kit();
    let calls = 0;
    works.register('later', (_: null, { task }) => {
      started.set(`${task.id}#${++calls}`, clock.now());
      if (calls === 1) throw new RetryLaterError(42_000);
      return 'second time';
    });
    await scheduler.start();
    const task = await scheduler.schedule({ workId: 'later', delay: 0, retry: { attempts: 3, backoff: 'fixed', delay: 1 } });
    await clock.tick();
    await clock.advance(41_999);
    expect(calls).toBe(1);
    expect((await scheduler.get(task.id)).scheduledAt).toBe(T0 + 42_000);
    await clock.advance(1);
    expect((await scheduler.wait(task.id)).result).toBe('second time');
    await scheduler.stop();
  });

  it('a timeout aborts the signal, fails the attempt, and the late settlement does not overwrite it', async () => {
    const signals: AbortSignal[] = [];
    let settleLate!: () => void;
    const { scheduler, clock } = kit({
      works: (works) =>
        works.register('stuck', (_: null, { signal }) => {
          signals.push(signal);
          return new Promise<string>((resolve) => (settleLate = () => resolve('too late')));
        }),
    });
    await scheduler.start();
    const task = await scheduler.schedule({ workId: 'stuck', delay: 0, timeout: 5_000 });
    await clock.tick();
    await clock.advance(4_999);
    expect(signals[0]?.aborted).toBe(false);
    await clock.advance(1);
    expect(signals[0]?.aborted).toBe(true);
    expect((signals[0]?.reason as { code?: string }).code).toBe('ERR_TIMEOUT');
    const ended = await scheduler.wait(task.id);
    expect(ended).toMatchObject({ state: TaskState.Failed, error: { name: 'WorkTimeoutError' } });
    settleLate();
    await clock.tick();
    expect(await scheduler.get(task.id)).toEqual(ended);
    await scheduler.stop();
  });

  it('a timed-out attempt is retried when the policy allows (the deaf first attempt keeps its worker)', async () => {
    let calls = 0;
    const { scheduler, clock } = kit({
      concurrency: 2,
      works: (works, { clock: c }) =>
        works.register('slow-then-fast', () => (++calls === 1 ? new Promise(() => undefined) : new Promise((resolve) => c.setTimer(c.now() + 10, () => resolve('fast'))))),
    });
    await scheduler.start();
    const task = await scheduler.schedule({ workId: 'slow-then-fast', delay: 0, timeout: 100, retry: { attempts: 2, backoff: 'fixed', delay: 50 } });
    await clock.tick();
    await clock.advance(100);
    await clock.advance(50);
    await clock.advance(10);
    expect(await scheduler.wait(task.id)).toMatchObject({ state: TaskState.Done, result: 'fast', attempt: 2 });
    await scheduler.stop({ force: true });
  });

  it('a task not started by its deadline ends expired and never runs', async () => {
    let release!: () => void;
    const { scheduler, clock, started, events } = kit({
      works: (works) => works.register('hold', () => new Promise<void>((resolve) => (release = resolve))),
    });
    await scheduler.start();
    await scheduler.schedule({ workId: 'hold', delay: 0 });
    const late = await scheduler.schedule({ workId: 'record', delay: 10, deadline: T0 + 1_000 });
    await clock.tick();
    await clock.advance(2_000);
    release();
    const ended = await scheduler.wait(late.id);
    expect(ended).toMatchObject({ state: TaskState.Expired, error: { name: 'DeadlineExceeded' } });
    expect(started.has(late.id)).toBe(false);
    expect(events.filter(([n]) => n === 'task:expired')).toHaveLength(1);
    expect(await codeOf(scheduler.schedule({ workId: 'record', delay: 10, deadline: T0 }))).toBe('ERR_INVALID_ARGUMENT');
    await scheduler.stop();
  });
});
