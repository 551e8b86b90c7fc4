import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HeapRepository, RecoveryPolicy, TaskState } from '../src/index.js';
import { compareTasks } from '../src/repository/index.js';
import type { Series, Task } from '../src/index.js';
import { newTask } from '../src/testing/index.js';

/** The model: a plain array of scheduled tasks, fully sorted on every read. */
interface Model {
  scheduled: Map<string, { scheduledAt: number; priority: number; seq: number }>;
  seq: number;
}

type Op =
  | { kind: 'add'; id: number; at: number; priority: number }
  | { kind: 'cancel'; id: number }
  | { kind: 'update'; id: number; at: number | undefined; priority: number | undefined }
  | { kind: 'claim'; now: number; limit: number };

const ids = 40;
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('add' as const), id: fc.nat(ids), at: fc.integer({ min: 0, max: 100 }), priority: fc.integer({ min: -2, max: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), id: fc.nat(ids) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('update' as const),
      id: fc.nat(ids),
      at: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
      priority: fc.option(fc.integer({ min: -2, max: 2 }), { nil: undefined }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('claim' as const), now: fc.integer({ min: 0, max: 110 }), limit: fc.integer({ min: 1, max: 5 }) }) },
);

function modelClaim(model: Model, now: number, limit: number): string[] {
  const due = [...model.scheduled.entries()]
    .filter(([, t]) => t.scheduledAt <= now)
    .sort(([, a], [, b]) => a.scheduledAt - b.scheduledAt || b.priority - a.priority || a.seq - b.seq)
    .slice(0, limit)
    .map(([id]) => id);
  for (const id of due) model.scheduled.delete(id);
  return due;
}

