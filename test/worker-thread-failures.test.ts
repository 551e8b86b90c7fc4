/**
 * WorkerThreadDispatcher: works that fail in their thread fail their task with a useful error, and
 * nothing escapes — no crash, no unhandled rejection, no thread lost. Real worker threads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, HeapRepository, KokugenError, RetryLaterError, Scheduler, TaskState } from '../src/index.js';
import { FakeClock } from '../src/testing/index.js';
import { track } from './setup/leak-guard.js';
import { broken, never, open, run, start, works } from './worker-threads.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
beforeAll(() => void process.on('unhandledRejection', onUnhandled));
afterAll(() => {
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
});

/** The error of a failed outcome. */
async function errorOf(outcome: Promise<{ ok: boolean; error?: unknown }>): Promise<unknown> {
  const settled = await outcome;
  expect(settled.ok).toBe(false);
  return settled.error;
}

describe('WorkerThreadDispatcher: failing works', () => {
  it('brings back a thrown Error as its class, with its message and the stack from the thread', async () => {
    const dispatcher = await open({ module: works });
    const error = await errorOf(run(dispatcher, 'throwError'));
    expect(error).toBeInstanceOf(RangeError);
    expect(error).toEqual(new RangeError('out of range'));
    expect((error as Error).stack).toContain('works.mjs');
  });

  it("keeps a custom error's name, own properties and cause", async () => {
    const dispatcher = await open({ module: works });
    const error = (await errorOf(run(dispatcher, 'throwCustom'))) as Error & { code?: unknown };
    expect([error.name, error.message, error.code]).toEqual(['QuotaError', 'quota exceeded', 'E_QUOTA']);
    expect(error.cause).toEqual(new Error('the cause'));
  });

  it('brings back rejected non-Errors as they are, and describes what cannot leave the thread', async () => {
    const dispatcher = await open({ module: works });
    expect(await run(dispatcher, 'rejectString')).toEqual({ ok: false, error: 'just a string' });
    expect(await run(dispatcher, 'rejectUndefined')).toEqual({ ok: false, error: undefined });
    const symbol = (await errorOf(run(dispatcher, 'throwSymbol'))) as KokugenError;
    expect([symbol.name, symbol.code]).toEqual(['NonErrorThrownError', ErrorCode.NonErrorThrown]);
    expect(symbol.message).toContain('a symbol');
  });

  it('brings back a RetryLaterError as one, with its delay', async () => {
    const dispatcher = await open({ module: works });
    const error = await errorOf(run(dispatcher, 'retryLater'));
    expect(error).toBeInstanceOf(RetryLaterError);
    expect((error as RetryLaterError).delay).toBe(5_000);
  });

  it('fails a result that is not JSON with ERR_INVALID_RESULT saying why; undefined is a result', async () => {
    const dispatcher = await open({ module: works });
    for (const [workId, why] of [
      ['returnFunction', 'a function'],
      ['returnMap', 'a non-plain object (Map)'],
      ['returnBigint', 'bigint'],
    ] as const) {
      const error = (await errorOf(run(dispatcher, workId))) as KokugenError;
      expect([error.name, error.code]).toEqual(['InvalidResultError', ErrorCode.InvalidResult]);
      expect(error.message).toContain(why);
    }
    expect(await run(dispatcher, 'returnUndefined')).toEqual({ ok: true, result: undefined });
  });

  it('fails the task of a work that ends its thread, and replaces the thread', async () => {
    const dispatcher = await open({ module: works });
    const before = await run(dispatcher, 'threadId');
    const error = await errorOf(run(dispatcher, 'exitThread'));
    expect((error as Error).message).toContain('exited with code: 3');
    const after = await run(dispatcher, 'threadId');
    expect(after.ok).toBe(true);
    expect(after).not.toEqual(before);
    expect(await dispatcher.ready(never)).toBe(1);
  });

  it('reports a thread that fails between tasks as a process warning, and serves on', async () => {
    const dispatcher = await open({ module: works });
    const warned = new Promise<Error>((resolve) => process.once('warning', resolve));
    expect(await run(dispatcher, 'throwLater')).toEqual({ ok: true, result: 'returned' });
    const warning = await warned;
    expect(warning.name).toBe('KokugenWorkerThreadWarning');
    expect(warning.message).toContain('thrown from a timer');
    expect(await run(dispatcher, 'double', 4)).toEqual({ ok: true, result: 8 });
  });
});

describe('WorkerThreadDispatcher: a module that breaks after create()', () => {
  /** Has the only thread replaced while KOKUGEN_TEST_BREAK is `mode`: its work is aborted and, past the grace, terminated. */
  async function replaceThread(mode: string): Promise<Awaited<ReturnType<typeof open>>> {
    const clock = new FakeClock(0);
    const dispatcher = await open({ module: broken('breaks-later'), abortGrace: 10, clock });
    expect(await run(dispatcher, 'later')).toEqual({ ok: true, result: 'ran' });
    const controller = new AbortController();
    const spinning = await start(dispatcher, 'spinForever', null, controller.signal);
    process.env['KOKUGEN_TEST_BREAK'] = mode;
    try {
      controller.abort(new Error('replace the thread'));
      await clock.advance(10);
      await spinning.done;
    } finally {
      delete process.env['KOKUGEN_TEST_BREAK'];
    }
    return dispatcher;
  }

  it('fails the tasks of a thread where it does not load with ERR_WORK_MODULE', async () => {
    const dispatcher = await replaceThread('load');
    const error = (await errorOf(run(dispatcher, 'later'))) as KokugenError;
    expect([error.name, error.code]).toEqual(['WorkModuleError', ErrorCode.WorkModule]);
    expect(error.message).toContain('the module broke in a later thread');
  });

  it('fails a task whose work a thread lacks with ERR_UNKNOWN_WORK', async () => {
    const dispatcher = await replaceThread('missing');
    const error = (await errorOf(run(dispatcher, 'later'))) as KokugenError;
    expect([error.name, error.code]).toEqual(['UnknownWorkError', ErrorCode.UnknownWork]);
  });
});

describe('WorkerThreadDispatcher under a Scheduler: failures recorded', () => {
  it('records each failure with its name and message, and a RetryLaterError schedules a retry', async () => {
    const dispatcher = await open({ module: works, concurrency: 2 });
    const clock = new FakeClock(0);
    const scheduler = track(new Scheduler({ repository: new HeapRepository(), dispatcher, clock }));
    await scheduler.start();
    const ids = ['throwCustom', 'rejectString', 'returnMap', 'exitThread', 'double'];
    const tasks = await Promise.all(ids.map((workId) => scheduler.schedule({ workId, param: 1, delay: 0 })));
    const ended = await Promise.all(tasks.map((task) => scheduler.wait(task.id)));
    expect(ended.map((task) => [task.state, task.error?.name ?? task.result])).toEqual([
      [TaskState.Failed, 'QuotaError'],
      [TaskState.Failed, 'NonErrorThrownError'],
      [TaskState.Failed, 'InvalidResultError'],
      [TaskState.Failed, 'Error'],
      [TaskState.Done, 2],
    ]);
    expect(ended[0]?.error?.message).toBe('quota exceeded');

    const retrying = new Promise<number>((resolve) => scheduler.once('task:retrying', ({ task }) => resolve(task.scheduledAt)));
    await scheduler.schedule({ workId: 'retryLater', delay: 0, retry: { attempts: 2 } });
    expect(await retrying).toBe(clock.now() + 5_000);
    await scheduler.stop();
  });
});
