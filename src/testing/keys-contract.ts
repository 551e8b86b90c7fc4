import type { TaskRepository } from '../repository/task-repository.js';
import { TaskState } from '../task/task.js';
import type { NewTask } from '../task/task.js';
import { newSeries } from './contract-helpers.js';
import { expect } from './expect.js';
import type { TestFramework } from './framework.js';

/**
 * The conflict cases of `repositoryContract`: what adding a series whose id exists does under each
 * `onConflict` (refuse, keep, replace in one write). Registered inside the contract's describe
 * block; `repo()` is the repository under test, fresh for each case.
 */
export function keysContract(repo: () => TaskRepository, newTask: (overrides?: Partial<NewTask>) => NewTask, test: TestFramework): void {
  const { it } = test;
  const series = newSeries;
  const occurrence = (id: string, scheduledAt: number, extra: Partial<NewTask> = {}): NewTask => newTask({ id, scheduledAt, seriesId: 'nightly', param: { n: 1 }, ...extra });
  const codeOf = (promise: Promise<unknown>): Promise<unknown> => promise.then(
    () => 'resolved',
    (error: unknown) => (error as { code?: unknown }).code,
  );

  it('series conflicts: reject (the default) refuses an existing series id as a series, stores nothing', async () => {
    await repo().addSeries(series(), occurrence('n-1', 100));
    const error = await repo().addSeries(series(), occurrence('n-2', 200)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_DUPLICATE_ID', taskId: 'nightly', kind: 'series' });
    expect(await codeOf(repo().addSeries(series(), occurrence('n-2', 200), { onConflict: 'reject' }))).toBe('ERR_DUPLICATE_ID');
    expect(await repo().get('n-2')).toBeUndefined();
  });

  it('series conflicts: keep leaves the stored series and returns its pending occurrence', async () => {
    await repo().addSeries(series(), occurrence('n-1', 100));
    const kept = await repo().addSeries(series({ param: { n: 2 }, schedule: { kind: 'every', ms: 50, anchor: 0 } }), occurrence('n-2', 50, { param: { n: 2 } }), { onConflict: 'keep' });
    expect(kept).toMatchObject({ id: 'n-1', scheduledAt: 100, param: { n: 1 }, state: TaskState.Scheduled });
    expect(await repo().getSeries('nightly')).toEqual(series());
    expect(await repo().get('n-2')).toBeUndefined();
  });

  it('series conflicts: replace moves the pending occurrence in place and stores the new definition', async () => {
    await repo().addSeries(series(), occurrence('n-1', 100));
    const next = series({ param: { n: 2 }, schedule: { kind: 'every', ms: 50, anchor: 0 }, priority: 3, meta: { v: '2' }, createdAt: 99 });
    const moved = await repo().addSeries(next, occurrence('n-2', 50, { param: { n: 2 }, priority: 3, meta: { v: '2' } }), { onConflict: 'replace' });
    expect(moved).toMatchObject({ id: 'n-1', scheduledAt: 50, param: { n: 2 }, priority: 3, meta: { v: '2' }, state: TaskState.Scheduled });
    expect(await repo().get('n-1')).toEqual(moved);
    // Its history and creation time stay the series'.
    expect(await repo().getSeries('nightly')).toEqual({ ...next, createdAt: 5 });
    expect(await repo().get('n-2')).toBeUndefined();
    expect((await repo().find({ seriesId: 'nightly' })).map((t) => t.id)).toEqual(['n-1']);
    expect((await repo().claimDue(50, 10, 'me')).map((t) => t.id)).toEqual(['n-1']);
  });

  it('series conflicts: replace with the same definition changes nothing', async () => {
    const first = await repo().addSeries(series(), occurrence('n-1', 100));
    expect(await repo().addSeries(series({ createdAt: 77 }), occurrence('n-2', 200), { onConflict: 'replace' })).toEqual(first);
    expect(await repo().get('n-2')).toBeUndefined();
  });

  it('series conflicts: replace leaves a running occurrence be (it finishes, no second one is added)', async () => {
    await repo().addSeries(series(), occurrence('n-1', 100));
    await repo().claimDue(100, 1, 'me');
    const running = await repo().addSeries(series({ param: { n: 2 } }), occurrence('n-2', 200, { param: { n: 2 } }), { onConflict: 'replace' });
    expect(running).toMatchObject({ id: 'n-1', state: TaskState.Dispatched, param: { n: 1 } });
    expect(await repo().get('n-2')).toBeUndefined();
    expect((await repo().getSeries('nightly'))?.param).toEqual({ n: 2 });
  });

  it('series conflicts: keep and replace add the first occurrence to an enabled series that has none pending', async () => {
    await repo().addSeries(series(), occurrence('n-1', 100));
    await repo().claimDue(100, 1, 'me');
    await repo().complete('n-1', { state: TaskState.Done, result: null }, 100);
    expect(await repo().addSeries(series(), occurrence('n-2', 200), { onConflict: 'keep' })).toMatchObject({ id: 'n-2', state: TaskState.Scheduled });
  });

  it('series conflicts: a disabled series stays disabled; replace stores its definition, its occurrences stay ended', async () => {
    await repo().addSeries(series(), occurrence('n-1', 100));
    await repo().setSeriesEnabled('nightly', false, 10);
    const latest = await repo().addSeries(series({ param: { n: 2 } }), occurrence('n-2', 200), { onConflict: 'replace' });
    expect(latest).toMatchObject({ id: 'n-1', state: TaskState.Cancelled });
    expect(await repo().getSeries('nightly')).toMatchObject({ enabled: false, param: { n: 2 } });
    expect(await repo().get('n-2')).toBeUndefined();
  });

  const keyed = (id: string, key: string, extra: Partial<NewTask> = {}): NewTask => newTask({ id, key, scheduledAt: 100, ...extra });

  it('keys: a task stores its key; a second scheduled one with the key is refused (ERR_DUPLICATE_KEY), storing nothing', async () => {
    const [a] = await repo().add([keyed('a', 'k')]);
    expect(a).toMatchObject({ key: 'k', keyHeld: 'scheduled' });
    expect((await repo().add([newTask({ id: 'plain' })]))[0]).toMatchObject({ key: null, keyHeld: null });
    const error = await repo().add([newTask({ id: 'x' }), keyed('b', 'k')]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_DUPLICATE_KEY', key: 'k', taskId: 'a' });
    expect(await repo().get('b')).toBeUndefined();
    expect(await repo().get('x')).toBeUndefined();
    expect(await codeOf(repo().add([keyed('c', 'z'), keyed('d', 'z')]))).toBe('ERR_INVALID_ARGUMENT');
  });

  it("keys: 'keep' answers with the holder; 'replace' rewrites it in place", async () => {
    await repo().add([keyed('a', 'k', { param: 1 })]);
    const [kept, fresh] = await repo().add([keyed('b', 'k', { param: 2 }), keyed('c', 'other')], { onConflict: 'keep' });
    expect(kept).toMatchObject({ id: 'a', param: 1, scheduledAt: 100 });
    expect(fresh).toMatchObject({ id: 'c', key: 'other', state: TaskState.Scheduled });
    expect(await repo().get('b')).toBeUndefined();
    const [replaced] = await repo().add([keyed('d', 'k', { param: 3, scheduledAt: 50, priority: 4, workId: 'w2' })], { onConflict: 'replace' });
    expect(replaced).toMatchObject({ id: 'a', param: 3, scheduledAt: 50, priority: 4, workId: 'w2', key: 'k', state: TaskState.Scheduled });
    expect(await repo().get('a')).toEqual(replaced);
    expect(await repo().get('d')).toBeUndefined();
    expect((await repo().claimDue(50, 10, 'me')).map((t) => t.id)).toEqual(['a']);
  });

  it('keys: a running holder gives its key to a new task; its retry then holds none', async () => {
    await repo().add([keyed('a', 'k')]);
    await repo().claimDue(100, 1, 'me');
    const [b] = await repo().add([keyed('b', 'k')]);
    expect(b).toMatchObject({ id: 'b', key: 'k', state: TaskState.Scheduled });
    expect(await repo().get('a')).toMatchObject({ key: null, state: TaskState.Dispatched });
    await repo().complete('a', { state: TaskState.Scheduled, scheduledAt: 200, error: { name: 'E', message: 'again', attempt: 1, at: 100 } }, 100);
    expect(await repo().get('a')).toMatchObject({ key: null, state: TaskState.Scheduled });
    expect(await codeOf(repo().add([keyed('c', 'k')]))).toBe('ERR_DUPLICATE_KEY');
  });

  it("keys: held until ended, a running holder refuses a new task; 'replace' cannot change it (ERR_ALREADY_DISPATCHED)", async () => {
    await repo().add([keyed('a', 'k', { keyHeld: 'ended' })]);
    await repo().claimDue(100, 1, 'me');
    expect(await codeOf(repo().add([keyed('b', 'k')]))).toBe('ERR_DUPLICATE_KEY');
    expect((await repo().add([keyed('b', 'k')], { onConflict: 'keep' }))[0]).toMatchObject({ id: 'a', state: TaskState.Dispatched });
    expect(await codeOf(repo().add([keyed('b', 'k')], { onConflict: 'replace' }))).toBe('ERR_ALREADY_DISPATCHED');
    await repo().complete('a', { state: TaskState.Done, result: null }, 150);
    expect((await repo().add([keyed('b', 'k')]))[0]).toMatchObject({ id: 'b', key: 'k' });
  });

  it('keys: a task that ended, was cancelled or removed frees its key', async () => {
    await repo().add([keyed('a', 'k')]);
    await repo().cancel('a', 10);
    await repo().add([keyed('b', 'k')]);
    await repo().remove('b');
    expect((await repo().add([keyed('c', 'k')]))[0]?.id).toBe('c');
  });

  it('keys: retry() of an ended keyed task schedules it without its key (a newer task may hold it)', async () => {
    await repo().add([keyed('a', 'k')]);
    await repo().cancel('a', 10);
    await repo().add([keyed('b', 'k')]);
    expect(await repo().retry('a', 100, 20)).toMatchObject({ id: 'a', state: TaskState.Scheduled, key: null });
    expect(await repo().get('b')).toMatchObject({ key: 'k', state: TaskState.Scheduled });
  });
}
