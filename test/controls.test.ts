import { describe, expect, it } from 'vitest';
import { every, TaskState } from '../src/index.js';
import { codeOf, kit, T0 } from './helpers.js';

describe('pause and resume', () => {
  it('dispatches nothing while paused, keeps timers, and runs what fell due on resume in order', async () => {
    const { scheduler, clock, started } = kit();
    await scheduler.start();
    const order: unknown[] = [];
    scheduler.on('task:dispatched', ({ task }) => void order.push(task.param));
    await scheduler.schedule({ workId: 'record', param: 'b', delay: 200 });
    await scheduler.schedule({ workId: 'record', param: 'a', delay: 100 });
    await scheduler.schedule({ workId: 'record', param: 'c', delay: 5_000 });
    scheduler.pause();
    expect(scheduler.paused).toBe(true);
    await clock.advance(1_000);
    expect(started.size).toBe(0);
    scheduler.resume();
    await clock.tick();
    expect(order).toEqual(['a', 'b']);
    await clock.advance(4_000);
    expect(order).toEqual(['a', 'b', 'c']);
    await scheduler.stop();
  });

  it('a pause racing a due task in the same turn either lets it start or holds it, never half', async () => {
    const seen = new Set<string>();
    for (let offset = 0; offset < 5; offset++) {
      const { scheduler, clock, started } = kit();
      await scheduler.start();
      const task = await scheduler.schedule({ workId: 'record', delay: 10 });
      const tick = clock.advance(10);
      for (let i = 0; i < offset; i++) await Promise.resolve();
      scheduler.pause();
      await tick;
      const state = (await scheduler.get(task.id)).state;
      expect([TaskState.Scheduled, TaskState.Done]).toContain(state);
      expect(started.has(task.id)).toBe(state === TaskState.Done);
      seen.add(state);
      scheduler.resume();
      await clock.tick();
      expect((await scheduler.get(task.id)).state).toBe(TaskState.Done);
      await scheduler.stop();
    }
    expect(seen).toEqual(new Set([TaskState.Scheduled, TaskState.Done]));
  });
});

describe('disable, enable and remove a series', () => {
  it('disable cancels the pending occurrence; enable restarts at the next time after now', async () => {
    const { scheduler, clock } = kit();
    await scheduler.start();
    const first = await scheduler.schedule({ id: 'tick', workId: 'record', schedule: every(1_000) });
    expect(first.seriesId).toBe('tick');
    await clock.advance(3_000);
    expect(await scheduler.find({ seriesId: 'tick', state: 'done' })).toHaveLength(3);
    await scheduler.disable('tick');
    await clock.advance(5_000);
    expect(await scheduler.find({ seriesId: 'tick', state: 'done' })).toHaveLength(3);
    expect(await scheduler.find({ seriesId: 'tick', state: 'scheduled' })).toEqual([]);
    await clock.advance(500);
    await scheduler.enable('tick');
    const [pending] = await scheduler.find({ seriesId: 'tick', state: 'scheduled' });
    expect(pending?.scheduledAt).toBe(T0 + 9_000);
    await clock.advance(500);
    expect(await scheduler.find({ seriesId: 'tick', state: 'done' })).toHaveLength(4);
    await scheduler.enable('tick');
    expect(await scheduler.find({ seriesId: 'tick', state: 'scheduled' })).toHaveLength(1);
    expect(await codeOf(scheduler.disable('nope'))).toBe('ERR_SERIES_NOT_FOUND');
    await scheduler.stop();
  });

  it('disabling while an occurrence runs lets it finish without a successor', async () => {
    let release!: () => void;
    const { scheduler, clock } = kit({ works: (works) => works.register('hold', () => new Promise<void>((resolve) => (release = resolve))) });
    await scheduler.start();
    await scheduler.schedule({ id: 's', workId: 'hold', schedule: every(1_000) });
    await clock.advance(1_000);
    expect(await scheduler.find({ seriesId: 's', state: 'dispatched' })).toHaveLength(1);
    await scheduler.disable('s');
    release();
    await scheduler.idle();
    await clock.advance(10_000);
    expect(await scheduler.find({ seriesId: 's', state: 'done' })).toHaveLength(1);
    expect(await scheduler.find({ seriesId: 's', state: 'scheduled' })).toEqual([]);
    await scheduler.stop();
  });

  it('a disable racing the dispatch of an occurrence either cancels it or lets it run, and no successor follows', async () => {
    const seen = new Set<string>();
    for (let offset = 0; offset < 5; offset++) {
      const { scheduler, clock } = kit();
      await scheduler.start();
      const first = await scheduler.schedule({ id: 'race', workId: 'record', schedule: every(1_000) });
      const tick = clock.advance(1_000);
      for (let i = 0; i < offset; i++) await Promise.resolve();
      await scheduler.disable('race');
      await tick;
      await scheduler.idle();
      await clock.advance(5_000);
      const state = (await scheduler.get(first.id)).state;
      expect([TaskState.Cancelled, TaskState.Done]).toContain(state);
      expect(await scheduler.find({ seriesId: 'race', state: 'scheduled' })).toEqual([]);
      expect((await scheduler.find({ seriesId: 'race' })).length).toBe(1);
      seen.add(state);
      await scheduler.stop();
    }
    expect(seen).toEqual(new Set([TaskState.Cancelled, TaskState.Done]));
  });

  it('remove deletes a series and its waiting occurrence, or a single task; a running task must be aborted first', async () => {
    let release!: () => void;
    const { scheduler, clock, events } = kit({ works: (works) => works.register('hold', () => new Promise<void>((resolve) => (release = resolve))) });
    await scheduler.start();
    const occurrence = await scheduler.schedule({ id: 'series', workId: 'record', schedule: every(1_000) });
    expect(await scheduler.remove('series')).toBe(true);
    expect(await codeOf(scheduler.get(occurrence.id))).toBe('ERR_TASK_NOT_FOUND');
    await clock.advance(3_000);
    expect(await scheduler.find({ seriesId: 'series' })).toEqual([]);
    const single = await scheduler.schedule({ workId: 'record', delay: 100 });
    const waiting = scheduler.wait(single.id);
    expect(await scheduler.remove(single.id)).toBe(true);
    expect(await codeOf(waiting)).toBe('ERR_TASK_NOT_FOUND');
    expect(await scheduler.remove(single.id)).toBe(false);
    const running = await scheduler.schedule({ workId: 'hold', delay: 0 });
    await clock.tick();
    expect(await codeOf(scheduler.remove(running.id))).toBe('ERR_ALREADY_DISPATCHED');
    release();
    await scheduler.idle();
    expect(await scheduler.remove(running.id)).toBe(true);
    expect(events.filter(([n]) => n === 'series:removed' || n === 'task:removed')).toHaveLength(3);
    await scheduler.stop();
  });
});

