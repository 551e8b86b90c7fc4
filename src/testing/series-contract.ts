import type { TaskRepository } from '../repository/task-repository.js';
import type { Series } from '../schedule/series.js';
import { codeOf, newSeries, newTask } from './contract-helpers.js';
import { expect } from './expect.js';
import { FakeClock } from './fake-clock.js';
import type { TestFramework } from './framework.js';

/** Repository contract: retries, removal, queries and recurring series. `repo()` is the fresh repository of the running test. */
export function seriesContract(repo: () => TaskRepository, test: TestFramework): void {
  const { describe, it } = test;
  describe('retries, removal, queries and series', () => {
    const attemptError = (attempt: number, at: number) => ({ name: 'Error', message: `attempt ${attempt}`, attempt, at });
    const series = (overrides: Partial<Series> = {}): Series =>
      newSeries({ id: 's', priority: 2, meta: { k: 'v' }, retry: { attempts: 3, backoff: 'fixed', delay: 10, maxDelay: 100, jitter: 0.5 }, timeout: 2_500, ...overrides });
    const occurrence = (id: string, scheduledAt: number, seriesId = 's') => newTask({ id, scheduledAt, seriesId });

    it('stores the retry policy, timeout, deadline and series of a task', async () => {
      const retry = { attempts: 4, backoff: 'exponential', delay: 1.5, maxDelay: 60_000, jitter: 0.25 } as const;
      const input = newTask({ id: 'a', retry, timeout: 1_500.5, deadline: 9_000, seriesId: 'x' });
      const [stored] = await repo().add([input]);
      expect(stored).toMatchObject({ retry, timeout: 1_500.5, deadline: 9_000, seriesId: 'x', errors: [] });
      expect(await repo().get('a')).toEqual(stored);
    });

    it('puts a task back for a retry at its new time, keeping the attempt count and the errors', async () => {
      await repo().add([newTask({ id: 'a', scheduledAt: 10 })]);
      await repo().claimDue(10, 1, 'me');
      const { task: retrying } = await repo().complete('a', { state: 'scheduled', scheduledAt: 50, error: attemptError(1, 12) }, 12);
      expect(retrying).toMatchObject({ state: 'scheduled', scheduledAt: 50, attempt: 1, endedAt: null, errors: [attemptError(1, 12)] });
      expect(await repo().get('a')).toEqual(retrying);
      expect(await repo().claimDue(49, 5, 'me')).toEqual([]);
      const [again] = await repo().claimDue(50, 5, 'me');
      expect(again).toMatchObject({ id: 'a', attempt: 2 });
      const { task: failed } = await repo().complete('a', { state: 'failed', error: attemptError(2, 55) }, 55);
      expect(failed).toMatchObject({ state: 'failed', endedAt: 55, error: { name: 'Error', message: 'attempt 2' }, errors: [attemptError(1, 12), attemptError(2, 55)] });
      expect(await repo().get('a')).toEqual(failed);
    });

    it('ends a task expired with its error', async () => {
      await repo().add([newTask({ id: 'a', scheduledAt: 1 })]);
      await repo().claimDue(5, 1, 'me');
      const { task } = await repo().complete('a', { state: 'expired', error: { name: 'DeadlineExceeded', message: 'late' } }, 6);
      expect(task).toMatchObject({ state: 'expired', endedAt: 6, error: { name: 'DeadlineExceeded', message: 'late' } });
      expect(await repo().get('a')).toEqual(task);
      expect(await repo().cancel('a', 7)).toBeUndefined();
    });

    it('claims no more of a work than its limit and leaves the rest for a later claim', async () => {
      await repo().add([
        newTask({ id: 'busy', workId: 'full', scheduledAt: 1 }),
        newTask({ id: 'one', workId: 'capped', scheduledAt: 2 }),
        newTask({ id: 'two', workId: 'capped', scheduledAt: 3 }),
        newTask({ id: 'free', workId: 'work', scheduledAt: 4 }),
      ]);
      const limits = new Map([['full', 0], ['capped', 1]]);
      expect((await repo().claimDue(5, 5, 'me', limits)).map((t) => t.id)).toEqual(['one', 'free']);
      expect((await repo().claimDue(5, 5, 'me')).map((t) => t.id)).toEqual(['busy', 'two']);
    });

    it('claims only tasks of the works it is given, leaving the others due for processes that have them', async () => {
      await repo().add([
        newTask({ id: 'mine', workId: 'here', scheduledAt: 1 }),
        newTask({ id: 'theirs', workId: 'elsewhere', scheduledAt: 2 }),
        newTask({ id: 'capped', workId: 'limited', scheduledAt: 3 }),
        newTask({ id: 'capped-2', workId: 'limited', scheduledAt: 4 }),
      ]);
      const works = new Set(['here', 'limited']);
      expect((await repo().claimDue(5, 5, 'me', new Map([['limited', 1]]), works)).map((t) => t.id)).toEqual(['mine', 'capped']);
      expect(await repo().claimDue(5, 5, 'me', undefined, new Set(['nothing']))).toEqual([]);
      expect((await repo().claimDue(5, 5, 'me')).map((t) => t.id)).toEqual(['theirs', 'capped-2']);
    });

    it('follows the first task due after now when due tasks wait for their work', async () => {
      const clock = new FakeClock(0);
      const calls: number[] = [];
      const stop = repo().watch({ clock, keepAlive: false, onDue: () => calls.push(clock.now()) });
      await repo().add([newTask({ id: 'blocked', workId: 'full', scheduledAt: 0 }), newTask({ id: 'later', workId: 'work', scheduledAt: 50 })]);
      await clock.tick();
      calls.length = 0;
      expect(await repo().claimDue(0, 5, 'me', new Map([['full', 0]]))).toEqual([]);
      await clock.advance(49);
      expect(calls).toEqual([]);
      await clock.advance(1);
      expect(calls).toEqual([50]);
      stop();
    });

    it('removes a task that is not running, refuses a running one, and moves the timer on', async () => {
      await repo().add([newTask({ id: 'first', scheduledAt: 100 }), newTask({ id: 'second', scheduledAt: 200 }), newTask({ id: 'run', scheduledAt: 0 })]);
      await repo().claimDue(0, 1, 'me');
      const clock = new FakeClock(0);
      const calls: number[] = [];
      const stop = repo().watch({ clock, keepAlive: false, onDue: () => calls.push(clock.now()) });
      expect(await repo().remove('first')).toBe(true);
      expect(await repo().remove('first')).toBe(false);
      expect(await repo().get('first')).toBeUndefined();
      expect(await codeOf(repo().remove('run'))).toBe('ERR_ALREADY_DISPATCHED');
      await clock.advance(200);
      expect(calls).toEqual([200]);
      stop();
    });

    it('finds tasks by work and series, paged, in creation order', async () => {
      await repo().add([newTask({ id: 'a', workId: 'x', scheduledAt: 30 }), newTask({ id: 'b', workId: 'y' }), newTask({ id: 'c', workId: 'x', scheduledAt: 10, seriesId: 'z' }), newTask({ id: 'd', workId: 'x' })]);
      expect((await repo().find({ workId: 'x' })).map((t) => t.id)).toEqual(['a', 'c', 'd']);
      expect((await repo().find({ workId: 'x', limit: 1, offset: 1 })).map((t) => t.id)).toEqual(['c']);
      expect((await repo().find({ seriesId: 'z' })).map((t) => t.id)).toEqual(['c']);
      expect((await repo().find({ state: 'scheduled', workId: 'x' })).map((t) => t.id)).toEqual(['c', 'a', 'd']);
      expect(await repo().find({ workId: 'none' })).toEqual([]);
    });

    it('stores a series with its first occurrence, both or neither', async () => {
      const first = await repo().addSeries(series(), occurrence('s-1', 100));
      expect(first).toMatchObject({ id: 's-1', seriesId: 's', state: 'scheduled', scheduledAt: 100 });
      expect(await repo().getSeries('s')).toEqual(series());
      expect(await codeOf(repo().addSeries(series(), occurrence('s-2', 100)))).toBe('ERR_DUPLICATE_ID');
      expect(await repo().get('s-2')).toBeUndefined();
      expect(await codeOf(repo().addSeries(series({ id: 't' }), occurrence('s-1', 100, 't')))).toBe('ERR_DUPLICATE_ID');
      expect(await repo().getSeries('t')).toBeUndefined();
      await repo().addSeries(series({ id: 'r', createdAt: 6 }), occurrence('r-1', 100, 'r'));
      expect((await repo().listSeries()).map((s) => s.id)).toEqual(['s', 'r']);
      expect(await repo().getSeries('none')).toBeUndefined();
    });

    it('adds the next occurrence with the outcome only while the series is enabled and has none scheduled', async () => {
      await repo().addSeries(series(), occurrence('s-1', 100));
      await repo().claimDue(100, 1, 'me');
      expect(await codeOf(repo().complete('s-1', { state: 'done', result: 1 }, 101, newTask({ id: 's-1' })))).toBe('ERR_DUPLICATE_ID');
      expect((await repo().get('s-1'))?.state).toBe('dispatched');
      const { task, next } = await repo().complete('s-1', { state: 'done', result: 1 }, 101, occurrence('s-2', 200));
      expect(task).toMatchObject({ id: 's-1', state: 'done' });
      expect(next).toMatchObject({ id: 's-2', seriesId: 's', state: 'scheduled', scheduledAt: 200 });
      expect(await repo().get('s-2')).toEqual(next);
      await repo().setSeriesEnabled('s', false, 150);
      await repo().add([occurrence('s-3', 300)]);
      await repo().claimDue(300, 5, 'me');
      expect((await repo().complete('s-3', { state: 'done', result: 1 }, 301, occurrence('s-4', 400))).next).toBeUndefined();
      expect(await repo().get('s-4')).toBeUndefined();
    });

    it('disables a series by cancelling its scheduled occurrence, and enables it with a new one', async () => {
      await repo().addSeries(series(), occurrence('s-1', 100));
      const disabled = await repo().setSeriesEnabled('s', false, 50);
      expect(disabled.series.enabled).toBe(false);
      expect(disabled.task).toMatchObject({ id: 's-1', state: 'cancelled', endedAt: 50 });
      expect((await repo().getSeries('s'))?.enabled).toBe(false);
      const enabled = await repo().setSeriesEnabled('s', true, 60, occurrence('s-2', 200));
      expect(enabled.task).toMatchObject({ id: 's-2', state: 'scheduled' });
      expect((await repo().setSeriesEnabled('s', true, 70, occurrence('s-3', 300))).task).toBeUndefined();
      expect(await repo().get('s-3')).toBeUndefined();
      expect(await codeOf(repo().setSeriesEnabled('none', true, 70))).toBe('ERR_SERIES_NOT_FOUND');
    });

    it('keeps the reason a series was disabled with until it is enabled again', async () => {
      await repo().addSeries(series(), occurrence('s-1', 100));
      const reason = { name: 'InvalidScheduleError', message: 'the schedule produced an invalid Date' };
      expect((await repo().setSeriesEnabled('s', false, 50, undefined, reason)).series).toMatchObject({ enabled: false, error: reason });
      expect((await repo().getSeries('s'))?.error).toEqual(reason);
      expect((await repo().listSeries())[0]?.error).toEqual(reason);
      const enabled = await repo().setSeriesEnabled('s', true, 60, occurrence('s-2', 200));
      expect(enabled.series).toMatchObject({ enabled: true, error: null });
      expect((await repo().getSeries('s'))?.error).toBeNull();
      await repo().setSeriesEnabled('s', false, 70);
      expect((await repo().getSeries('s'))?.error).toBeNull();
    });

    it('removes a series with its tasks except a running one', async () => {
      await repo().addSeries(series(), occurrence('s-1', 10));
      await repo().claimDue(10, 1, 'me');
      await repo().add([occurrence('s-2', 20), newTask({ id: 'other' })]);
      expect(await repo().removeSeries('s')).toBe(true);
      expect(await repo().removeSeries('s')).toBe(false);
      expect(await repo().getSeries('s')).toBeUndefined();
      expect((await repo().get('s-1'))?.state).toBe('dispatched');
      expect(await repo().get('s-2')).toBeUndefined();
      expect(await repo().get('other')).toBeDefined();
    });
  });
}
