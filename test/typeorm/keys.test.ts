/**
 * Dedup keys across processes: two repositories on one store (each with its own connection, as two
 * processes would have) add tasks with the same keys at once; the store keeps one scheduled task
 * per key, and the loser gets the typed refusal, or with 'keep' the winner's task.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { newTask } from '../../src/testing/index.js';
import type { TypeOrmRepository } from '../../src/typeorm.js';
import { createStore, describePostgres, openOn } from './stores.js';
import type { StoreKind } from './stores.js';

function races(kind: StoreKind): void {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function two(): Promise<[TypeOrmRepository, TypeOrmRepository]> {
    const { location, drop } = await createStore(kind);
    cleanups.push(drop);
    const a = await openOn(kind, location);
    const b = await openOn(kind, location);
    cleanups.push(() => a.close(), () => b.close());
    return [a, b];
  }

  it('two writers adding one key at once: one task is stored, the other is refused with ERR_DUPLICATE_KEY', async () => {
    const [a, b] = await two();
    for (let i = 0; i < 20; i++) {
      const results = await Promise.allSettled([a.add([newTask({ key: `k${i}` })]), b.add([newTask({ key: `k${i}` })])]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'ERR_DUPLICATE_KEY', key: `k${i}` } });
    }
    expect(await a.find({ state: 'scheduled', limit: 100 })).toHaveLength(20);
  });

  it("with 'keep', both writers get the one stored task", async () => {
    const [a, b] = await two();
    for (let i = 0; i < 20; i++) {
      const [x, y] = await Promise.all([a.add([newTask({ key: `k${i}` })], { onConflict: 'keep' }), b.add([newTask({ key: `k${i}` })], { onConflict: 'keep' })]);
      expect(x[0]?.id).toBe(y[0]?.id);
    }
    expect(await a.find({ state: 'scheduled', limit: 100 })).toHaveLength(20);
  });

  it('the store itself refuses a second scheduled row with a key (the partial unique index)', async () => {
    const [a] = await two();
    await a.add([newTask({ id: 'one', key: 'k' })]);
    const tasks = kind === 'postgres' ? '"kokugen_tasks"' : 'kokugen_tasks';
    // A column list: the table's column order depends on which migrations added them.
    const columns = 'work_id, param, scheduled_at, priority, meta, state, created_at, dispatched_at, ended_at, result, error, attempt, owner, recovered, series_id, retry, timeout, deadline, errors, flow_id, depends_on, dedup_key, key_held';
    const copy = `INSERT INTO ${tasks} (id, seq, ${columns}) SELECT 'two', seq + 1000, ${columns} FROM ${tasks} WHERE id = 'one'`;
    await expect(a.dataSource.query(copy)).rejects.toThrow(/unique|UNIQUE/);
  });
}

describe('dedup keys across writers: SQLite', () => races('sqlite'));
describePostgres('dedup keys across writers: PostgreSQL', () => races('postgres'));
