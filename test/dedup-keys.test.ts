import { describe, expect, it } from 'vitest';
import { TaskState } from '../src/index.js';
import { codeOf, kit, T0 } from './helpers.js';

describe('dedup keys: schedule({ key, keyHeld, onConflict })', () => {
  it('a second pending task with the key is refused with ERR_DUPLICATE_KEY, naming the holder', async () => {
    const { scheduler } = kit();
    const first = await scheduler.schedule({ workId: 'record', delay: 1_000, key: 'welcome:42' });
    expect(first).toMatchObject({ key: 'welcome:42', keyHeld: 'scheduled' });
    const error = await scheduler.schedule({ workId: 'record', delay: 5, key: 'welcome:42' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_DUPLICATE_KEY', key: 'welcome:42', taskId: first.id });
    expect(await scheduler.find()).toHaveLength(1);
  });

  it("'keep' resolves with the holder (no event); 'replace' rewrites it (task:updated)", async () => {
    const { scheduler, events } = kit();
    const first = await scheduler.schedule({ workId: 'record', param: 1, delay: 1_000, key: 'k' });
    events.length = 0;
    expect(await scheduler.schedule({ workId: 'record', param: 2, delay: 5, key: 'k', onConflict: 'keep' })).toEqual(first);
    expect(events).toEqual([]);
    const replaced = await scheduler.schedule({ workId: 'record', param: 3, delay: 5, key: 'k', onConflict: 'replace' });
    expect(replaced).toMatchObject({ id: first.id, param: 3, scheduledAt: T0 + 5 });
    expect(events.map(([name]) => name)).toEqual(['task:updated']);
  });

  it('a key is free again once its task ran; held until ended, not while it runs', async () => {
    let release: () => void = () => undefined;
    const { scheduler, clock } = kit({ works: (works) => works.register('slow', () => new Promise<void>((resolve) => (release = resolve))) });
    await scheduler.start();
    const a = await scheduler.schedule({ workId: 'slow', delay: 0, key: 'k', keyHeld: 'ended' });
    await clock.tick();
    expect(scheduler.running).toBe(1);
    expect(await codeOf(scheduler.schedule({ workId: 'slow', delay: 0, key: 'k' }))).toBe('ERR_DUPLICATE_KEY');
    release();
    await scheduler.wait(a.id);
    const b = await scheduler.schedule({ workId: 'record', delay: 10, key: 'k' });
    expect(b.id).not.toBe(a.id);
    await scheduler.stop();
  });

  it('scheduleMany takes keys with one onConflict for the batch', async () => {
    const { scheduler } = kit();
    await scheduler.schedule({ workId: 'record', delay: 10, key: 'a' });
    const tasks = await scheduler.scheduleMany([{ workId: 'record', delay: 1, key: 'a', onConflict: 'keep' }, { workId: 'record', delay: 1, key: 'b', onConflict: 'keep' }]);
    expect(tasks.map((t) => [t.key, t.scheduledAt])).toEqual([['a', T0 + 10], ['b', T0 + 1]]);
    expect(await codeOf(scheduler.scheduleMany([{ workId: 'record', delay: 1, key: 'c', onConflict: 'keep' }, { workId: 'record', delay: 1, key: 'd' }]))).toBe('ERR_INVALID_ARGUMENT');
  });

  it.each<[string, object]>([
    ['an empty key', { key: '' }],
    ['a key that is not a string', { key: 42 }],
    ['keyHeld without a key', { keyHeld: 'ended' }],
    ['onConflict on a one-off without a key', { onConflict: 'keep' }],
    ['an unknown keyHeld', { key: 'k', keyHeld: 'forever' }],
    ['a key with callbacks', { key: 'k', onSuccess: { workId: 'record' } }],
  ])('refuses %s with ERR_INVALID_ARGUMENT, storing nothing', async (_name, extra) => {
    const { scheduler } = kit();
    expect(await codeOf(scheduler.schedule({ workId: 'record', delay: 1, ...extra }))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(scheduler.chain([{ workId: 'record', key: 'k' } as never]))).toBe('ERR_INVALID_ARGUMENT');
    expect(await scheduler.find({ state: TaskState.Scheduled })).toEqual([]);
  });
});
