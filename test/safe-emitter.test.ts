import { describe, expect, it } from 'vitest';
import { schedulerEventNames } from '../src/scheduler/events.js';
import type { SchedulerEvents } from '../src/scheduler/events.js';
import { SafeEmitter } from '../src/scheduler/safe-emitter.js';
import { codeOf, kit } from './helpers.js';

interface Events {
  ping: { readonly n: number };
  pong: { readonly n: number };
}

function emitter(): { events: SafeEmitter<Events>; errors: unknown[] } {
  const errors: unknown[] = [];
  return { events: new SafeEmitter<Events>((_, error) => void errors.push(error)), errors };
}

describe('SafeEmitter', () => {
  it('on(e, f, once) then on(e, f): the once registration goes after its first call, the other stays', () => {
    const { events } = emitter();
    const seen: number[] = [];
    const f = ({ n }: { n: number }): void => void seen.push(n);
    events.on('ping', f, true);
    events.on('ping', f);
    for (let n = 1; n <= 4; n++) events.emit('ping', { n });
    expect(seen).toEqual([1, 1, 2, 3, 4]);
  });

  it('on(e, f) then on(e, f, once): the same, in the other order', () => {
    const { events } = emitter();
    const seen: number[] = [];
    const f = ({ n }: { n: number }): void => void seen.push(n);
    events.on('ping', f);
    events.on('ping', f, true);
    for (let n = 1; n <= 4; n++) events.emit('ping', { n });
    expect(seen).toEqual([1, 1, 2, 3, 4]);
  });

  it('off(e, f) removes the latest registration of f, once or not', () => {
    const { events } = emitter();
    const seen: string[] = [];
    const f = (): void => void seen.push('f');
    events.on('ping', f);
    events.on('ping', f, true);
    events.off('ping', f);
    events.emit('ping', { n: 1 });
    events.emit('ping', { n: 2 });
    expect(seen).toEqual(['f', 'f']);
    events.off('ping', f);
    events.emit('ping', { n: 3 });
    expect(seen).toEqual(['f', 'f']);
    expect(events.has('ping')).toBe(false);
  });

  it('a once listener that emits the same event again is called once', () => {
    const { events } = emitter();
    let calls = 0;
    events.on(
      'ping',
      ({ n }) => {
        calls++;
        if (n < 3) events.emit('ping', { n: n + 1 });
      },
      true,
    );
    events.emit('ping', { n: 1 });
    expect(calls).toBe(1);
    expect(events.has('ping')).toBe(false);
  });

  it('hands throws and rejections to onError and calls the other listeners', async () => {
    const { events, errors } = emitter();
    const seen: string[] = [];
    events.on('ping', () => {
      throw new Error('sync');
    });
    events.on('ping', () => Promise.reject(new Error('async')));
    events.on('ping', () => void seen.push('third'));
    events.emit('ping', { n: 1 });
    await Promise.resolve();
    expect(seen).toEqual(['third']);
    expect(errors.map((e) => (e as Error).message)).toEqual(['sync', 'async']);
  });

  it('Scheduler: once(e, f) then on(e, f) with the same f gives 2 calls on the first event, then 1 each', async () => {
    const { scheduler, clock } = kit();
    let calls = 0;
    const f = (): void => void calls++;
    scheduler.once('task:done', f).on('task:done', f);
    await scheduler.start();
    for (let i = 0; i < 4; i++) {
      const task = await scheduler.schedule({ workId: 'record', delay: 0 });
      await clock.tick();
      await scheduler.wait(task.id);
    }
    expect(calls).toBe(5);
    await scheduler.stop();
  });

  it('with a list of names, refuses other names in on and off, naming the key, and changes nothing', async () => {
    const events = new SafeEmitter<SchedulerEvents>(() => undefined, schedulerEventNames);
    const typo = 'task:doen' as 'task:done';
    const f = (): void => undefined;
    for (const register of [() => events.on(typo, f), () => events.on(typo, f, true), () => events.off(typo, f)]) {
      expect(await codeOf(register)).toBe('ERR_INVALID_ARGUMENT');
      expect(register).toThrow(/event.*"task:doen"|task:doen/);
    }
    expect(events.has(typo)).toBe(false);
    events.on('task:done', f);
    expect(events.has('task:done')).toBe(true);
  });

  it('refuses a listener that is not a function, in on and off', async () => {
    const events = new SafeEmitter<Events>(() => undefined);
    for (const listener of [undefined, null, 'f', {}]) {
      const bad = listener as unknown as () => void;
      expect(await codeOf(() => events.on('ping', bad))).toBe('ERR_INVALID_ARGUMENT');
      expect(await codeOf(() => events.on('ping', bad, true))).toBe('ERR_INVALID_ARGUMENT');
      expect(await codeOf(() => events.off('ping', bad))).toBe('ERR_INVALID_ARGUMENT');
    }
    expect(events.has('ping')).toBe(false);
  });

  it('schedulerEventNames lists every event of SchedulerEvents, once', () => {
    expect(new Set(schedulerEventNames).size).toBe(schedulerEventNames.length);
    expect(schedulerEventNames).toContain('task:done');
    expect(schedulerEventNames).toContain('loop:stopped');
    expect(Object.isFrozen(schedulerEventNames)).toBe(true);
  });

  it('Scheduler: on/once/off refuse a listener that is not a function', async () => {
    const { scheduler } = kit();
    const bad = 'log' as unknown as () => void;
    expect(await codeOf(() => scheduler.on('task:done', bad))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(() => scheduler.once('task:done', bad))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(() => scheduler.off('task:done', bad))).toBe('ERR_INVALID_ARGUMENT');
  });
});
