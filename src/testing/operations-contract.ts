import type { TaskRepository } from '../repository/task-repository.js';
import { TaskState } from '../task/task.js';
import { newTask } from './contract-helpers.js';
import { expect } from './expect.js';
import { FakeClock } from './fake-clock.js';
import type { TestFramework } from './framework.js';

/**
 * The contract's cases for the operations methods (`stats`, `retry`, `purge`), run by
 * `repositoryContract` inside its own describe: a block of its own so that it reads (and merges)
 * apart from the loop's methods.
 */
export function operationsContract(repository: () => TaskRepository, test: TestFramework): void {
  const { describe, it } = test;
  const codeOf = async (promise: Promise<unknown>): Promise<unknown> => {
    try {
      await promise;
    } catch (error) {
      return (error as { code?: unknown }).code;
    }
    return 'resolved';
  };
  const attemptError = (at: number) => ({ name: 'Error', message: `failed at ${at}`, attempt: 1, at });

  /** Adds one task per end state (and a scheduled and a dispatched one): ids are the states. */
  async function oneOfEach(repo: TaskRepository): Promise<void> {
    await repo.add(['done', 'failed', 'expired', 'cancelled', 'dispatched', 'scheduled'].map((id, i) => newTask({ id, workId: i % 2 === 0 ? 'even' : 'odd', scheduledAt: id === 'scheduled' ? 500 : id === 'cancelled' ? 600 : 10 + i })));
    expect(await repo.claimDue(20, 4, 'me')).toHaveLength(4);
    await repo.complete('done', { state: TaskState.Done, result: 'ok' }, 30);
    await repo.complete('failed', { state: TaskState.Failed, error: attemptError(31) }, 31);
    await repo.complete('expired', { state: TaskState.Expired, error: { name: 'Expired', message: 'too late' } }, 32);
    await repo.cancel('cancelled', 33);
  }

  describe('operations: stats, retry, purge', () => {
    it('stats counts every state (zeros included) and every work, and finds the most overdue task', async () => {
      const repo = repository();
      expect(await repo.stats(0)).toEqual({ byState: { waiting: 0, scheduled: 0, dispatched: 0, done: 0, failed: 0, cancelled: 0, expired: 0 }, byWork: {}, oldestDueAt: null });
      await oneOfEach(repo);
      await repo.add([newTask({ id: 'late', workId: 'odd', scheduledAt: 40 })]);
      const stats = await repo.stats(100);
      expect(stats.byState).toEqual({ waiting: 0, scheduled: 2, dispatched: 1, done: 1, failed: 1, cancelled: 1, expired: 1 });
      expect(stats.byWork).toEqual({ even: { done: 1, expired: 1, dispatched: 1 }, odd: { failed: 1, cancelled: 1, scheduled: 2 } });
      expect(stats.oldestDueAt).toBe(40);
      expect((await repo.stats(39)).oldestDueAt).toBeNull();
      expect((await repo.stats(500)).oldestDueAt).toBe(40);
    });

    it('retry puts a failed, expired or cancelled task back, keeping attempts and errors', async () => {
      const repo = repository();
      await oneOfEach(repo);
      const failed = await repo.retry('failed', 200, 100);
      expect(failed).toMatchObject({ id: 'failed', state: TaskState.Scheduled, scheduledAt: 200, attempt: 1, endedAt: null, result: null, error: null, errors: [attemptError(31)] });
      expect(await repo.get('failed')).toEqual(failed);
      expect(await repo.retry('expired', 150, 100)).toMatchObject({ state: TaskState.Scheduled, scheduledAt: 150, endedAt: null, error: null });
      expect(await repo.retry('cancelled', 50, 100)).toMatchObject({ state: TaskState.Scheduled, scheduledAt: 50, attempt: 0 });
      const claimed = await repo.claimDue(200, 10, 'me');
      expect(claimed.map((t) => [t.id, t.attempt])).toEqual([['cancelled', 1], ['expired', 2], ['failed', 2]]);
      expect((await repo.complete('failed', { state: TaskState.Done, result: 2 }, 210)).task).toMatchObject({ state: TaskState.Done, result: 2, errors: [attemptError(31)] });
    });

    it('retry refuses a done, scheduled or running task (ERR_STATE_CONFLICT) and an unknown one', async () => {
      const repo = repository();
      await oneOfEach(repo);
      for (const id of ['done', 'scheduled', 'dispatched']) expect(await codeOf(repo.retry(id, 100, 100))).toBe('ERR_STATE_CONFLICT');
      expect(await codeOf(repo.retry('missing', 100, 100))).toBe('ERR_TASK_NOT_FOUND');
      expect(await repo.get('done')).toMatchObject({ state: TaskState.Done, result: 'ok' });
    });

    it('the timer follows a retried task', async () => {
      const repo = repository();
      const clock = new FakeClock(0);
      const calls: number[] = [];
      const stop = repo.watch({ clock, keepAlive: false, onDue: () => calls.push(clock.now()) });
      await repo.add([newTask({ id: 'a', scheduledAt: 5 })]);
      await clock.advance(5);
      await repo.claimDue(5, 1, 'me');
      await repo.complete('a', { state: TaskState.Failed, error: attemptError(6) }, 6);
      calls.length = 0;
      await repo.retry('a', 80, 6);
      await clock.advance(74);
      expect(calls).toEqual([]);
      await clock.advance(1);
      expect(calls).toEqual([80]);
      stop();
    });

    it('update of an ended task keeps ERR_ALREADY_DISPATCHED, with a message that says it ended', async () => {
      const repo = repository();
      await oneOfEach(repo);
      const refusal = await repo.update('failed', { priority: 3 }).catch((error: unknown) => error);
      expect(refusal).toMatchObject({ code: 'ERR_ALREADY_DISPATCHED', state: 'failed' });
    });

    it('purge deletes ended tasks of one state that ended before a time, up to a limit', async () => {
      const repo = repository();
      await repo.add([1, 2, 3, 4].map((n) => newTask({ id: `d${n}`, scheduledAt: n })));
      await repo.add([newTask({ id: 'pending', scheduledAt: 1 }), newTask({ id: 'f', scheduledAt: 1 })]);
      const claimed = await repo.claimDue(10, 10, 'me');
      expect(claimed).toHaveLength(6);
      for (const n of [1, 2, 3, 4]) await repo.complete(`d${n}`, { state: TaskState.Done, result: n }, 100 + n);
      await repo.complete('f', { state: TaskState.Failed, error: attemptError(101) }, 101);
      expect(await repo.purge({ state: TaskState.Done, endedBefore: 104, limit: 2 })).toBe(2);
      expect(await repo.get('d1')).toBeUndefined();
      expect(await repo.get('d2')).toBeUndefined();
      expect(await repo.purge({ state: TaskState.Done, endedBefore: 104, limit: 10 })).toBe(1);
      expect(await repo.get('d3')).toBeUndefined();
      expect(await repo.get('d4')).toMatchObject({ state: TaskState.Done });
      expect(await repo.get('f')).toMatchObject({ state: TaskState.Failed });
      expect((await repo.get('pending'))?.state).toBe(TaskState.Dispatched);
      expect(await repo.purge({ state: TaskState.Failed, endedBefore: 1_000, limit: 0 })).toBe(0);
      expect(await repo.purge({ state: TaskState.Failed, endedBefore: 1_000, limit: 5 })).toBe(1);
      expect((await repo.stats(0)).byState).toMatchObject({ done: 1, failed: 0, dispatched: 1 });
    });

    it('purge refuses a state that is not an end state, and bad bounds', async () => {
      const repo = repository();
      await repo.add([newTask({ id: 'a', scheduledAt: 1 })]);
      const bad: unknown[] = [
        { state: 'scheduled', endedBefore: 10, limit: 1 },
        { state: 'dispatched', endedBefore: 10, limit: 1 },
        { state: 'done', endedBefore: Number.NaN, limit: 1 },
        { state: 'done', endedBefore: 10, limit: -1 },
        { state: 'done', endedBefore: 10, limit: 1, extra: true },
        null,
      ];
      for (const filter of bad) expect(await codeOf(repo.purge(filter as never))).toBe('ERR_INVALID_ARGUMENT');
      expect((await repo.get('a'))?.state).toBe(TaskState.Scheduled);
    });
  });
}
