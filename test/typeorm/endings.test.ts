/**
 * Shared endings: completions that arrive together go to the store as one statement (see `Ending`
 * in task-store.ts). Each must still be its own compare-and-set: a task that is no longer
 * dispatched is refused with the same typed error as on the general path, and the others of the
 * same statement are not disturbed by it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TaskState } from '../../src/index.js';
import type { Task } from '../../src/index.js';
import { newTask } from '../../src/testing/index.js';
import { codeOf } from '../helpers.js';
import { describePostgres, openStore } from './stores.js';
import type { StoreFixture, StoreKind } from './stores.js';

function endings(kind: StoreKind): void {
  let store: StoreFixture | undefined;
  afterEach(() => store?.close());

  async function dispatched(count: number): Promise<Task[]> {
    store = await openStore(kind);
    await store.repository.add(Array.from({ length: count }, (_, i) => newTask({ id: `${kind}-ending-${i}`, scheduledAt: 1_000 })));
    return store.repository.claimDue(2_000, count, 'owner');
  }

  it('ends many tasks at once, each with its own result, byte-identical', async () => {
    const tasks = await dispatched(1_200); // more than one shared statement holds
    const result = (i: number) => ({ i, text: `'; DROP TABLE kokugen_tasks; -- ${'x'.repeat(i % 7)} \u00e9\u{1F600}`, nested: [i, null, true] });
    const ended = await Promise.all(tasks.map((task, i) => store!.repository.complete(task.id, { state: TaskState.Done, result: result(i) }, 3_000 + i)));
    ended.forEach(({ task }, i) => {
      expect(task).toMatchObject({ id: tasks[i]!.id, state: TaskState.Done, endedAt: 3_000 + i, result: result(i), attempt: 1 });
    });
    const stored = await store!.repository.find({ state: TaskState.Done, limit: 2_000 });
    expect(stored).toHaveLength(1_200);
    for (const [i, task] of tasks.entries()) expect((await store!.repository.get(task.id))?.result).toEqual(result(i));
  });

  it('refuses a task that is not dispatched without disturbing the others of the statement', async () => {
    const [first, second, third] = await dispatched(3);
    await store!.repository.complete(second!.id, { state: TaskState.Done, result: 'earlier' }, 2_500);
    const outcomes = await Promise.all([
      store!.repository.complete(first!.id, { state: TaskState.Done, result: 1 }, 3_000),
      codeOf(store!.repository.complete(second!.id, { state: TaskState.Done, result: 'again' }, 3_000)),
      codeOf(store!.repository.complete('no-such-task', { state: TaskState.Done, result: null }, 3_000)),
      store!.repository.complete(third!.id, { state: TaskState.Expired, error: { name: 'Expired', message: 'past its deadline' } }, 3_000),
    ]);
    expect(outcomes[0]).toMatchObject({ task: { state: TaskState.Done, result: 1 } });
    expect(outcomes[1]).toBe('ERR_STATE_CONFLICT');
    expect(outcomes[2]).toBe('ERR_TASK_NOT_FOUND');
    expect(outcomes[3]).toMatchObject({ task: { state: TaskState.Expired, error: { name: 'Expired', message: 'past its deadline' } } });
    expect(await store!.repository.get(second!.id)).toMatchObject({ state: TaskState.Done, result: 'earlier', endedAt: 2_500 });
  });

  it('lets exactly one of two racing completions of the same task win', async () => {
    const [task] = await dispatched(1);
    const outcomes = await Promise.allSettled([
      store!.repository.complete(task!.id, { state: TaskState.Done, result: 'a' }, 3_000),
      store!.repository.complete(task!.id, { state: TaskState.Done, result: 'b' }, 3_001),
    ]);
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    expect(won).toHaveLength(1);
    const stored = await store!.repository.get(task!.id);
    expect(won[0]).toMatchObject({ value: { task: { result: stored?.result, endedAt: stored?.endedAt } } });
  });
}

describe('shared endings on SQLite', () => endings('sqlite'));
describePostgres('shared endings on PostgreSQL', () => endings('postgres'));
