import type { TaskRepository } from '../repository/task-repository.js';
import { RecoveryPolicy, TaskState } from '../task/task.js';
import type { Task } from '../task/task.js';
import { FakeClock } from './fake-clock.js';
import { newTask } from './contract-helpers.js';
import { expect } from './expect.js';
import type { TestFramework } from './framework.js';

/**
 * The contract's cases for the optional `watchEndings` capability, run by `repositoryContract`
 * inside its own describe. A repository without the capability passes them trivially (the
 * Scheduler's `wait()` then hears only of the endings its own process writes). Endings written
 * through the repository under test are told by the time the write resolves; those of other
 * processes are the store's own tests' business (they need a second process).
 */
export function wakeContract(repository: () => TaskRepository, test: TestFramework): void {
  const { describe, it } = test;
  /** Watches `ids` on a FakeClock; `told` lists the ended tasks in the order they were told. */
  function watching(repo: TaskRepository, ids: readonly string[]): { told: Task[]; stop: () => void } {
    const told: Task[] = [];
    const stop = repo.watchEndings?.(ids, { clock: new FakeClock(0), onEnded: (task) => void told.push(task) }) ?? (() => undefined);
    return { told, stop };
  }
  const supported = (repo: TaskRepository): boolean => typeof repo.watchEndings === 'function';

  describe('watchEndings (optional)', () => {
    it('tells each watched task once when it ends, by completion or cancel, and nothing of the others', async () => {
      const repo = repository();
      if (!supported(repo)) return;
      await repo.add([newTask({ id: 'w-done', scheduledAt: 10 }), newTask({ id: 'w-cancel', scheduledAt: 500 }), newTask({ id: 'w-other', scheduledAt: 10 })]);
      const { told, stop } = watching(repo, ['w-done', 'w-cancel']);
      expect(await repo.claimDue(10, 2, 'me')).toHaveLength(2);
      await repo.complete('w-done', { state: TaskState.Done, result: 'ok' }, 20);
      expect(told.map((t) => [t.id, t.state, t.result])).toEqual([['w-done', TaskState.Done, 'ok']]);
      await repo.complete('w-other', { state: TaskState.Done, result: null }, 21);
      await repo.cancel('w-cancel', 22);
      expect(told.map((t) => [t.id, t.state])).toEqual([
        ['w-done', TaskState.Done],
        ['w-cancel', TaskState.Cancelled],
      ]);
      stop();
    });

    it('does not count a retry as an ending, tells a crash-recovery failure, and nothing after unwatching', async () => {
      const repo = repository();
      if (!supported(repo)) return;
      await repo.add([newTask({ id: 'w-retry', scheduledAt: 10 }), newTask({ id: 'w-crash', scheduledAt: 10 }), newTask({ id: 'w-late', scheduledAt: 10 })]);
      const { told, stop } = watching(repo, ['w-retry', 'w-crash']);
      const late = watching(repo, ['w-late']);
      late.stop();
      expect(await repo.claimDue(10, 3, 'me')).toHaveLength(3);
      await repo.complete('w-retry', { state: TaskState.Scheduled, scheduledAt: 50, error: { name: 'Error', message: 'again', attempt: 1, at: 20 } }, 20);
      expect(told).toEqual([]);
      expect((await repo.recover('me', RecoveryPolicy.Fail, 30)).map((t) => t.id).sort()).toEqual(['w-crash', 'w-late']);
      expect(told.map((t) => [t.id, t.state, t.recovered])).toEqual([['w-crash', TaskState.Failed, true]]);
      stop();
      await repo.cancel('w-retry', 40);
      expect(told).toHaveLength(1);
      expect(late.told).toEqual([]);
    });

    it('tells every watcher of one id, each once', async () => {
      const repo = repository();
      if (!supported(repo)) return;
      await repo.add([newTask({ id: 'w-shared', scheduledAt: 500 })]);
      const first = watching(repo, ['w-shared']);
      const second = watching(repo, ['w-shared', 'w-shared']);
      await repo.cancel('w-shared', 10);
      await repo.cancel('w-shared', 11);
      expect([first.told.length, second.told.length]).toEqual([1, 1]);
      first.stop();
      second.stop();
    });
  });
}
