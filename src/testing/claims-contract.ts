import type { TaskRepository } from '../repository/task-repository.js';
import { TaskState } from '../task/task.js';
import { newTask } from './contract-helpers.js';
import { expect } from './expect.js';
import type { TestFramework } from './framework.js';

/** Repository contract: claiming due tasks, crash recovery and listing by state. `repo()` is the fresh repository of the running test. */
export function claimsContract(repo: () => TaskRepository, test: TestFramework): void {
  const { describe, it } = test;
  describe('claimDue', () => {
    it('claims due tasks by time, then higher priority, then creation order, up to the limit', async () => {
      await repo().add([
        newTask({ id: 'late', scheduledAt: 300 }),
        newTask({ id: 'low', scheduledAt: 100, priority: 0 }),
        newTask({ id: 'high', scheduledAt: 100, priority: 9 }),
        newTask({ id: 'first', scheduledAt: 50 }),
        newTask({ id: 'low2', scheduledAt: 100, priority: 0 }),
        newTask({ id: 'future', scheduledAt: 10_000 }),
      ]);
      const first = await repo().claimDue(300, 3, 'me');
      expect(first.map((t) => t.id)).toEqual(['first', 'high', 'low']);
      const second = await repo().claimDue(300, 10, 'me');
      expect(second.map((t) => t.id)).toEqual(['low2', 'late']);
      expect(await repo().claimDue(9_999, 10, 'me')).toEqual([]);
    });

    it('marks claimed tasks dispatched with the claim time, once', async () => {
      await repo().add([newTask({ id: 'a', scheduledAt: 10 })]);
      const [claimed] = await repo().claimDue(25, 5, 'me');
      expect(claimed).toMatchObject({ id: 'a', state: TaskState.Dispatched, dispatchedAt: 25, owner: 'me', attempt: 1 });
      expect((await repo().get('a'))?.state).toBe(TaskState.Dispatched);
      expect(await repo().claimDue(25, 5, 'me')).toEqual([]);
    });

    it('never claims a task whose time was moved past now', async () => {
      await repo().add([newTask({ id: 'a', scheduledAt: 10 })]);
      await repo().update('a', { scheduledAt: 500 });
      expect(await repo().claimDue(499, 5, 'me')).toEqual([]);
      expect((await repo().claimDue(500, 5, 'me')).map((t) => t.id)).toEqual(['a']);
    });

    it('claims a task moved earlier at its new time', async () => {
      await repo().add([newTask({ id: 'a', scheduledAt: 500 })]);
      await repo().update('a', { scheduledAt: 20 });
      expect((await repo().claimDue(20, 5, 'me')).map((t) => t.id)).toEqual(['a']);
    });

    it('follows priority changes', async () => {
      await repo().add([newTask({ id: 'a', scheduledAt: 5 }), newTask({ id: 'b', scheduledAt: 5 })]);
      await repo().update('b', { priority: 3 });
      expect((await repo().claimDue(5, 1, 'me')).map((t) => t.id)).toEqual(['b']);
    });

    it('never claims a cancelled task', async () => {
      await repo().add([newTask({ id: 'a', scheduledAt: 5 }), newTask({ id: 'b', scheduledAt: 6 })]);
      await repo().cancel('a', 1);
      expect((await repo().claimDue(10, 5, 'me')).map((t) => t.id)).toEqual(['b']);
    });
  });

  describe('recover', () => {
    it('puts tasks its owner left dispatched back to scheduled, flagged, keeping time and attempt', async () => {
      await repo().add([newTask({ id: 'mine', scheduledAt: 5 }), newTask({ id: 'theirs', scheduledAt: 6 }), newTask({ id: 'later', scheduledAt: 50 })]);
      await repo().claimDue(5, 1, 'me');
      await repo().claimDue(6, 1, 'other');
      const recovered = await repo().recover('me', 'rerun', 40);
      expect(recovered.map((t) => t.id)).toEqual(['mine']);
      expect(await repo().get('mine')).toMatchObject({ state: TaskState.Scheduled, recovered: true, attempt: 1, scheduledAt: 5 });
      expect((await repo().get('theirs'))?.state).toBe(TaskState.Dispatched);
      const again = await repo().claimDue(40, 5, 'me');
      expect(again.map((t) => [t.id, t.attempt, t.recovered])).toEqual([['mine', 2, true]]);
    });

    it('ends them failed with a CrashRecovery error under the fail policy', async () => {
      await repo().add([newTask({ id: 'a', scheduledAt: 5 })]);
      await repo().claimDue(5, 1, 'me');
      const [failed] = await repo().recover('me', 'fail', 9);
      expect(failed).toMatchObject({ id: 'a', state: TaskState.Failed, recovered: true, endedAt: 9, error: { name: 'CrashRecovery' } });
      expect(await repo().get('a')).toEqual(failed);
      expect(await repo().recover('me', 'fail', 10)).toEqual([]);
    });
  });

  describe('find by state', () => {
    it('lists tasks of one state, scheduled ones in run order, with a limit', async () => {
      await repo().add([newTask({ id: 'c', scheduledAt: 30 }), newTask({ id: 'a', scheduledAt: 10 }), newTask({ id: 'b', scheduledAt: 20 }), newTask({ id: 'd', scheduledAt: 5 })]);
      await repo().claimDue(5, 1, 'me');
      expect((await repo().find({ state: TaskState.Scheduled })).map((t) => t.id)).toEqual(['a', 'b', 'c']);
      expect((await repo().find({ state: TaskState.Scheduled, limit: 2 })).map((t) => t.id)).toEqual(['a', 'b']);
      expect((await repo().find({ state: TaskState.Dispatched })).map((t) => t.id)).toEqual(['d']);
      expect(await repo().find({ state: TaskState.Done })).toEqual([]);
    });
  });
}
