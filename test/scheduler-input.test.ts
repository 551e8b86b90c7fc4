import { describe, expect, it } from 'vitest';
import { HeapRepository, Scheduler, TaskState, WorkerPoolDispatcher, WorkRegistry } from '../src/index.js';
import type { ScheduleInput } from '../src/index.js';
import { codeOf, kit, T0 } from './helpers.js';
import { cycle, invalidScheduleInputs, invalidUpdateInputs } from './invalid-inputs.js';


describe('schedule() input', () => {
  for (const [name, input] of invalidScheduleInputs) {
    it(`refuses ${name} with ERR_INVALID_ARGUMENT and stores nothing`, async () => {
      const { scheduler, repository, events } = kit();
      expect(await codeOf(() => scheduler.schedule(input as ScheduleInput))).toBe('ERR_INVALID_ARGUMENT');
      expect(await repository.find({ state: TaskState.Scheduled, limit: 1_000_000 })).toEqual([]);
      expect(events).toEqual([]);
    });
  }

  it('says what was expected and what arrived', async () => {
    const { scheduler } = kit();
    await expect(scheduler.schedule({ workId: 'record', delay: -5 })).rejects.toThrow(/delay: expected a finite number of ms >= 0, got number -5/);
    await expect(scheduler.schedule({ workId: 'record', delay: 0, param: cycle })).rejects.toThrow(/a cycle at \$\.self/);
    await expect(scheduler.schedule({ workId: 'record', delay: 0, param: { list: [Object.assign([1], { x: 2 })] } })).rejects.toThrow(/at \$\.list\[0\]\.x/);
  });

  it('refuses an unknown work id with ERR_UNKNOWN_WORK', async () => {
    const { scheduler, repository } = kit();
    expect(await codeOf(scheduler.schedule({ workId: 'nobody', delay: 0 }))).toBe('ERR_UNKNOWN_WORK');
    expect(await repository.find({ state: TaskState.Scheduled, limit: 1_000_000 })).toEqual([]);
  });

  it('refuses a caller-given id that exists with ERR_DUPLICATE_ID, keeping the original', async () => {
    const { scheduler } = kit();
    await scheduler.schedule({ id: 'mine', workId: 'record', param: 'first', delay: 5 });
    expect(await codeOf(scheduler.schedule({ id: 'mine', workId: 'record', param: 'second', delay: 5 }))).toBe('ERR_DUPLICATE_ID');
    expect((await scheduler.get('mine')).param).toBe('first');
  });

  it('scheduleMany stores all or nothing', async () => {
    const { scheduler, repository } = kit();
    expect(await codeOf(scheduler.scheduleMany([{ workId: 'record', delay: 0 }, { workId: 'record', delay: -1 }]))).toBe('ERR_INVALID_ARGUMENT');
    await scheduler.schedule({ id: 'taken', workId: 'record', delay: 0 });
    expect(await codeOf(scheduler.scheduleMany([{ id: 'new', workId: 'record', delay: 0 }, { id: 'taken', workId: 'record', delay: 0 }]))).toBe('ERR_DUPLICATE_ID');
    expect((await repository.find({ state: TaskState.Scheduled, limit: 1_000_000 })).map((t) => t.id)).toEqual(['taken']);
    expect(await codeOf(scheduler.scheduleMany('nope' as never))).toBe('ERR_INVALID_ARGUMENT');
  });

  it('stores a frozen copy of the param, so later changes by the caller do not leak in', async () => {
    const { scheduler } = kit();
    const param = { list: [1, 2] };
    const task = await scheduler.schedule({ workId: 'record', delay: 5, param });
    param.list.push(3);
    expect((await scheduler.get(task.id)).param).toEqual({ list: [1, 2] });
    expect(Object.isFrozen(task.param)).toBe(true);
  });

  it('fills defaults: a UUID id, null param, priority 0, empty meta', async () => {
    const { scheduler } = kit();
    const task = await scheduler.schedule({ workId: 'record', delay: 5 });
    expect(task.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(task).toMatchObject({ param: null, priority: 0, meta: {}, scheduledAt: T0 + 5, createdAt: T0 });
  });
});

describe('update() input', () => {
  const bad: Array<[string, unknown]> = [
    ['nothing to change', {}],
    ['both at and delay', { at: T0, delay: 1 }],
    ['an invalid date', { at: new Date('x') }],
    ['a cyclic param', { param: cycle }],
    ['an unknown key', { when: T0 }],
    ['a fractional priority', { priority: 0.5 }],
    ['not an object', 5],
    ...invalidUpdateInputs,
  ];
  for (const [name, patch] of bad) {
    it(`refuses ${name} with ERR_INVALID_ARGUMENT and changes nothing`, async () => {
      const { scheduler } = kit();
      const task = await scheduler.schedule({ workId: 'record', delay: 5, param: 'kept' });
      expect(await codeOf(scheduler.update(task.id, patch as never))).toBe('ERR_INVALID_ARGUMENT');
      expect(await scheduler.get(task.id)).toEqual(task);
    });
  }
});

describe('constructor options', () => {
  const works = new WorkRegistry();
  const base = { repository: new HeapRepository(), dispatcher: new WorkerPoolDispatcher({ works }) };
  const bad: Array<[string, unknown]> = [
    ['no options', undefined],
    ['no repository', { dispatcher: base.dispatcher }],
    ['a dispatcher that is not one', { repository: base.repository, dispatcher: {} }],
    ['a zero hookTimeout', { ...base, hookTimeout: 0 }],
    ['a NaN retryDelay', { ...base, retryDelay: Number.NaN }],
    ['a non-boolean keepAlive', { ...base, keepAlive: 'yes' }],
    ['an unknown recovery policy', { ...base, recovery: 'maybe' }],
    ['an empty owner', { ...base, owner: '' }],
  ];
  for (const [name, options] of bad) {
    it(`refuses ${name}`, () => {
      expect(() => new Scheduler(options as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    });
  }

  it('refuses a bad pool size and a duplicate or empty work id', () => {
    expect(() => new WorkerPoolDispatcher({ works, concurrency: 0 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => new WorkerPoolDispatcher({ works, concurrency: 1.5 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    const registry = new WorkRegistry().register('a', () => 1);
    expect(() => registry.register('a', () => 2)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => registry.register('', () => 2)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => registry.register('b', 'nope' as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
