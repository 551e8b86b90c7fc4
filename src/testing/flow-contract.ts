import type { TaskRepository } from '../repository/task-repository.js';
import { ReleaseWhen, TaskState } from '../task/task.js';
import type { Dependency, NewTask } from '../task/task.js';
import { expect } from './expect.js';
import { resolveFramework } from './framework.js';
import type { TestFramework } from './framework.js';

/**
 * The flow cases of `repositoryContract`: the writes that end a flow's task settle its waiting
 * steps in the same write. Registered inside the contract's describe block; `repo()` is the
 * repository under test, fresh for each case. `framework` as for `repositoryContract`.
 */
export function flowContract(repo: () => TaskRepository, newTask: (overrides?: Partial<NewTask>) => NewTask, framework?: TestFramework): void {
  const { it } = resolveFramework(framework, 'flowContract');
  const step = (id: string, flowId: string, dependsOn: Dependency | null = null, extra: Partial<NewTask> = {}): NewTask => newTask({ id, flowId, dependsOn, scheduledAt: 100, ...extra });
  const after = (parents: string[], when: Dependency['when'] = ReleaseWhen.AllDone, delay = 0): Dependency => ({ parents, when, delay });
  const run = async (id: string, now: number, ok = true) => {
    const [claimed] = await repo().claimDue(now, 1, 'me');
    expect(claimed?.id).toBe(id);
    return repo().complete(id, ok ? { state: TaskState.Done, result: id } : { state: TaskState.Failed, error: { name: 'Error', message: 'no', attempt: 1, at: now } }, now);
  };

  it('flows: stores a step with parents waiting, never claims it, and keeps flowId and dependsOn', async () => {
    const [a, b] = await repo().add([step('a', 'f'), step('b', 'f', after(['a'], ReleaseWhen.AllDone, 50))]);
    expect(a).toMatchObject({ state: TaskState.Scheduled, flowId: 'f', dependsOn: null });
    expect(b).toMatchObject({ state: TaskState.Waiting, flowId: 'f', dependsOn: { parents: ['a'], when: 'done', delay: 50 } });
    expect(await repo().get('b')).toEqual(b);
    expect((await repo().find({ state: TaskState.Waiting })).map((t) => t.id)).toEqual(['b']);
    expect((await repo().find({ flowId: 'f' })).map((t) => t.id)).toEqual(['a', 'b']);
    expect((await repo().claimDue(10_000, 10, 'me')).map((t) => t.id)).toEqual(['a']);
    expect(await repo().claimDue(10_000, 10, 'me')).toEqual([]);
    expect((await repo().add([newTask({ id: 'plain' })]))[0]).toMatchObject({ flowId: null, dependsOn: null });
  });

  it('flows: complete() releases a chain step in the same write, due at its delay after the release', async () => {
    await repo().add([step('a', 'f'), step('b', 'f', after(['a'], ReleaseWhen.AllDone, 50)), step('c', 'f', after(['b']))]);
    const completion = await run('a', 1_000);
    expect(completion.dependents).toEqual([expect.objectContaining({ id: 'b', state: TaskState.Scheduled, scheduledAt: 1_050 })]);
    expect(await repo().get('b')).toMatchObject({ state: TaskState.Scheduled, scheduledAt: 1_050 });
    expect(await repo().get('c')).toMatchObject({ state: TaskState.Waiting });
    expect(await repo().claimDue(1_049, 10, 'me')).toEqual([]);
    expect((await run('b', 1_050)).dependents?.map((t) => t.id)).toEqual(['c']);
  });

  it('flows: a failure cancels the whole rest of a chain with the reason, in the same write', async () => {
    await repo().add([step('a', 'f'), step('b', 'f', after(['a'])), step('c', 'f', after(['b']))]);
    const completion = await run('a', 500, false);
    expect(completion.dependents?.map((t) => [t.id, t.state, t.endedAt, t.error?.name])).toEqual([
      ['b', TaskState.Cancelled, 500, 'FlowCancelled'],
      ['c', TaskState.Cancelled, 500, 'FlowCancelled'],
    ]);
    expect(await repo().get('c')).toMatchObject({ state: TaskState.Cancelled, endedAt: 500, error: { name: 'FlowCancelled' } });
  });

  it('flows: a chord callback is released by the last member, whichever ends last', async () => {
    await repo().add([step('m1', 'g'), step('m2', 'g'), step('then', 'g', after(['m1', 'm2']))]);
    const claimed = await repo().claimDue(1_000, 10, 'me');
    expect(claimed.map((t) => t.id)).toEqual(['m1', 'm2']);
    expect((await repo().complete('m2', { state: TaskState.Done, result: 2 }, 1_000)).dependents).toBeUndefined();
    expect(await repo().get('then')).toMatchObject({ state: TaskState.Waiting });
    expect((await repo().complete('m1', { state: TaskState.Done, result: 1 }, 1_001)).dependents?.map((t) => [t.id, t.state])).toEqual([['then', TaskState.Scheduled]]);
  });

  it('flows: a chord callback is cancelled by a failed member, or released once all ended with AllEnded', async () => {
    await repo().add([step('m1', 'g'), step('m2', 'g'), step('strict', 'g', after(['m1', 'm2'])), step('lenient', 'g', after(['m1', 'm2'], ReleaseWhen.AllEnded))]);
    await repo().claimDue(1_000, 10, 'me');
    const first = await repo().complete('m1', { state: TaskState.Failed, error: { name: 'Error', message: 'no', attempt: 1, at: 1_000 } }, 1_000);
    expect(first.dependents?.map((t) => [t.id, t.state])).toEqual([['strict', TaskState.Cancelled]]);
    const second = await repo().complete('m2', { state: TaskState.Done, result: null }, 1_001);
    expect(second.dependents?.map((t) => [t.id, t.state])).toEqual([['lenient', TaskState.Scheduled]]);
  });

  it('flows: an AnyFailed callback is released by a failure or expiry and cancelled by success', async () => {
    await repo().add([step('a', 'x'), step('onA', 'x', after(['a'], ReleaseWhen.AnyFailed)), step('b', 'y'), step('onB', 'y', after(['b'], ReleaseWhen.AnyFailed))]);
    await repo().claimDue(1_000, 10, 'me');
    expect((await repo().complete('a', { state: TaskState.Expired, error: { name: 'Deadline', message: 'late' } }, 1_000)).dependents?.map((t) => t.state)).toEqual([TaskState.Scheduled]);
    expect((await repo().complete('b', { state: TaskState.Done, result: null }, 1_000)).dependents?.map((t) => t.state)).toEqual([TaskState.Cancelled]);
  });

  it('flows: a retry outcome settles nothing; cancel() of a waiting step cancels what depends on it', async () => {
    await repo().add([step('a', 'f'), step('b', 'f', after(['a'])), step('c', 'f', after(['b']))]);
    await repo().claimDue(1_000, 1, 'me');
    const retry = await repo().complete('a', { state: TaskState.Scheduled, scheduledAt: 2_000, error: { name: 'Error', message: 'again', attempt: 1, at: 1_000 } }, 1_000);
    expect(retry.dependents).toBeUndefined();
    expect(await repo().cancel('b', 1_500)).toMatchObject({ id: 'b', state: TaskState.Cancelled, endedAt: 1_500 });
    expect(await repo().get('c')).toMatchObject({ state: TaskState.Cancelled, endedAt: 1_500, error: { name: 'FlowCancelled' } });
    expect(await repo().cancel('c', 1_600)).toBeUndefined();
    expect(await repo().get('a')).toMatchObject({ state: TaskState.Scheduled });
  });

  it('flows: update() changes a waiting step and keeps it waiting', async () => {
    await repo().add([step('a', 'f'), step('b', 'f', after(['a']))]);
    expect(await repo().update('b', { param: 'new', priority: 3 })).toMatchObject({ state: TaskState.Waiting, param: 'new', priority: 3 });
    expect(await repo().get('b')).toMatchObject({ state: TaskState.Waiting, param: 'new', priority: 3 });
  });

  it('flows: recover(fail) settles the flow of the tasks it ends', async () => {
    await repo().add([step('a', 'f'), step('b', 'f', after(['a']))]);
    await repo().claimDue(1_000, 1, 'gone');
    await repo().recover('gone', 'fail', 2_000);
    expect(await repo().get('b')).toMatchObject({ state: TaskState.Cancelled, endedAt: 2_000, error: { name: 'FlowCancelled' } });
  });
}