describe('abort', () => {
  it('stops a running task through its signal and records it failed without retry; false otherwise', async () => {
    const reasons: unknown[] = [];
    const { scheduler, clock } = kit({
      works: (works) => works.register('listen', (_: null, { signal }) => new Promise((_r, reject) => signal.addEventListener('abort', () => (reasons.push(signal.reason), reject(signal.reason))))),
    });
    await scheduler.start();
    const task = await scheduler.schedule({ workId: 'listen', delay: 0, retry: { attempts: 5 } });
    expect(await scheduler.abort(task.id)).toBe(false);
    await clock.tick();
    expect(await scheduler.abort(task.id)).toBe(true);
    expect((reasons[0] as { code?: string }).code).toBe('ERR_ABORTED');
    expect(await scheduler.get(task.id)).toMatchObject({ state: TaskState.Failed, attempt: 1, error: { name: 'AbortedError' } });
    expect(await scheduler.abort(task.id)).toBe(false);
    await scheduler.stop();
  });

  it('an abort racing the completion records exactly one outcome', async () => {
    const seen = new Set<string>();
    for (let offset = 0; offset < 6; offset++) {
      const { scheduler, clock } = kit({ works: (works, { clock: c }) => works.register('short', () => new Promise((resolve) => c.setTimer(c.now() + 10, () => resolve('finished')))) });
      await scheduler.start();
      const task = await scheduler.schedule({ workId: 'short', delay: 0 });
      await clock.tick();
      const tick = clock.advance(10);
      for (let i = 0; i < offset; i++) await Promise.resolve();
      const aborted = await scheduler.abort(task.id);
      await tick;
      const ended = await scheduler.wait(task.id);
      expect(ended.state).toBe(aborted ? TaskState.Failed : TaskState.Done);
      seen.add(ended.state);
      await scheduler.stop();
    }
    expect(seen).toEqual(new Set([TaskState.Failed, TaskState.Done]));
  });
});

describe('per-work concurrency', () => {
  it('limits one kind inside the pool while others still run', async () => {
    let heavy = 0;
    let peakHeavy = 0;
    const { scheduler, clock, started } = kit({
      concurrency: 4,
      works: (works, { clock: c }) =>
        works.register(
          'heavy',
          async () => {
            heavy++;
            peakHeavy = Math.max(peakHeavy, heavy);
            await new Promise<void>((resolve) => c.setTimer(c.now() + 100, resolve));
            heavy--;
          },
          { concurrency: 2 },
        ),
    });
    await scheduler.start();
    const heavies = await scheduler.scheduleMany(Array.from({ length: 6 }, () => ({ workId: 'heavy', delay: 0 })));
    const light = await scheduler.schedule({ workId: 'record', delay: 1, priority: -1 });
    await clock.tick();
    await clock.advance(1);
    expect(started.has(light.id)).toBe(true);
    for (let i = 0; i < 3; i++) await clock.advance(100);
    await scheduler.idle();
    expect(peakHeavy).toBe(2);
    for (const t of heavies) expect((await scheduler.get(t.id)).state).toBe(TaskState.Done);
    await scheduler.stop();
  });
});

describe('find', () => {
  it('filters by state, work and series, pages with limit and offset, and checks its input', async () => {
    const { scheduler, clock, works } = kit();
    works.register('other', () => 1);
    await scheduler.start();
    const a = await scheduler.schedule({ workId: 'record', delay: 30 });
    const b = await scheduler.schedule({ workId: 'record', delay: 10 });
    const c = await scheduler.schedule({ workId: 'other', delay: 20 });
    const ran = await scheduler.schedule({ workId: 'record', delay: 0 });
    await clock.tick();
    expect((await scheduler.find({ state: 'scheduled' })).map((t) => t.id)).toEqual([b.id, c.id, a.id]);
    expect((await scheduler.find({ state: 'scheduled', workId: 'record' })).map((t) => t.id)).toEqual([b.id, a.id]);
    expect((await scheduler.find({ state: 'scheduled', limit: 1, offset: 1 })).map((t) => t.id)).toEqual([c.id]);
    expect((await scheduler.find({ state: 'done' })).map((t) => t.id)).toEqual([ran.id]);
    expect((await scheduler.find()).map((t) => t.id)).toEqual([a.id, b.id, c.id, ran.id]);
    for (const bad of [{ state: 'running' }, { limit: 0 }, { offset: -1 }, { workId: '' }, { colour: 'red' }]) {
      expect(await codeOf(scheduler.find(bad as never))).toBe('ERR_INVALID_ARGUMENT');
    }
    await scheduler.stop();
  });
});