describe('HeapRepository against a sorted-array model', () => {
  it('claims in the same order as the model for any sequence of add / cancel / update / claim', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 300 }), async (ops) => {
        // A tiny retention and an early compaction threshold are not configurable: use many ops instead.
        const repo = new HeapRepository();
        const model: Model = { scheduled: new Map(), seq: 0 };
        const known = new Set<string>();
        for (const o of ops) {
          const id = `t${'id' in o ? o.id : 0}`;
          switch (o.kind) {
            case 'add': {
              if (known.has(id)) {
                await expect(repo.add([newTask({ id, scheduledAt: o.at, priority: o.priority })])).rejects.toMatchObject({ code: 'ERR_DUPLICATE_ID' });
                break;
              }
              const [stored] = await repo.add([newTask({ id, scheduledAt: o.at, priority: o.priority })]);
              known.add(id);
              model.scheduled.set(id, { scheduledAt: o.at, priority: o.priority, seq: (stored as Task).seq });
              break;
            }
            case 'cancel': {
              if (!known.has(id)) break;
              const wasScheduled = model.scheduled.delete(id);
              const state = (await repo.get(id))?.state;
              if (state === TaskState.Dispatched) {
                await expect(repo.cancel(id, 0)).rejects.toMatchObject({ code: 'ERR_ALREADY_DISPATCHED' });
              } else {
                expect((await repo.cancel(id, 0)) !== undefined).toBe(wasScheduled);
              }
              break;
            }
            case 'update': {
              const entry = model.scheduled.get(id);
              if (entry === undefined || (o.at === undefined && o.priority === undefined)) break;
              await repo.update(id, { ...(o.at === undefined ? {} : { scheduledAt: o.at }), ...(o.priority === undefined ? {} : { priority: o.priority }) });
              if (o.at !== undefined) entry.scheduledAt = o.at;
              if (o.priority !== undefined) entry.priority = o.priority;
              break;
            }
            case 'claim': {
              const got = (await repo.claimDue(o.now, o.limit, 'p')).map((t) => t.id);
              expect(got).toEqual(modelClaim(model, o.now, o.limit));
              break;
            }
          }
        }
        const rest = await repo.find({ state: TaskState.Scheduled, limit: 1_000_000 });
        expect(rest.map((t) => t.id)).toEqual(modelClaim(model, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER));
        const sorted = [...rest].sort(compareTasks);
        expect(sorted).toEqual(rest);
      }),
      { numRuns: 200 },
    );
  });

  it('stays correct across heap compaction (many updates of few tasks)', async () => {
    const repo = new HeapRepository();
    await repo.add(Array.from({ length: 10 }, (_, i) => newTask({ id: `c${i}`, scheduledAt: 1_000 + i })));
    for (let round = 0; round < 500; round++) {
      for (let i = 0; i < 10; i++) await repo.update(`c${i}`, { scheduledAt: 1_000 + ((i * 7 + round) % 10) * 10 + i });
    }
    const claimed = await repo.claimDue(10_000, 100, 'p');
    expect(claimed.map((t) => t.scheduledAt)).toEqual([...claimed.map((t) => t.scheduledAt)].sort((a, b) => a - b));
    expect(claimed).toHaveLength(10);
  });

  it('forgets ended tasks beyond the retention bounds, oldest first', async () => {
    const repo = new HeapRepository({ retention: { maxEnded: 3, maxAge: 1_000 } });
    await repo.add(Array.from({ length: 6 }, (_, i) => newTask({ id: `r${i}`, scheduledAt: i })));
    await repo.claimDue(10, 6, 'p');
    for (let i = 0; i < 5; i++) await repo.complete(`r${i}`, { state: TaskState.Done, result: i }, 100 + i);
    expect(await repo.get('r0')).toBeUndefined();
    expect(await repo.get('r1')).toBeUndefined();
    expect((await repo.get('r2'))?.result).toBe(2);
    await repo.complete('r5', { state: TaskState.Done, result: 5 }, 2_000);
    expect(await repo.get('r4')).toBeUndefined();
    expect((await repo.get('r5'))?.result).toBe(5);
    expect(repo.size).toBe(1);
  });

  it('hands out frozen plain snapshots only, never the records it keeps scheduled tasks in', async () => {
    const plain = (task: Task | undefined): Task => {
      expect(task).toBeDefined();
      expect(Object.isFrozen(task)).toBe(true);
      expect(Object.getPrototypeOf(task)).toBe(Object.prototype);
      return task as Task;
    };
    const now = Date.now();
    const repo = new HeapRepository();
    // Times near now are kept as offsets, those of a fake clock (near 0) exactly: both must read the same.
    const [near, far] = await repo.add([newTask({ id: 'near', scheduledAt: now + 5, createdAt: now }), newTask({ id: 'far', scheduledAt: 10, createdAt: 0, timeout: 50 })]);
    expect(plain(await repo.get('near'))).toEqual(plain(near));
    expect(plain(await repo.get('far'))).toEqual(plain(far));
    for (const task of await repo.find({ state: TaskState.Scheduled })) plain(task);
    expect(plain(await repo.update('near', { priority: 3 })).priority).toBe(3);
    expect(plain(await repo.get('near')).priority).toBe(3);
    const [claimed] = await repo.claimDue(20, 1, 'p');
    expect(plain(claimed).id).toBe('far');
    const { task: retry } = await repo.complete('far', { state: TaskState.Scheduled, scheduledAt: 30, error: { name: 'E', message: 'm', attempt: 1, at: 20 } }, 20);
    expect(plain(await repo.get('far'))).toEqual(plain(retry));
    expect(retry).toMatchObject({ state: TaskState.Scheduled, attempt: 1, owner: 'p', timeout: 50, errors: [{ name: 'E' }] });
    await repo.claimDue(30, 1, 'p');
    const [recovered] = await repo.recover('p', RecoveryPolicy.Rerun, 40);
    expect(plain(await repo.get('far'))).toEqual(plain(recovered));
    const series: Series = { id: 's', workId: 'work', param: null, schedule: { kind: 'every', ms: 100, anchor: 0 }, misfire: 'once', grace: 1_000, priority: 0, meta: {}, retry: null, timeout: null, enabled: true, error: null, createdAt: 0 };
    const first = plain(await repo.addSeries(series, newTask({ id: 's-1', scheduledAt: now + 100, seriesId: 's' })));
    expect(plain(await repo.get('s-1'))).toEqual(first);
    expect(plain((await repo.setSeriesEnabled('s', false, 50)).task).state).toBe(TaskState.Cancelled);
    expect(plain((await repo.setSeriesEnabled('s', true, 60, newTask({ id: 's-2', scheduledAt: now + 200, seriesId: 's' }))).task).seriesId).toBe('s');
    expect(plain(await repo.cancel('near', 70)).state).toBe(TaskState.Cancelled);
    for (const task of await repo.find({})) plain(task);
  });
});
