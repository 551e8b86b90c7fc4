/**
 * Migration LeanIndexes0006: the tasks table keeps only the indexes its reads need, the flow and
 * series ones partial. Each read that relies on an index must still find it usable: a partial
 * index serves a query only when the query's WHERE implies the index's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { describePostgres, openStore } from './stores.js';
import type { StoreFixture, StoreKind } from './stores.js';

function indexes(kind: StoreKind): void {
  let store: StoreFixture | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  /** The plan of `query` as text; sequential scans are made a last resort, so a usable index is chosen. */
  async function plan(query: string): Promise<string> {
    store = await openStore(kind);
    const { dataSource } = store.repository;
    if (kind === 'sqlite') return JSON.stringify(await dataSource.query(`EXPLAIN QUERY PLAN ${query}`));
    const runner = dataSource.createQueryRunner();
    try {
      await runner.query('SET enable_seqscan = off');
      return JSON.stringify(await runner.query(`EXPLAIN ${query}`));
    } finally {
      await runner.query('RESET enable_seqscan');
      await runner.release();
    }
  }

  it('has partial flow and series indexes, and the full index on state and due time on SQLite only', async () => {
    store = await openStore(kind);
    const { dataSource } = store.repository;
    const rows: Array<{ name: string; sql: string }> =
      kind === 'sqlite'
        ? await dataSource.query(`SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'kokugen_tasks' AND sql IS NOT NULL`)
        : await dataSource.query(`SELECT indexname AS name, indexdef AS sql FROM pg_indexes WHERE tablename = 'kokugen_tasks'`);
    const byName = new Map(rows.map((row) => [row.name, row.sql]));
    expect(byName.has('IDX_kokugen_tasks_due')).toBe(kind === 'sqlite');
    expect(byName.get('IDX_kokugen_tasks_flow')).toMatch(/WHERE \(?"?flow_id"? IS NOT NULL/);
    expect(byName.get('IDX_kokugen_tasks_series')).toMatch(/WHERE \(?"?series_id"? IS NOT NULL/);
    expect([...byName.keys()]).toEqual(expect.arrayContaining(['IDX_kokugen_tasks_claim', 'IDX_kokugen_tasks_lease', 'IDX_kokugen_tasks_state_seq']));
  });

  it("a flow's tasks are read through the partial flow index", async () => {
    expect(await plan(`SELECT id FROM kokugen_tasks WHERE flow_id = 'f1' ORDER BY id`)).toContain('IDX_kokugen_tasks_flow');
  });

  it("a series' tasks in a state are read through the partial series index", async () => {
    expect(await plan(`SELECT id FROM kokugen_tasks WHERE series_id = 's1' AND state IN ('scheduled', 'dispatched') LIMIT 1`)).toContain('IDX_kokugen_tasks_series');
  });

  it('the earliest due time is read through an index in its order, with no sort', async () => {
    const found = await plan(`SELECT scheduled_at FROM kokugen_tasks WHERE state = 'scheduled' ORDER BY scheduled_at, priority DESC, seq LIMIT 1`);
    expect(found).toContain(kind === 'sqlite' ? 'IDX_kokugen_tasks_due' : 'IDX_kokugen_tasks_claim');
    expect(found).not.toMatch(/B-TREE FOR ORDER BY|Sort/);
  });
}

describe('lean indexes: SQLite', () => indexes('sqlite'));
describePostgres('lean indexes: PostgreSQL', () => indexes('postgres'));
