import { describe, expect, it } from 'vitest';
import { TaskState } from '../src/index.js';
import type { Task } from '../src/index.js';
import { codeOf, kit } from './helpers.js';

describe('Scheduler: last-second updates', () => {
  it('a cancel before the claim wins: the task never runs and wait() sees it cancelled', async () => {
    const { scheduler, clock, started } = kit();
    await scheduler.start();
    const task = await scheduler.schedule({ workId: 'record', delay: 100 });
    const waiting = scheduler.wait(task.id);
    await clock.advance(99);
    expect(await scheduler.cancel(task.id)).toBe(true);
    expect(await scheduler.cancel(task.id)).toBe(false);
    await clock.advance(1_000);
    expect(started.has(task.id)).toBe(false);
    expect((await waiting).state).toBe(TaskState.Cancelled);
    await scheduler.stop();
  });

  it('a cancel racing the dispatch in the same turn either wins or loses cleanly, never both', async () => {
    const seen: string[] = [];
    for (let offset = 0; offset < 4; offset++) {
      const { scheduler, clock, started } = kit();
      await scheduler.start();
      const task = await scheduler.schedule({ workId: 'record', delay: 10 });
      const tick = clock.advance(10);
      // Let the timer fire and the loop take `offset` steps before the cancel arrives.
      for (let i = 0; i < offset; i++) await Promise.resolve();
      const outcome = await scheduler.cancel(task.id).then(
        (cancelled) => (cancelled ? 'won' : 'ended'),
        (error: unknown) => (error as { code?: string }).code,
      );
      await tick;
      await scheduler.idle();
      const final = await scheduler.get(task.id);
      if (outcome === 'won') {
        expect(final.state).toBe(TaskState.Cancelled);
        expect(started.has(task.id)).toBe(false);
      } else {
        expect(['ERR_ALREADY_DISPATCHED', 'ended']).toContain(outcome);
        expect(final.state).toBe(TaskState.Done);
        expect(started.has(task.id)).toBe(true);
      }
      seen.push(outcome ?? 'none');
      await scheduler.stop();
    }
    expect(seen).toContain('won');
    expect(seen).toContain('ERR_ALREADY_DISPATCHED');
  });

  it('an update racing the dispatch either runs with the new values or is refused with ERR_ALREADY_DISPATCHED', async () => {
    const seen: unknown[] = [];
    for (let offset = 0; offset < 4; offset++) {
      const { scheduler, clock } = kit();
      await scheduler.start();
      const task = await scheduler.schedule({ workId: 'record', param: 'old', delay: 10 });
      const tick = clock.advance(10);
      for (let i = 0; i < offset; i++) await Promise.resolve();
      const outcome = await scheduler.update(task.id, { param: 'new' }).then(
        () => 'won',
        (error: unknown) => (error as { code?: string }).code,
      );
      await tick;
      await scheduler.idle();
      const final: Task = await scheduler.get(task.id);
      expect(final.state).toBe(TaskState.Done);
      expect(final.result).toBe(outcome === 'won' ? 'new' : 'old');
      if (outcome !== 'won') expect(outcome).toBe('ERR_ALREADY_DISPATCHED');
      seen.push(outcome);
      await scheduler.stop();
    }
    // The sweep must have hit both sides of the race, or it proves nothing.
    expect(seen).toContain('won');
    expect(seen).toContain('ERR_ALREADY_DISPATCHED');
  });

  it('refuses updates of running and ended tasks, and cancels of running ones, with typed errors', async () => {
    let release!: () => void;
    const { scheduler, clock } = kit({
      works: (works) => works.register('hold', () => new Promise<void>((resolve) => (release = resolve))),
    });
    await scheduler.start();
    const task = await scheduler.schedule({ workId: 'hold', delay: 0 });
    await clock.tick();
    expect((await scheduler.get(task.id)).state).toBe(TaskState.Dispatched);
    expect(await codeOf(scheduler.update(task.id, { priority: 1 }))).toBe('ERR_ALREADY_DISPATCHED');
    expect(await codeOf(scheduler.cancel(task.id))).toBe('ERR_ALREADY_DISPATCHED');
    release();
    await scheduler.idle();
    expect(await codeOf(scheduler.update(task.id, { priority: 1 }))).toBe('ERR_ALREADY_DISPATCHED');
    expect(await scheduler.cancel(task.id)).toBe(false);
    const cancelled = await scheduler.schedule({ workId: 'record', delay: 50 });
    await scheduler.cancel(cancelled.id);
    expect(await codeOf(scheduler.update(cancelled.id, { priority: 1 }))).toBe('ERR_TASK_CANCELLED');
    expect(await codeOf(scheduler.update('missing', { priority: 1 }))).toBe('ERR_TASK_NOT_FOUND');
    expect(await codeOf(scheduler.cancel('missing'))).toBe('ERR_TASK_NOT_FOUND');
    expect(await codeOf(scheduler.get('missing'))).toBe('ERR_TASK_NOT_FOUND');
    expect(await codeOf(scheduler.wait('missing'))).toBe('ERR_TASK_NOT_FOUND');
    await scheduler.stop();
  });

  it('bounds concurrency and keeps the pool whole through failures', async () => {
    let active = 0;
    let peak = 0;
    const { scheduler, clock } = kit({
      concurrency: 3,
      works: (works, { clock: c }) =>
        works.register('busy', async (n: number) => {
          active++;
          peak = Math.max(peak, active);
          await new Promise<void>((resolve) => c.setTimer(c.now() + 10, resolve));
          active--;
          if (n % 2 === 0) throw new Error(`even ${n}`);
          return n;
        }),
    });
    await scheduler.start();
    const tasks = await scheduler.scheduleMany(Array.from({ length: 12 }, (_, n) => ({ workId: 'busy', param: n, delay: 0 })));
    for (let i = 0; i < 5; i++) await clock.advance(10);
    await scheduler.idle();
    const ended = await Promise.all(tasks.map((t) => scheduler.get(t.id)));
    expect(ended.filter((t) => t.state === TaskState.Done)).toHaveLength(6);
    expect(ended.filter((t) => t.state === TaskState.Failed)).toHaveLength(6);
    expect(peak).toBe(3);
    await scheduler.stop();
  });
});
