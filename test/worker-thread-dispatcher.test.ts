/**
 * WorkerThreadDispatcher: its options, how it reads a works module, and close(). Real worker
 * threads: the tests wait on their replies, never on the clock.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WorkerThreadDispatcher, WorkModuleError } from '../src/worker-threads.js';
import type { WorkerThreadDispatcherOptions } from '../src/worker-threads.js';
import { ErrorCode, HeapRepository, Scheduler } from '../src/index.js';
import { FakeClock } from '../src/testing/index.js';
import { codeOf } from './helpers.js';
import { track } from './setup/leak-guard.js';
import { broken, never, open, run, start, works } from './worker-threads.js';

/** What create() rejected with. */
async function refusal(options: unknown): Promise<{ code: unknown; message: string; error: unknown }> {
  try {
    const dispatcher = await WorkerThreadDispatcher.create(options as WorkerThreadDispatcherOptions);
    await dispatcher.close();
  } catch (error) {
    return { code: (error as { code?: unknown }).code, message: (error as Error).message, error };
  }
  throw new Error('create() resolved');
}

describe('WorkerThreadDispatcher.create: options', () => {
  it.each([
    ['options', null],
    ['options', 'works.js'],
    ['module', {}],
    ['module', { module: 'works.js' }],
    ['module', { module: './works.js' }],
    ['module', { module: new URL('https://example.com/works.js') }],
    ['module', { module: 42 }],
    ['concurrency', { module: works, concurrency: 0 }],
    ['concurrency', { module: works, concurrency: 1.5 }],
    ['concurrency', { module: works, concurrency: '2' }],
    ['abortGrace', { module: works, abortGrace: -1 }],
    ['abortGrace', { module: works, abortGrace: Number.NaN }],
    ['abortGrace', { module: works, abortGrace: '10' }],
    ['clock', { module: works, clock: {} }],
    ['"threads"', { module: works, threads: 2 }],
  ])('refuses bad %s with ERR_INVALID_ARGUMENT naming it, before starting a thread', async (key, options) => {
    const { code, message } = await refusal(options);
    expect(code).toBe(ErrorCode.InvalidArgument);
    expect(message).toContain(key);
  });

  it('takes the module as a file: URL, a file: URL string or an absolute path', async () => {
    for (const module of [works, works.href, fileURLToPath(works)]) {
      const dispatcher = await open({ module });
      expect(dispatcher.module).toBe(works.href);
      expect(await run(dispatcher, 'double', 21)).toEqual({ ok: true, result: 42 });
    }
  });
});

