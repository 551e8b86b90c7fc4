import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StateConflictError } from '../errors.js';
import type { TaskRepository } from '../repository/task-repository.js';
import type { Series } from '../schedule/series.js';
import type { JsonValue, NewTask, Task } from '../task/task.js';
import { TaskState } from '../task/task.js';
import { FakeClock } from './fake-clock.js';
import { flowContract } from './flow-contract.js';
import { operationsContract } from './operations-contract.js';

/** What a contract run needs from the implementation under test: a fresh, empty repository. */
export interface RepositoryFixture {
  readonly repository: TaskRepository;
  /** Closes connections, removes files. */
  readonly close?: () => Promise<void>;
}

let ids = 0;

/** A valid NewTask for tests; override any field. */
export function newTask(overrides: Partial<NewTask> = {}): NewTask {
  return {
    id: `task-${++ids}`,
    workId: 'work',
    param: null,
    scheduledAt: 1_000,
    priority: 0,
    meta: {},
    createdAt: 0,
    seriesId: null,
    retry: null,
    timeout: null,
    deadline: null,
    ...overrides,
  };
}

/**
 * The behaviour every TaskRepository must have. Call it inside a test file with a factory that
 * returns a fresh, empty repository each time; the suite runs unchanged on every implementation.
 */
export function repositoryContract(name: string, create: () => Promise<RepositoryFixture> | RepositoryFixture): void {
  describe(`TaskRepository contract: ${name}`, () => {
    let fixture: RepositoryFixture;
    let repo: TaskRepository;

    beforeEach(async () => {
      fixture = await create();
      repo = fixture.repository;
    });
    afterEach(async () => {
      await fixture.close?.();
    });

    const errorOf = async (promise: Promise<unknown>): Promise<unknown> => {
      try {
        await promise;
      } catch (error) {
        return error;
      }
      return 'resolved';
    };
    const codeOf = async (promise: Promise<unknown>): Promise<unknown> => {
      const error = await errorOf(promise);
      return error === 'resolved' ? error : (error as { code?: unknown }).code;
    };

    describe('add and get', () => {
      it('stores every field and starts the task scheduled', async () => {
        const input = newTask({ id: 'a', workId: 'w', param: { n: 1, list: [1, 'two', null], nested: { ok: true } }, scheduledAt: 1_700_000_000_123, priority: -5, meta: { team: 'ops' }, createdAt: 1_699_999_999_999 });
        const [stored] = await repo.add([input]);
        const got = await repo.get('a');
        for (const task of [stored, got]) {
          expect(task).toMatchObject({ ...input, state: TaskState.Scheduled, dispatchedAt: null, endedAt: null, result: null, error: null, attempt: 0, owner: null, recovered: false });
          expect(typeof task?.seq).toBe('number');
        }
      });

      it('returns undefined for an unknown id', async () => {
        expect(await repo.get('nope')).toBeUndefined();
      });

      it('assigns increasing seq in input order', async () => {
        const stored = await repo.add([newTask(), newTask(), newTask()]);
        const seqs = stored.map((t) => t.seq);
        expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
        expect(new Set(seqs).size).toBe(3);
      });

      it('rejects an existing id with ERR_DUPLICATE_ID and stores none of the batch', async () => {
        await repo.add([newTask({ id: 'dup' })]);
        const fresh = newTask();
        expect(await codeOf(repo.add([fresh, newTask({ id: 'dup', param: 'other' })]))).toBe('ERR_DUPLICATE_ID');
        expect(await repo.get(fresh.id)).toBeUndefined();
        expect((await repo.get('dup'))?.param).toBeNull();
      });

      it('rejects an id repeated inside one batch and stores none of it', async () => {
        expect(await codeOf(repo.add([newTask({ id: 'twice' }), newTask({ id: 'twice' })]))).toBe('ERR_DUPLICATE_ID');
        expect(await repo.get('twice')).toBeUndefined();
      });

      it('keeps params byte-identical: SQL metacharacters, unicode, 10 kB strings', async () => {
        const params: JsonValue[] = [
          "'; DROP TABLE tasks; -- \" \\ %_ \u0000",
          { 'key with "quotes"': 'ユニコード 🎌', emptyList: [], emptyObject: {}, negZero: 0, big: 1.7976931348623157e308, tiny: 5e-324 },
          'x'.repeat(10_240),
          [1, [2, [3, [4]]]],
          true,
          0.1,
        ];
        const stored = await repo.add(params.map((param) => newTask({ param })));
        for (const [i, task] of stored.entries()) {
          expect(JSON.stringify((await repo.get(task.id))?.param)).toBe(JSON.stringify(params[i]));
        }
      });

      it('keeps millisecond timestamps exactly, far in the past and the future', async () => {
        const times = [0, 1, -86_400_000_123, 1_767_225_600_001, 8.64e15, -8.64e15];
        const stored = await repo.add(times.map((scheduledAt) => newTask({ scheduledAt, createdAt: scheduledAt })));
        for (const [i, task] of stored.entries()) {
          const got = await repo.get(task.id);
          expect(got?.scheduledAt).toBe(times[i]);
          expect(got?.createdAt).toBe(times[i]);
        }
      });
    });

    describe('claimDue', () => {
      it('claims due tasks by time, then higher priority, then creation order, up to the limit', async () => {
        await repo.add([
          newTask({ id: 'late', scheduledAt: 300 }),
          newTask({ id: 'low', scheduledAt: 100, priority: 0 }),
          newTask({ id: 'high', scheduledAt: 100, priority: 9 }),
          newTask({ id: 'first', scheduledAt: 50 }),
          newTask({ id: 'low2', scheduledAt: 100, priority: 0 }),
          newTask({ id: 'future', scheduledAt: 10_000 }),
        ]);
        const first = await repo.claimDue(300, 3, 'me');
        expect(first.map((t) => t.id)).toEqual(['first', 'high', 'low']);
        const second = await repo.claimDue(300, 10, 'me');
        expect(second.map((t) => t.id)).toEqual(['low2', 'late']);
        expect(await repo.claimDue(9_999, 10, 'me')).toEqual([]);
      });

      it('marks claimed tasks dispatched with the claim time, once', async () => {
        await repo.add([newTask({ id: 'a', scheduledAt: 10 })]);
        const [claimed] = await repo.claimDue(25, 5, 'me');
        expect(claimed).toMatchObject({ id: 'a', state: TaskState.Dispatched, dispatchedAt: 25, owner: 'me', attempt: 1 });
        expect((await repo.get('a'))?.state).toBe(TaskState.Dispatched);
        expect(await repo.claimDue(25, 5, 'me')).toEqual([]);
      });

      it('never claims a task whose time was moved past now', async () => {
        await repo.add([newTask({ id: 'a', scheduledAt: 10 })]);
        await repo.update('a', { scheduledAt: 500 });
        expect(await repo.claimDue(499, 5, 'me')).toEqual([]);
        expect((await repo.claimDue(500, 5, 'me')).map((t) => t.id)).toEqual(['a']);
      });

      it('claims a task moved earlier at its new time', async () => {
        await repo.add([newTask({ id: 'a', scheduledAt: 500 })]);
        await repo.update('a', { scheduledAt: 20 });
        expect((await repo.claimDue(20, 5, 'me')).map((t) => t.id)).toEqual(['a']);
      });

      it('follows priority changes', async () => {
        await repo.add([newTask({ id: 'a', scheduledAt: 5 }), newTask({ id: 'b', scheduledAt: 5 })]);
        await repo.update('b', { priority: 3 });
        expect((await repo.claimDue(5, 1, 'me')).map((t) => t.id)).toEqual(['b']);
      });

      it('never claims a cancelled task', async () => {
        await repo.add([newTask({ id: 'a', scheduledAt: 5 }), newTask({ id: 'b', scheduledAt: 6 })]);
        await repo.cancel('a', 1);
        expect((await repo.claimDue(10, 5, 'me')).map((t) => t.id)).toEqual(['b']);
      });
    });

    describe('update', () => {
      it('changes param, priority, meta and time of a scheduled task', async () => {
        await repo.add([newTask({ id: 'a' })]);
        const updated = await repo.update('a', { param: { v: 2 }, priority: 7, meta: { k: 'v' }, scheduledAt: 42 });
        expect(updated).toMatchObject({ param: { v: 2 }, priority: 7, meta: { k: 'v' }, scheduledAt: 42, state: TaskState.Scheduled });
        expect(await repo.get('a')).toEqual(updated);
      });

      it('refuses unknown, dispatched and cancelled tasks with typed errors', async () => {
        await repo.add([newTask({ id: 'run', scheduledAt: 1 }), newTask({ id: 'gone', scheduledAt: 1_000 })]);
        await repo.claimDue(1, 1, 'me');
        await repo.cancel('gone', 2);
        expect(await codeOf(repo.update('missing', { priority: 1 }))).toBe('ERR_TASK_NOT_FOUND');
        expect(await codeOf(repo.update('run', { priority: 1 }))).toBe('ERR_ALREADY_DISPATCHED');
        expect(await codeOf(repo.update('gone', { priority: 1 }))).toBe('ERR_TASK_CANCELLED');
        expect((await repo.get('run'))?.priority).toBe(0);
      });
    });

    describe('cancel', () => {
      it('cancels a scheduled task once', async () => {
        await repo.add([newTask({ id: 'a' })]);
        expect(await repo.cancel('a', 77)).toMatchObject({ id: 'a', state: TaskState.Cancelled, endedAt: 77 });
        expect(await repo.cancel('a', 78)).toBeUndefined();
        expect((await repo.get('a'))?.endedAt).toBe(77);
      });

      it('refuses a running task and reports an ended one as undefined', async () => {
        await repo.add([newTask({ id: 'a', scheduledAt: 1 })]);
        await repo.claimDue(1, 1, 'me');
        expect(await codeOf(repo.cancel('a', 2))).toBe('ERR_ALREADY_DISPATCHED');
        await repo.complete('a', { state: TaskState.Done, result: 1 }, 3);
        expect(await repo.cancel('a', 4)).toBeUndefined();
        expect(await codeOf(repo.cancel('missing', 4))).toBe('ERR_TASK_NOT_FOUND');
      });
    });

    describe('complete', () => {
      it('records a result or an error with the end time', async () => {
        await repo.add([newTask({ id: 'ok', scheduledAt: 1 }), newTask({ id: 'bad', scheduledAt: 1 })]);
        await repo.claimDue(1, 2, 'me');
        const result = { rows: [1, 2], note: "it's \"done\"" };
        expect((await repo.complete('ok', { state: TaskState.Done, result }, 9)).task).toMatchObject({ state: TaskState.Done, result, endedAt: 9, error: null });
        const error = { name: 'TypeError', message: 'boom', attempt: 1, at: 10 };
        const failed = (await repo.complete('bad', { state: TaskState.Failed, error }, 10)).task;
        expect(failed).toMatchObject({ state: TaskState.Failed, error: { name: 'TypeError', message: 'boom' }, endedAt: 10, errors: [error] });
        expect(await repo.get('ok')).toMatchObject({ state: TaskState.Done, result });
        expect(await repo.get('bad')).toEqual(failed);
      });

      it('refuses a task that is not dispatched with ERR_STATE_CONFLICT, whatever the outcome, changing nothing', async () => {
        const conflict = (actual: string) => ({ code: 'ERR_STATE_CONFLICT', taskId: 'a', expected: TaskState.Dispatched, actual });
        await repo.add([newTask({ id: 'a', scheduledAt: 1 })]);
        expect(await errorOf(repo.complete('a', { state: TaskState.Done, result: null }, 2))).toMatchObject(conflict(TaskState.Scheduled));
        expect(await codeOf(repo.complete('missing', { state: TaskState.Done, result: null }, 2))).toBe('ERR_TASK_NOT_FOUND');
        await repo.claimDue(1, 1, 'me');
        await repo.complete('a', { state: TaskState.Done, result: 'first' }, 3);
        const ended = await repo.get('a');
        // Another attempt ended it first: every kind of outcome, with or without a next occurrence, is refused alike.
        const late = await Promise.all([
          errorOf(repo.complete('a', { state: TaskState.Done, result: 'second' }, 4)),
          errorOf(repo.complete('a', { state: TaskState.Expired, error: { name: 'DeadlineExceeded', message: 'late' } }, 4)),
          errorOf(repo.complete('a', { state: TaskState.Failed, error: { name: 'Error', message: 'x', attempt: 1, at: 4 } }, 4)),
          errorOf(repo.complete('a', { state: TaskState.Scheduled, scheduledAt: 9, error: { name: 'Error', message: 'x', attempt: 1, at: 4 } }, 4)),
          errorOf(repo.complete('a', { state: TaskState.Done, result: 'second' }, 4, newTask({ id: 'a-next', scheduledAt: 9 }))),
        ]);
        for (const error of late) expect(error).toMatchObject(conflict(TaskState.Done));
        expect(await repo.get('a')).toEqual(ended);
        expect(await repo.get('a-next')).toBeUndefined();
      });

      it('refuses a cancelled task with ERR_STATE_CONFLICT', async () => {
        await repo.add([newTask({ id: 'a', scheduledAt: 1 })]);
        await repo.cancel('a', 2);
        const error = await errorOf(repo.complete('a', { state: TaskState.Done, result: null }, 3));
        expect(error).toBeInstanceOf(StateConflictError);
        expect(error).toMatchObject({ code: 'ERR_STATE_CONFLICT', taskId: 'a', expected: TaskState.Dispatched, actual: TaskState.Cancelled });
      });
    });

    describe('recover', () => {
      it('puts tasks its owner left dispatched back to scheduled, flagged, keeping time and attempt', async () => {
        await repo.add([newTask({ id: 'mine', scheduledAt: 5 }), newTask({ id: 'theirs', scheduledAt: 6 }), newTask({ id: 'later', scheduledAt: 50 })]);
        await repo.claimDue(5, 1, 'me');
        await repo.claimDue(6, 1, 'other');
        const recovered = await repo.recover('me', 'rerun', 40);
        expect(recovered.map((t) => t.id)).toEqual(['mine']);
        expect(await repo.get('mine')).toMatchObject({ state: TaskState.Scheduled, recovered: true, attempt: 1, scheduledAt: 5 });
        expect((await repo.get('theirs'))?.state).toBe(TaskState.Dispatched);
        const again = await repo.claimDue(40, 5, 'me');
        expect(again.map((t) => [t.id, t.attempt, t.recovered])).toEqual([['mine', 2, true]]);
      });

      it('ends them failed with a CrashRecovery error under the fail policy', async () => {
        await repo.add([newTask({ id: 'a', scheduledAt: 5 })]);
        await repo.claimDue(5, 1, 'me');
        const [failed] = await repo.recover('me', 'fail', 9);
        expect(failed).toMatchObject({ id: 'a', state: TaskState.Failed, recovered: true, endedAt: 9, error: { name: 'CrashRecovery' } });
        expect(await repo.get('a')).toEqual(failed);
        expect(await repo.recover('me', 'fail', 10)).toEqual([]);
      });
    });

    describe('find by state', () => {
      it('lists tasks of one state, scheduled ones in run order, with a limit', async () => {
        await repo.add([newTask({ id: 'c', scheduledAt: 30 }), newTask({ id: 'a', scheduledAt: 10 }), newTask({ id: 'b', scheduledAt: 20 }), newTask({ id: 'd', scheduledAt: 5 })]);
        await repo.claimDue(5, 1, 'me');
        expect((await repo.find({ state: TaskState.Scheduled })).map((t) => t.id)).toEqual(['a', 'b', 'c']);
        expect((await repo.find({ state: TaskState.Scheduled, limit: 2 })).map((t) => t.id)).toEqual(['a', 'b']);
        expect((await repo.find({ state: TaskState.Dispatched })).map((t) => t.id)).toEqual(['d']);
        expect(await repo.find({ state: TaskState.Done })).toEqual([]);
      });
    });

    describe('timer', () => {
      const watchWith = (clock: FakeClock): { calls: number[]; stop: () => void } => {
        const calls: number[] = [];
        const stop = repo.watch({ clock, keepAlive: false, onDue: () => calls.push(clock.now()) });
        return { calls, stop };
      };

      it('wakes when the earliest task is due, not before', async () => {
        const clock = new FakeClock(0);
        const { calls, stop } = watchWith(clock);
        await repo.add([newTask({ scheduledAt: 100 }), newTask({ scheduledAt: 300 })]);
        await clock.advance(99);
        expect(calls).toEqual([]);
        await clock.advance(1);
        expect(calls).toEqual([100]);
        stop();
      });

      it('re-arms when a new earliest task arrives', async () => {
        const clock = new FakeClock(0);
        const { calls, stop } = watchWith(clock);
        await repo.add([newTask({ scheduledAt: 500 })]);
        await repo.add([newTask({ scheduledAt: 200 })]);
        await clock.advance(200);
        expect(calls).toEqual([200]);
        stop();
      });

      it('moves with the earliest task when its time changes, never firing early', async () => {
        const clock = new FakeClock(0);
        const { calls, stop } = watchWith(clock);
        await repo.add([newTask({ id: 'a', scheduledAt: 100 })]);
        await repo.update('a', { scheduledAt: 400 });
        await clock.advance(399);
        expect(calls).toEqual([]);
        await clock.advance(1);
        expect(calls).toEqual([400]);
        await repo.update('a', { scheduledAt: 450 });
        await repo.update('a', { scheduledAt: 420 });
        await clock.advance(100);
        expect(calls).toEqual([400, 420]);
        stop();
      });

      it('moves to the next task when the earliest is cancelled or claimed', async () => {
        const clock = new FakeClock(0);
        const { calls, stop } = watchWith(clock);
        await repo.add([newTask({ id: 'a', scheduledAt: 100 }), newTask({ id: 'b', scheduledAt: 200 }), newTask({ id: 'c', scheduledAt: 300 })]);
        await repo.cancel('a', 0);
        await clock.advance(200);
        expect(calls).toEqual([200]);
        await repo.claimDue(200, 1, 'me');
        await clock.advance(100);
        expect(calls).toEqual([200, 300]);
        stop();
      });

      it('wakes at once for tasks already due when watching starts', async () => {
        const clock = new FakeClock(1_000);
        await repo.add([newTask({ scheduledAt: 10 })]);
        const { calls, stop } = watchWith(clock);
        await clock.tick();
        expect(calls).toEqual([1_000]);
        stop();
      });

      it('stops waking after unwatch', async () => {
        const clock = new FakeClock(0);
        const { calls, stop } = watchWith(clock);
        await repo.add([newTask({ scheduledAt: 100 })]);
        stop();
        await clock.advance(1_000);
        expect(calls).toEqual([]);
      });
    });

    describe('snapshots', () => {
      it('hands out tasks that later writes do not change', async () => {
        await repo.add([newTask({ id: 'a', scheduledAt: 1 })]);
        const before: Task | undefined = await repo.get('a');
        await repo.update('a', { priority: 5 });
        expect(before?.priority).toBe(0);
      });
    });

    describe('retries, removal, queries and series', () => {
      const attemptError = (attempt: number, at: number) => ({ name: 'Error', message: `attempt ${attempt}`, attempt, at });
      const series = (overrides: Partial<Series> = {}): Series => ({
        id: 's',
        workId: 'work',
        param: { n: 1 },
        schedule: { kind: 'every', ms: 100, anchor: 0 },
        misfire: 'once',
        grace: 1_000,
        priority: 2,
        meta: { k: 'v' },
        retry: { attempts: 3, backoff: 'fixed', delay: 10, maxDelay: 100, jitter: 0.5 },
        timeout: 2_500,
        enabled: true,
        error: null,
        createdAt: 5,
        ...overrides,
      });
      const occurrence = (id: string, scheduledAt: number, seriesId = 's') => newTask({ id, scheduledAt, seriesId });

      it('stores the retry policy, timeout, deadline and series of a task', async () => {
        const retry = { attempts: 4, backoff: 'exponential', delay: 1.5, maxDelay: 60_000, jitter: 0.25 } as const;
        const input = newTask({ id: 'a', retry, timeout: 1_500.5, deadline: 9_000, seriesId: 'x' });
        const [stored] = await repo.add([input]);
        expect(stored).toMatchObject({ retry, timeout: 1_500.5, deadline: 9_000, seriesId: 'x', errors: [] });
        expect(await repo.get('a')).toEqual(stored);
      });

      it('puts a task back for a retry at its new time, keeping the attempt count and the errors', async () => {
        await repo.add([newTask({ id: 'a', scheduledAt: 10 })]);
        await repo.claimDue(10, 1, 'me');
        const { task: retrying } = await repo.complete('a', { state: 'scheduled', scheduledAt: 50, error: attemptError(1, 12) }, 12);
        expect(retrying).toMatchObject({ state: 'scheduled', scheduledAt: 50, attempt: 1, endedAt: null, errors: [attemptError(1, 12)] });
        expect(await repo.get('a')).toEqual(retrying);
        expect(await repo.claimDue(49, 5, 'me')).toEqual([]);
        const [again] = await repo.claimDue(50, 5, 'me');
        expect(again).toMatchObject({ id: 'a', attempt: 2 });
        const { task: failed } = await repo.complete('a', { state: 'failed', error: attemptError(2, 55) }, 55);
        expect(failed).toMatchObject({ state: 'failed', endedAt: 55, error: { name: 'Error', message: 'attempt 2' }, errors: [attemptError(1, 12), attemptError(2, 55)] });
        expect(await repo.get('a')).toEqual(failed);
      });

      it('ends a task expired with its error', async () => {
        await repo.add([newTask({ id: 'a', scheduledAt: 1 })]);
        await repo.claimDue(5, 1, 'me');
        const { task } = await repo.complete('a', { state: 'expired', error: { name: 'DeadlineExceeded', message: 'late' } }, 6);
        expect(task).toMatchObject({ state: 'expired', endedAt: 6, error: { name: 'DeadlineExceeded', message: 'late' } });
        expect(await repo.get('a')).toEqual(task);
        expect(await repo.cancel('a', 7)).toBeUndefined();
      });

      it('claims no more of a work than its limit and leaves the rest for a later claim', async () => {
        await repo.add([
          newTask({ id: 'busy', workId: 'full', scheduledAt: 1 }),
          newTask({ id: 'one', workId: 'capped', scheduledAt: 2 }),
          newTask({ id: 'two', workId: 'capped', scheduledAt: 3 }),
          newTask({ id: 'free', workId: 'work', scheduledAt: 4 }),
        ]);
        const limits = new Map([['full', 0], ['capped', 1]]);
        expect((await repo.claimDue(5, 5, 'me', limits)).map((t) => t.id)).toEqual(['one', 'free']);
        expect((await repo.claimDue(5, 5, 'me')).map((t) => t.id)).toEqual(['busy', 'two']);
      });

      it('claims only tasks of the works it is given, leaving the others due for processes that have them', async () => {
        await repo.add([
          newTask({ id: 'mine', workId: 'here', scheduledAt: 1 }),
          newTask({ id: 'theirs', workId: 'elsewhere', scheduledAt: 2 }),
          newTask({ id: 'capped', workId: 'limited', scheduledAt: 3 }),
          newTask({ id: 'capped-2', workId: 'limited', scheduledAt: 4 }),
        ]);
        const works = new Set(['here', 'limited']);
        expect((await repo.claimDue(5, 5, 'me', new Map([['limited', 1]]), works)).map((t) => t.id)).toEqual(['mine', 'capped']);
        expect(await repo.claimDue(5, 5, 'me', undefined, new Set(['nothing']))).toEqual([]);
        expect((await repo.claimDue(5, 5, 'me')).map((t) => t.id)).toEqual(['theirs', 'capped-2']);
      });

      it('follows the first task due after now when due tasks wait for their work', async () => {
        const clock = new FakeClock(0);
        const calls: number[] = [];
        const stop = repo.watch({ clock, keepAlive: false, onDue: () => calls.push(clock.now()) });
        await repo.add([newTask({ id: 'blocked', workId: 'full', scheduledAt: 0 }), newTask({ id: 'later', workId: 'work', scheduledAt: 50 })]);
        await clock.tick();
        calls.length = 0;
        expect(await repo.claimDue(0, 5, 'me', new Map([['full', 0]]))).toEqual([]);
        await clock.advance(49);
        expect(calls).toEqual([]);
        await clock.advance(1);
        expect(calls).toEqual([50]);
        stop();
      });

      it('removes a task that is not running, refuses a running one, and moves the timer on', async () => {
        await repo.add([newTask({ id: 'first', scheduledAt: 100 }), newTask({ id: 'second', scheduledAt: 200 }), newTask({ id: 'run', scheduledAt: 0 })]);
        await repo.claimDue(0, 1, 'me');
        const clock = new FakeClock(0);
        const calls: number[] = [];
        const stop = repo.watch({ clock, keepAlive: false, onDue: () => calls.push(clock.now()) });
        expect(await repo.remove('first')).toBe(true);
        expect(await repo.remove('first')).toBe(false);
        expect(await repo.get('first')).toBeUndefined();
        expect(await codeOf(repo.remove('run'))).toBe('ERR_ALREADY_DISPATCHED');
        await clock.advance(200);
        expect(calls).toEqual([200]);
        stop();
      });

      it('finds tasks by work and series, paged, in creation order', async () => {
        await repo.add([newTask({ id: 'a', workId: 'x', scheduledAt: 30 }), newTask({ id: 'b', workId: 'y' }), newTask({ id: 'c', workId: 'x', scheduledAt: 10, seriesId: 'z' }), newTask({ id: 'd', workId: 'x' })]);
        expect((await repo.find({ workId: 'x' })).map((t) => t.id)).toEqual(['a', 'c', 'd']);
        expect((await repo.find({ workId: 'x', limit: 1, offset: 1 })).map((t) => t.id)).toEqual(['c']);
        expect((await repo.find({ seriesId: 'z' })).map((t) => t.id)).toEqual(['c']);
        expect((await repo.find({ state: 'scheduled', workId: 'x' })).map((t) => t.id)).toEqual(['c', 'a', 'd']);
        expect(await repo.find({ workId: 'none' })).toEqual([]);
      });

      it('stores a series with its first occurrence, both or neither', async () => {
        const first = await repo.addSeries(series(), occurrence('s-1', 100));
        expect(first).toMatchObject({ id: 's-1', seriesId: 's', state: 'scheduled', scheduledAt: 100 });
        expect(await repo.getSeries('s')).toEqual(series());
        expect(await codeOf(repo.addSeries(series(), occurrence('s-2', 100)))).toBe('ERR_DUPLICATE_ID');
        expect(await repo.get('s-2')).toBeUndefined();
        expect(await codeOf(repo.addSeries(series({ id: 't' }), occurrence('s-1', 100, 't')))).toBe('ERR_DUPLICATE_ID');
        expect(await repo.getSeries('t')).toBeUndefined();
        await repo.addSeries(series({ id: 'r', createdAt: 6 }), occurrence('r-1', 100, 'r'));
        expect((await repo.listSeries()).map((s) => s.id)).toEqual(['s', 'r']);
        expect(await repo.getSeries('none')).toBeUndefined();
      });

      it('adds the next occurrence with the outcome only while the series is enabled and has none scheduled', async () => {
        await repo.addSeries(series(), occurrence('s-1', 100));
        await repo.claimDue(100, 1, 'me');
        expect(await codeOf(repo.complete('s-1', { state: 'done', result: 1 }, 101, newTask({ id: 's-1' })))).toBe('ERR_DUPLICATE_ID');
        expect((await repo.get('s-1'))?.state).toBe('dispatched');
        const { task, next } = await repo.complete('s-1', { state: 'done', result: 1 }, 101, occurrence('s-2', 200));
        expect(task).toMatchObject({ id: 's-1', state: 'done' });
        expect(next).toMatchObject({ id: 's-2', seriesId: 's', state: 'scheduled', scheduledAt: 200 });
        expect(await repo.get('s-2')).toEqual(next);
        await repo.setSeriesEnabled('s', false, 150);
        await repo.add([occurrence('s-3', 300)]);
        await repo.claimDue(300, 5, 'me');
        expect((await repo.complete('s-3', { state: 'done', result: 1 }, 301, occurrence('s-4', 400))).next).toBeUndefined();
        expect(await repo.get('s-4')).toBeUndefined();
      });

      it('disables a series by cancelling its scheduled occurrence, and enables it with a new one', async () => {
        await repo.addSeries(series(), occurrence('s-1', 100));
        const disabled = await repo.setSeriesEnabled('s', false, 50);
        expect(disabled.series.enabled).toBe(false);
        expect(disabled.task).toMatchObject({ id: 's-1', state: 'cancelled', endedAt: 50 });
        expect((await repo.getSeries('s'))?.enabled).toBe(false);
        const enabled = await repo.setSeriesEnabled('s', true, 60, occurrence('s-2', 200));
        expect(enabled.task).toMatchObject({ id: 's-2', state: 'scheduled' });
        expect((await repo.setSeriesEnabled('s', true, 70, occurrence('s-3', 300))).task).toBeUndefined();
        expect(await repo.get('s-3')).toBeUndefined();
        expect(await codeOf(repo.setSeriesEnabled('none', true, 70))).toBe('ERR_SERIES_NOT_FOUND');
      });

      it('keeps the reason a series was disabled with until it is enabled again', async () => {
        await repo.addSeries(series(), occurrence('s-1', 100));
        const reason = { name: 'InvalidScheduleError', message: 'the schedule produced an invalid Date' };
        expect((await repo.setSeriesEnabled('s', false, 50, undefined, reason)).series).toMatchObject({ enabled: false, error: reason });
        expect((await repo.getSeries('s'))?.error).toEqual(reason);
        expect((await repo.listSeries())[0]?.error).toEqual(reason);
        const enabled = await repo.setSeriesEnabled('s', true, 60, occurrence('s-2', 200));
        expect(enabled.series).toMatchObject({ enabled: true, error: null });
        expect((await repo.getSeries('s'))?.error).toBeNull();
        await repo.setSeriesEnabled('s', false, 70);
        expect((await repo.getSeries('s'))?.error).toBeNull();
      });

      it('removes a series with its tasks except a running one', async () => {
        await repo.addSeries(series(), occurrence('s-1', 10));
        await repo.claimDue(10, 1, 'me');
        await repo.add([occurrence('s-2', 20), newTask({ id: 'other' })]);
        expect(await repo.removeSeries('s')).toBe(true);
        expect(await repo.removeSeries('s')).toBe(false);
        expect(await repo.getSeries('s')).toBeUndefined();
        expect((await repo.get('s-1'))?.state).toBe('dispatched');
        expect(await repo.get('s-2')).toBeUndefined();
        expect(await repo.get('other')).toBeDefined();
      });
    });

    describe('flows', () => {
      flowContract(() => repo, newTask);
    });
    operationsContract(() => repo);
  });
}
