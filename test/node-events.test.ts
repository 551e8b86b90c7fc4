import { EventEmitter, on, once } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { SchedulerEvents } from '../src/index.js';
import { codeOf, kit } from './helpers.js';

/** node:events types its helpers for its own EventEmitter; the scheduler has what they use of one. */
const asEmitter = (scheduler: object): EventEmitter => scheduler as EventEmitter;

describe('the scheduler with node:events', () => {
  it('on() yields payloads, and a break removes its listener', async () => {
    const { scheduler, clock } = kit();
    await scheduler.start();
    const seen: string[] = [];
    const a = await scheduler.schedule({ workId: 'record', delay: 0, param: 'a' });
    const b = await scheduler.schedule({ workId: 'record', delay: 0, param: 'b' });
    const iterating = (async () => {
      for await (const [payload] of on(asEmitter(scheduler), 'task:done')) {
        seen.push((payload as SchedulerEvents['task:done']).task.id);
        if (seen.length === 2) break;
      }
    })();
    await clock.tick();
    await iterating;
    expect(seen.sort()).toEqual([a.id, b.id].sort());
    // The break removed the listener: a later task:done goes nowhere, and nothing is reported.
    const errors: unknown[] = [];
    scheduler.on('loop:error', ({ error }) => errors.push(error));
    await scheduler.schedule({ workId: 'record', delay: 0 });
    await clock.tick();
    expect(errors).toEqual([]);
    expect(seen).toHaveLength(2);
    await scheduler.stop();
  });

  it('on() ends with the AbortSignal: the loop rejects with an AbortError and the listener goes', async () => {
    const { scheduler, clock } = kit();
    await scheduler.start();
    const controller = new AbortController();
    const seen: string[] = [];
    const iterating = (async () => {
      for await (const [payload] of on(asEmitter(scheduler), 'task:done', { signal: controller.signal })) {
        seen.push((payload as SchedulerEvents['task:done']).task.id);
        controller.abort();
      }
    })().then(() => 'ended', (error: unknown) => error);
    const task = await scheduler.schedule({ workId: 'record', delay: 0 });
    await clock.tick();
    expect(await iterating).toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual([task.id]);
    await scheduler.stop();
  });

  it('once() resolves with the next payload, and rejects when its signal aborts', async () => {
    const { scheduler, clock } = kit();
    await scheduler.start();
    const next = once(asEmitter(scheduler), 'task:done');
    const task = await scheduler.schedule({ workId: 'record', delay: 0 });
    await clock.tick();
    const [payload] = (await next) as [SchedulerEvents['task:done']];
    expect(payload.task.id).toBe(task.id);
    const controller = new AbortController();
    const never = once(asEmitter(scheduler), 'task:failed', { signal: controller.signal });
    controller.abort();
    await expect(never).rejects.toMatchObject({ name: 'AbortError' });
    await scheduler.stop();
  });

  it('addListener and removeListener are on and off', async () => {
    const { scheduler, clock } = kit();
    await scheduler.start();
    const seen: string[] = [];
    const listener = ({ task }: SchedulerEvents['task:done']): number => seen.push(task.id);
    scheduler.addListener('task:done', listener);
    const first = await scheduler.schedule({ workId: 'record', delay: 0 });
    await clock.tick();
    scheduler.removeListener('task:done', listener);
    await scheduler.schedule({ workId: 'record', delay: 0 });
    await clock.tick();
    expect(seen).toEqual([first.id]);
    await scheduler.stop();
  });

  it("an 'error' listener is accepted and never called; other unknown names are still refused", async () => {
    const { scheduler } = kit();
    const listener = (): void => undefined;
    expect(() => asEmitter(scheduler).on('error', listener)).not.toThrow();
    expect(() => asEmitter(scheduler).removeListener('error', listener)).not.toThrow();
    expect(await codeOf(() => scheduler.on('task:dnoe' as 'task:done', listener))).toBe('ERR_INVALID_ARGUMENT');
  });
});
