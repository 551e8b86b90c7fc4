import type { TaskRepository } from '../repository/task-repository.js';
import { newTask } from './contract-helpers.js';
import { expect } from './expect.js';
import { FakeClock } from './fake-clock.js';
import type { TestFramework } from './framework.js';

/** Repository contract: the repository's due timer: `watch()` calls `onDue` when the earliest scheduled task falls due. `repo()` is the fresh repository of the running test. */
export function timerContract(repo: () => TaskRepository, test: TestFramework): void {
  const { describe, it } = test;
  describe('timer', () => {
    const watchWith = (clock: FakeClock): { calls: number[]; stop: () => void } => {
      const calls: number[] = [];
      const stop = repo().watch({ clock, keepAlive: false, onDue: () => calls.push(clock.now()) });
      return { calls, stop };
    };

    it('wakes when the earliest task is due, not before', async () => {
      const clock = new FakeClock(0);
      const { calls, stop } = watchWith(clock);
      await repo().add([newTask({ scheduledAt: 100 }), newTask({ scheduledAt: 300 })]);
      await clock.advance(99);
      expect(calls).toEqual([]);
      await clock.advance(1);
      expect(calls).toEqual([100]);
      stop();
    });

    it('re-arms when a new earliest task arrives', async () => {
      const clock = new FakeClock(0);
      const { calls, stop } = watchWith(clock);
      await repo().add([newTask({ scheduledAt: 500 })]);
      await repo().add([newTask({ scheduledAt: 200 })]);
      await clock.advance(200);
      expect(calls).toEqual([200]);
      stop();
    });

    it('moves with the earliest task when its time changes, never firing early', async () => {
      const clock = new FakeClock(0);
      const { calls, stop } = watchWith(clock);
      await repo().add([newTask({ id: 'a', scheduledAt: 100 })]);
      await repo().update('a', { scheduledAt: 400 });
      await clock.advance(399);
      expect(calls).toEqual([]);
      await clock.advance(1);
      expect(calls).toEqual([400]);
      await repo().update('a', { scheduledAt: 450 });
      await repo().update('a', { scheduledAt: 420 });
      await clock.advance(100);
      expect(calls).toEqual([400, 420]);
      stop();
    });

    it('moves to the next task when the earliest is cancelled or claimed', async () => {
      const clock = new FakeClock(0);
      const { calls, stop } = watchWith(clock);
      await repo().add([newTask({ id: 'a', scheduledAt: 100 }), newTask({ id: 'b', scheduledAt: 200 }), newTask({ id: 'c', scheduledAt: 300 })]);
      await repo().cancel('a', 0);
      await clock.advance(200);
      expect(calls).toEqual([200]);
      await repo().claimDue(200, 1, 'me');
      await clock.advance(100);
      expect(calls).toEqual([200, 300]);
      stop();
    });

    it('wakes at once for tasks already due when watching starts', async () => {
      const clock = new FakeClock(1_000);
      await repo().add([newTask({ scheduledAt: 10 })]);
      const { calls, stop } = watchWith(clock);
      await clock.tick();
      expect(calls).toEqual([1_000]);
      stop();
    });

    it('stops waking after unwatch', async () => {
      const clock = new FakeClock(0);
      const { calls, stop } = watchWith(clock);
      await repo().add([newTask({ scheduledAt: 100 })]);
      stop();
      await clock.advance(1_000);
      expect(calls).toEqual([]);
    });
  });
}
