import { describe, expect, it } from 'vitest';
import { cron, every, TaskState } from '../src/index.js';
import { codeOf, kit, T0 } from './helpers.js';

const HOUR = 3_600_000;

describe('declarative series: schedule({ id, schedule, onConflict })', () => {
  it('re-registering a series id is refused by default, as a series, with what to do', async () => {
    const { scheduler } = kit();
    await scheduler.schedule({ id: 'nightly', workId: 'record', schedule: every(HOUR) });
    const error = await scheduler.schedule({ id: 'nightly', workId: 'record', schedule: every(HOUR) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_DUPLICATE_ID', kind: 'series', taskId: 'nightly' });
    expect((error as Error).message).toMatch(/series.*onConflict/);
  });

  it("'keep' resolves with the pending occurrence and changes nothing", async () => {
    const { scheduler, events } = kit();
    const first = await scheduler.schedule({ id: 'nightly', workId: 'record', schedule: every(HOUR) });
    events.length = 0;
    const kept = await scheduler.schedule({ id: 'nightly', workId: 'record', schedule: every(2 * HOUR), onConflict: 'keep' });
    expect(kept).toEqual(first);
    expect(events).toEqual([]);
    expect((await scheduler.getSeries('nightly')).schedule).toEqual(every(HOUR).toJSON());
  });

  it("'replace' at a second boot applies a changed cron to the pending occurrence, which then follows it", async () => {
    const { scheduler, clock, events } = kit();
    await scheduler.start();
    const first = await scheduler.schedule({ id: 'nightly', workId: 'record', param: 1, schedule: cron('0 0 3 * * *', { timezone: 'UTC' }) });
    expect(first.scheduledAt).toBe(T0 + 3 * HOUR);
    events.length = 0;
    const moved = await scheduler.schedule({ id: 'nightly', workId: 'record', param: 2, schedule: cron('0 0 4 * * *', { timezone: 'UTC' }), onConflict: 'replace' });
    expect(moved).toMatchObject({ id: first.id, scheduledAt: T0 + 4 * HOUR, param: 2 });
    expect(events.map(([name]) => name)).toEqual(['task:updated']);
    // The same definition again: nothing changes, no event.
    await scheduler.schedule({ id: 'nightly', workId: 'record', param: 2, schedule: cron('0 0 4 * * *', { timezone: 'UTC' }), onConflict: 'replace' });
    expect(events).toHaveLength(1);
    await clock.advance(4 * HOUR);
    await scheduler.idle();
    const done = await scheduler.find({ seriesId: 'nightly', state: TaskState.Done });
    expect(done.map((t) => [t.id, t.scheduledAt, t.result])).toEqual([[first.id, T0 + 4 * HOUR, 2]]);
    const [next] = await scheduler.find({ seriesId: 'nightly', state: TaskState.Scheduled });
    expect(next?.scheduledAt).toBe(T0 + 28 * HOUR);
    await scheduler.stop();
  });

  it('a running occurrence finishes once; its successor follows the replaced schedule', async () => {
    let release: () => void = () => undefined;
    const { scheduler, clock } = kit({
      works: (works) => works.register('slow', () => new Promise<void>((resolve) => (release = resolve))),
    });
    await scheduler.start();
    await scheduler.schedule({ id: 's', workId: 'slow', schedule: every(HOUR), at: T0 });
    await clock.advance(0);
    await clock.tick();
    expect(scheduler.running).toBe(1);
    const running = await scheduler.schedule({ id: 's', workId: 'slow', schedule: every(2 * HOUR), onConflict: 'replace' });
    expect(running.state).toBe(TaskState.Dispatched);
    release();
    await scheduler.idle();
    const tasks = await scheduler.find({ seriesId: 's' });
    expect(tasks.map((t) => t.state)).toEqual([TaskState.Done, TaskState.Scheduled]);
    expect(tasks[1]?.scheduledAt).toBe(T0 + 2 * HOUR);
    await scheduler.stop();
  });

  it('listSeries() and getSeries(id); an unknown series is ERR_SERIES_NOT_FOUND', async () => {
    const { scheduler } = kit();
    await scheduler.schedule({ id: 'b', workId: 'record', schedule: every(HOUR) });
    await scheduler.schedule({ id: 'a', workId: 'record', schedule: every(HOUR) });
    expect((await scheduler.listSeries()).map((s) => s.id)).toEqual(['b', 'a']);
    expect(await scheduler.getSeries('a')).toMatchObject({ id: 'a', workId: 'record', enabled: true });
    expect(await codeOf(scheduler.getSeries('nope'))).toBe('ERR_SERIES_NOT_FOUND');
    expect(await codeOf(scheduler.getSeries(42 as unknown as string))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('update() and cancel() given a series id say it is a series and what to call instead', async () => {
    const { scheduler } = kit();
    await scheduler.schedule({ id: 'nightly', workId: 'record', schedule: every(HOUR) });
    for (const call of [() => scheduler.update('nightly', { priority: 1 }), () => scheduler.cancel('nightly')]) {
      const error = await call().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'ERR_TASK_NOT_FOUND', taskId: 'nightly' });
      expect((error as Error).message).toMatch(/series.*disable\(\).*remove\(\).*onConflict/);
    }
    expect((await codeOf(scheduler.cancel('nothing')))).toBe('ERR_TASK_NOT_FOUND');
  });

  it('rejects an unknown onConflict and onConflict on a one-off task, storing nothing', async () => {
    const { scheduler } = kit();
    expect(await codeOf(scheduler.schedule({ id: 's', workId: 'record', schedule: every(HOUR), onConflict: 'merge' as never }))).toBe('ERR_INVALID_ARGUMENT');
    expect(await scheduler.listSeries()).toEqual([]);
  });
});