describe('WorkerThreadDispatcher: the works module', () => {
  it("supports exactly the works of the module's default export, listed once the threads have loaded it", async () => {
    const dispatcher = await open({ module: works, concurrency: 2 });
    expect(dispatcher.workIds).toContain('double');
    expect(dispatcher.workIds).toContain('limited');
    expect(dispatcher.supports('double')).toBe(true);
    expect(dispatcher.supports('notAWork')).toBe(false);
    expect(dispatcher.supports('nope')).toBe(false);
    expect(dispatcher.concurrency).toBe(2);
    expect(dispatcher.running).toBe(0);
  });

  it('gives the work its param, the task (frozen, as claimed) and an AbortSignal, in its thread', async () => {
    const dispatcher = await open({ module: works });
    const outcome = await run(dispatcher, 'context', { n: 1 });
    expect(outcome).toEqual({ ok: true, result: { param: { n: 1 }, taskId: expect.stringMatching(/^d-/), attempt: 1, frozen: true, signal: true } });
  });

  it('reads per-work settings from { run, concurrency, retry, timeout } and enforces the concurrency', async () => {
    const dispatcher = await open({ module: works, concurrency: 2 });
    expect(dispatcher.workDefaults('limited')).toEqual({ concurrency: 1, retry: { attempts: 3, backoff: 'fixed', delay: 10, maxDelay: 3_600_000, jitter: 0 }, timeout: 5_000 });
    expect(dispatcher.workDefaults('double')).toEqual({ concurrency: Infinity, retry: null, timeout: null });
    expect(dispatcher.capacities()).toEqual(new Map([['limited', 1]]));
    const first = await start(dispatcher, 'limited', 7);
    expect(dispatcher.capacities()).toEqual(new Map([['limited', 0]]));
    expect(await codeOf(() => start(dispatcher, 'limited', 8))).toBe(ErrorCode.PoolFull);
    expect(await first.done).toEqual({ ok: true, result: 7 });
  });

  it("lets the scheduler refuse an unknown work with ERR_UNKNOWN_WORK, and apply a work's defaults", async () => {
    const dispatcher = await open({ module: works });
    const scheduler = track(new Scheduler({ repository: new HeapRepository(), dispatcher, clock: new FakeClock(0) }));
    expect(await codeOf(scheduler.schedule({ workId: 'notAWork', delay: 0 }))).toBe(ErrorCode.UnknownWork);
    const task = await scheduler.schedule({ workId: 'limited', param: 1, delay: 0 });
    expect([task.timeout, task.retry?.attempts]).toEqual([5_000, 3]);
  });

  it('accepts a module without works (it supports none)', async () => {
    const dispatcher = await open({ module: broken('empty') });
    expect(dispatcher.workIds).toEqual([]);
    expect(dispatcher.supports('anything')).toBe(false);
  });

  it.each([
    ['a missing file', 'missing', /failed to load: .*Cannot find module/],
    ['a module that throws as it loads', 'throws-on-load', /failed to load: cannot load: the config is missing/],
    ['a module that ends its thread as it loads', 'exits-on-load', /ended its thread while loading/],
    ['named exports only', 'named-only', /has no works: expected a default export object .* named exports resize/],
    ['a work that is not a function', 'not-a-function', /invalid work "broken": expected a function or \{ run/],
    ['an unknown key in a work', 'unknown-key', /invalid work "slow": unknown key "timeOut"/],
    ['settings that are not JSON', 'function-setting', /invalid work "slow": settings: expected a value that survives JSON/],
  ])('refuses %s with ERR_WORK_MODULE, naming the module, and stops its threads', async (_, name, message) => {
    const { code, message: text, error } = await refusal({ module: broken(name), concurrency: 2 });
    expect(code).toBe(ErrorCode.WorkModule);
    expect(error).toBeInstanceOf(WorkModuleError);
    expect(text).toContain(broken(name).href);
    expect(text).toMatch(message);
  });

  it('keeps the cause of a module that fails to load', async () => {
    const { error } = await refusal({ module: broken('throws-on-load') });
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(((error as Error).cause as Error).message).toBe('cannot load: the config is missing');
  });

  it('refuses a module that lists different works in different threads', async () => {
    const { code, message } = await refusal({ module: broken('differs-by-thread'), concurrency: 2 });
    expect(code).toBe(ErrorCode.WorkModule);
    expect(message).toContain('different works in different threads');
  });

  it('refuses bad setting values with ERR_INVALID_ARGUMENT naming the work and the setting', async () => {
    const { code, message } = await refusal({ module: broken('bad-setting') });
    expect(code).toBe(ErrorCode.InvalidArgument);
    expect(message).toContain('slow concurrency');
  });
});

describe('WorkerThreadDispatcher.close', () => {
  it('terminates the threads: a running work fails, ready() and dispatch() refuse with ERR_NOT_RUNNING', async () => {
    const dispatcher = await WorkerThreadDispatcher.create({ module: works });
    const spinning = await start(dispatcher, 'spinForever');
    await dispatcher.close();
    const outcome = await spinning.done;
    expect(outcome.ok).toBe(false);
    expect(await codeOf(dispatcher.ready(never))).toBe(ErrorCode.NotRunning);
    expect(await codeOf(() => start(dispatcher, 'double', 1))).toBe(ErrorCode.NotRunning);
    await dispatcher.close();
  });

  it('is what await using calls', async () => {
    let closed: WorkerThreadDispatcher | undefined;
    {
      await using dispatcher = await WorkerThreadDispatcher.create({ module: works });
      closed = dispatcher;
      expect(await run(dispatcher, 'double', 2)).toEqual({ ok: true, result: 4 });
    }
    expect(await codeOf(closed.ready(never))).toBe(ErrorCode.NotRunning);
  });
});
