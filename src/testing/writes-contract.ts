import { StateConflictError } from '../errors.js';
import type { TaskRepository } from '../repository/task-repository.js';
import type { JsonValue, Task } from '../task/task.js';
import { TaskState } from '../task/task.js';
import { codeOf, errorOf, newTask } from './contract-helpers.js';
import { expect } from './expect.js';
import type { TestFramework } from './framework.js';

/** Repository contract: adding, reading, updating, cancelling and completing tasks, and the snapshots reads hand out. `repo()` is the fresh repository of the running test. */
export function writesContract(repo: () => TaskRepository, test: TestFramework): void {
  const { describe, it } = test;
  describe('add and get', () => {
    it('stores every field and starts the task scheduled', async () => {
      const input = newTask({ id: 'a', workId: 'w', param: { n: 1, list: [1, 'two', null], nested: { ok: true } }, scheduledAt: 1_700_000_000_123, priority: -5, meta: { team: 'ops' }, createdAt: 1_699_999_999_999 });
      const [stored] = await repo().add([input]);
      const got = await repo().get('a');
      for (const task of [stored, got]) {
        expect(task).toMatchObject({ ...input, state: TaskState.Scheduled, dispatchedAt: null, endedAt: null, result: null, error: null, attempt: 0, owner: null, recovered: false });
        expect(typeof task?.seq).toBe('number');
      }
    });

    it('returns undefined for an unknown id', async () => {
      expect(await repo().get('nope')).toBeUndefined();
    });

    it('assigns increasing seq in input order', async () => {
      const stored = await repo().add([newTask(), newTask(), newTask()]);
      const seqs = stored.map((t) => t.seq);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      expect(new Set(seqs).size).toBe(3);
    });

    it('rejects an existing id with ERR_DUPLICATE_ID and stores none of the batch', async () => {
      await repo().add([newTask({ id: 'dup' })]);
      const fresh = newTask();
      expect(await codeOf(repo().add([fresh, newTask({ id: 'dup', param: 'other' })]))).toBe('ERR_DUPLICATE_ID');
      expect(await repo().get(fresh.id)).toBeUndefined();
      expect((await repo().get('dup'))?.param).toBeNull();
    });

    it('rejects an id repeated inside one batch and stores none of it', async () => {
      expect(await codeOf(repo().add([newTask({ id: 'twice' }), newTask({ id: 'twice' })]))).toBe('ERR_DUPLICATE_ID');
      expect(await repo().get('twice')).toBeUndefined();
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
      const stored = await repo().add(params.map((param) => newTask({ param })));
      for (const [i, task] of stored.entries()) {
        expect(JSON.stringify((await repo().get(task.id))?.param)).toBe(JSON.stringify(params[i]));
      }
    });

    it('keeps millisecond timestamps exactly, far in the past and the future', async () => {
      const times = [0, 1, -86_400_000_123, 1_767_225_600_001, 8.64e15, -8.64e15];
      const stored = await repo().add(times.map((scheduledAt) => newTask({ scheduledAt, createdAt: scheduledAt })));
      for (const [i, task] of stored.entries()) {
        const got = await repo().get(task.id);
        expect(got?.scheduledAt).toBe(times[i]);
        expect(got?.createdAt).toBe(times[i]);
      }
    });
  });

  describe('update', () => {
    it('changes param, priority, meta and time of a scheduled task', async () => {
      await repo().add([newTask({ id: 'a' })]);
      const updated = await repo().update('a', { param: { v: 2 }, priority: 7, meta: { k: 'v' }, scheduledAt: 42 });
      expect(updated).toMatchObject({ param: { v: 2 }, priority: 7, meta: { k: 'v' }, scheduledAt: 42, state: TaskState.Scheduled });
      expect(await repo().get('a')).toEqual(updated);
    });

    it('refuses unknown, dispatched and cancelled tasks with typed errors', async () => {
      await repo().add([newTask({ id: 'run', scheduledAt: 1 }), newTask({ id: 'gone', scheduledAt: 1_000 })]);
      await repo().claimDue(1, 1, 'me');
      await repo().cancel('gone', 2);
      expect(await codeOf(repo().update('missing', { priority: 1 }))).toBe('ERR_TASK_NOT_FOUND');
      expect(await codeOf(repo().update('run', { priority: 1 }))).toBe('ERR_ALREADY_DISPATCHED');
      expect(await codeOf(repo().update('gone', { priority: 1 }))).toBe('ERR_TASK_CANCELLED');
      expect((await repo().get('run'))?.priority).toBe(0);
    });
  });

  describe('cancel', () => {
    it('cancels a scheduled task once', async () => {
      await repo().add([newTask({ id: 'a' })]);
      expect(await repo().cancel('a', 77)).toMatchObject({ id: 'a', state: TaskState.Cancelled, endedAt: 77 });
      expect(await repo().cancel('a', 78)).toBeUndefined();
      expect((await repo().get('a'))?.endedAt).toBe(77);
    });

    it('refuses a running task and reports an ended one as undefined', async () => {
      await repo().add([newTask({ id: 'a', scheduledAt: 1 })]);
      await repo().claimDue(1, 1, 'me');
      expect(await codeOf(repo().cancel('a', 2))).toBe('ERR_ALREADY_DISPATCHED');
      await repo().complete('a', { state: TaskState.Done, result: 1 }, 3);
      expect(await repo().cancel('a', 4)).toBeUndefined();
      expect(await codeOf(repo().cancel('missing', 4))).toBe('ERR_TASK_NOT_FOUND');
    });
  });

  describe('complete', () => {
    it('records a result or an error with the end time', async () => {
      await repo().add([newTask({ id: 'ok', scheduledAt: 1 }), newTask({ id: 'bad', scheduledAt: 1 })]);
      await repo().claimDue(1, 2, 'me');
      const result = { rows: [1, 2], note: "it's \"done\"" };
      expect((await repo().complete('ok', { state: TaskState.Done, result }, 9)).task).toMatchObject({ state: TaskState.Done, result, endedAt: 9, error: null });
      const error = { name: 'TypeError', message: 'boom', attempt: 1, at: 10 };
      const failed = (await repo().complete('bad', { state: TaskState.Failed, error }, 10)).task;
      expect(failed).toMatchObject({ state: TaskState.Failed, error: { name: 'TypeError', message: 'boom' }, endedAt: 10, errors: [error] });
      expect(await repo().get('ok')).toMatchObject({ state: TaskState.Done, result });
      expect(await repo().get('bad')).toEqual(failed);
    });

    it('refuses a task that is not dispatched with ERR_STATE_CONFLICT, whatever the outcome, changing nothing', async () => {
      const conflict = (actual: string) => ({ code: 'ERR_STATE_CONFLICT', taskId: 'a', expected: TaskState.Dispatched, actual });
      await repo().add([newTask({ id: 'a', scheduledAt: 1 })]);
      expect(await errorOf(repo().complete('a', { state: TaskState.Done, result: null }, 2))).toMatchObject(conflict(TaskState.Scheduled));
      expect(await codeOf(repo().complete('missing', { state: TaskState.Done, result: null }, 2))).toBe('ERR_TASK_NOT_FOUND');
      await repo().claimDue(1, 1, 'me');
      await repo().complete('a', { state: TaskState.Done, result: 'first' }, 3);
      const ended = await repo().get('a');
      // Another attempt ended it first: every kind of outcome, with or without a next occurrence, is refused alike.
      const late = await Promise.all([
        errorOf(repo().complete('a', { state: TaskState.Done, result: 'second' }, 4)),
        errorOf(repo().complete('a', { state: TaskState.Expired, error: { name: 'DeadlineExceeded', message: 'late' } }, 4)),
        errorOf(repo().complete('a', { state: TaskState.Failed, error: { name: 'Error', message: 'x', attempt: 1, at: 4 } }, 4)),
        errorOf(repo().complete('a', { state: TaskState.Scheduled, scheduledAt: 9, error: { name: 'Error', message: 'x', attempt: 1, at: 4 } }, 4)),
        errorOf(repo().complete('a', { state: TaskState.Done, result: 'second' }, 4, newTask({ id: 'a-next', scheduledAt: 9 }))),
      ]);
      for (const error of late) expect(error).toMatchObject(conflict(TaskState.Done));
      expect(await repo().get('a')).toEqual(ended);
      expect(await repo().get('a-next')).toBeUndefined();
    });

    it('refuses a cancelled task with ERR_STATE_CONFLICT', async () => {
      await repo().add([newTask({ id: 'a', scheduledAt: 1 })]);
      await repo().cancel('a', 2);
      const error = await errorOf(repo().complete('a', { state: TaskState.Done, result: null }, 3));
      expect(error).toBeInstanceOf(StateConflictError);
      expect(error).toMatchObject({ code: 'ERR_STATE_CONFLICT', taskId: 'a', expected: TaskState.Dispatched, actual: TaskState.Cancelled });
    });
  });

  describe('snapshots', () => {
    it('hands out tasks that later writes do not change', async () => {
      await repo().add([newTask({ id: 'a', scheduledAt: 1 })]);
      const before: Task | undefined = await repo().get('a');
      await repo().update('a', { priority: 5 });
      expect(before?.priority).toBe(0);
    });
  });
}
