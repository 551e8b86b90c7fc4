/**
 * Bad input: everything schedule() refuses on the heap it refuses the same way on SQLite and on
 * PostgreSQL (the shared list from test/invalid-inputs.ts), storing nothing; and the few strings
 * the databases cannot hold are refused with a typed error where the heap would keep them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { every, HeapRepository, TaskState } from '../../src/index.js';
import type { ScheduleInput, TaskRepository } from '../../src/index.js';
import type { NewTask } from '../../src/repository/index.js';
import { newTask } from '../../src/testing/index.js';
import { codeOf, kit } from '../helpers.js';
import { invalidScheduleInputs, invalidUpdateInputs } from '../invalid-inputs.js';
import { describePostgres, openStore } from './stores.js';
import type { StoreFixture, StoreKind } from './stores.js';

function parity(kind: StoreKind): void {
  let store: StoreFixture;
  beforeAll(async () => {
    store = await openStore(kind);
  });
  afterAll(() => store.close());

  const stored = (repository: TaskRepository) => repository.find({ limit: 1_000 });

  it.each(invalidScheduleInputs)('refuses %s as the heap does and stores nothing', async (_name, input) => {
    const onHeap = await codeOf(() => kit({ repository: new HeapRepository() }).scheduler.schedule(input as ScheduleInput));
    expect(onHeap).toBe('ERR_INVALID_ARGUMENT');
    const { scheduler } = kit({ repository: store.repository });
    expect(await codeOf(() => scheduler.schedule(input as ScheduleInput))).toBe(onHeap);
    expect(await codeOf(() => scheduler.scheduleMany([{ workId: 'record', delay: 0 }, input as ScheduleInput]))).toBe(onHeap);
    expect(await stored(store.repository)).toEqual([]);
  });

  it.each(invalidUpdateInputs)('refuses an update with %s as the heap does and changes nothing', async (_name, patch) => {
    for (const repository of [new HeapRepository(), store.repository]) {
      const { scheduler } = kit({ repository });
      const task = await scheduler.schedule({ workId: 'record', delay: 5, param: 'kept' });
      expect(await codeOf(() => scheduler.update(task.id, patch as never))).toBe('ERR_INVALID_ARGUMENT');
      expect(await repository.get(task.id)).toEqual(task);
      await repository.remove(task.id);
    }
  });

  it('gives -0 back as 0 on every store, as the heap does: param, result, times, priority, retry, grace', async () => {
    const seen: Array<Record<string, number>> = [];
    for (const repository of [new HeapRepository(), store.repository]) {
      const { scheduler, works } = kit({ repository });
      works.register('minus-zero', () => -0);
      const retry = { attempts: 2, backoff: 'fixed' as const, delay: -0, maxDelay: -0, jitter: -0 };
      await scheduler.schedule({ id: 'minus-zero', workId: 'minus-zero', param: -0, at: -0, deadline: -0, priority: -0, retry });
      await scheduler.schedule({ id: 'minus-zero-series', workId: 'record', schedule: every(60_000), grace: -0, priority: -0, delay: 60_000 });
      await scheduler.schedule({ id: 'minus-zero-result', workId: 'minus-zero', delay: 0 });
      const scheduled = (await repository.get('minus-zero'))!;
      await scheduler.start();
      const ended = await scheduler.wait('minus-zero-result');
      await scheduler.stop();
      const series = (await repository.getSeries('minus-zero-series'))!;
      const fields = { param: scheduled.param as number, scheduledAt: scheduled.scheduledAt, deadline: scheduled.deadline!, priority: scheduled.priority, retryDelay: scheduled.retry!.delay, retryMaxDelay: scheduled.retry!.maxDelay, jitter: scheduled.retry!.jitter, result: ended.result as number, resultStored: (await repository.get('minus-zero-result'))!.result as number, grace: series.grace, seriesPriority: series.priority };
      for (const [field, value] of Object.entries(fields)) expect([field, Object.is(value, 0)]).toEqual([field, true]);
      seen.push(fields);
      for (const id of ['minus-zero', 'minus-zero-result']) await scheduler.remove(id);
      await repository.removeSeries('minus-zero-series');
    }
    expect(seen[1]).toEqual(seen[0]);
  });

  it('refuses ids and work ids the database cannot hold (NUL, lone surrogates) with ERR_INVALID_ARGUMENT', async () => {
    const { scheduler, works } = kit({ repository: store.repository });
    works.register('nul\u0000work', () => null);
    for (const input of [{ id: 'a\u0000b' }, { id: 'half \uD83C' }, { id: '\uDF8C' }, { workId: 'nul\u0000work' }]) {
      expect(await codeOf(() => scheduler.schedule({ workId: 'record', delay: 0, ...input }))).toBe('ERR_INVALID_ARGUMENT');
    }
    expect(await stored(store.repository)).toEqual([]);
    // The scheduler refuses such ids at its edge for every repository, lookups included.
    expect(await codeOf(() => scheduler.get('a\u0000b'))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(() => scheduler.cancel('a\u0000b'))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(() => scheduler.remove('a\u0000b'))).toBe('ERR_INVALID_ARGUMENT');
    expect(await codeOf(() => kit().scheduler.get('a\u0000b'))).toBe('ERR_INVALID_ARGUMENT');
  });

  it.each<[string, Partial<ScheduleInput>]>([
    ['a fractional priority', { priority: 1.5 }],
    ['a huge priority', { priority: 2 ** 40 }],
    ['non-string meta', { meta: { n: 1 } as never }],
    ['a class instance as meta', { meta: new (class Labels { team = 'ops'; })() as never }],
    ['a zero timeout', { timeout: 0 }],
    ['a timeout past 2^31-1', { timeout: 2 ** 31 }],
    ['an empty id', { id: '' }],
    ['an id with NUL', { id: 'a\u0000b' }],
    ['a 201-character id', { id: 'i'.repeat(201) }],
  ])('refuses %s from a direct caller of the repository with the very check the scheduler uses', async (_name, input) => {
    const { scheduler } = kit({ repository: new HeapRepository() });
    const atEdge: unknown = await scheduler.schedule({ workId: 'record', delay: 0, ...input }).catch((error: unknown) => error);
    const atStore: unknown = await store.repository.add([newTask(input as Partial<NewTask>)]).catch((error: unknown) => error);
    expect(atEdge).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    // One copy of each check: the same refusal, word for word, whoever is asked.
    expect(atStore).toMatchObject({ code: 'ERR_INVALID_ARGUMENT', message: (atEdge as Error).message });
    expect(await stored(store.repository)).toEqual([]);
  });

  it('keeps whole milliseconds: a fractional due time rounds up (never early), a deadline down', async () => {
    const { scheduler, clock } = kit({ repository: store.repository });
    const task = await scheduler.schedule({ id: 'fraction', workId: 'record', at: clock.now() + 10.2, deadline: clock.now() + 20.7 });
    expect(task).toMatchObject({ scheduledAt: clock.now() + 11, deadline: clock.now() + 20 });
    expect(await store.repository.get('fraction')).toEqual(task);
    expect(await store.repository.claimDue(clock.now() + 10.9, 5, 'me')).toEqual([]);
    expect(await scheduler.remove('fraction')).toBe(true);
    expect((await stored(store.repository)).filter((t) => t.state === TaskState.Scheduled)).toEqual([]);
  });
}

describe('input parity on SQLite', () => parity('sqlite'));
describePostgres('input parity on PostgreSQL', () => parity('postgres'));
