/**
 * SQLite group commit: writes that queue up share one transaction, yet each stays all-or-nothing
 * and is answered only after the commit.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore, sqliteEndingsSql } from '../../src/repository/typeorm/sqlite-store.js';
import { openOn, openStore } from './stores.js';
import type { StoreFixture } from './stores.js';

describe('SqliteStore group commit', () => {
  let fixture: StoreFixture;
  let store: SqliteStore;
  beforeEach(async () => {
    fixture = await openStore('sqlite');
    await fixture.repository.dataSource.query('CREATE TABLE scratch (v TEXT PRIMARY KEY)');
    // Shares the DataSource's one connection (and its queue) with the repository.
    store = new SqliteStore(fixture.repository.dataSource, 'kokugen_tasks');
  });
  afterEach(() => fixture.close());

  /** Holds the connection with a read until `release()`, so writes submitted meanwhile form one batch. */
  function hold(): { release: () => void; done: Promise<void> } {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    return { release, done: store.read(() => gate) };
  }

  const values = async (): Promise<string[]> => ((await store.read((sql) => sql('SELECT v FROM scratch ORDER BY v'))).rows as Array<{ v: string }>).map((r) => r.v);

  it('keeps each write of a batch all-or-nothing: refusals and failures undo only themselves', async () => {
    const held = hold();
    const insert = (v: string) => store.write((sql) => sql('INSERT INTO scratch VALUES ($1)', [v]));
    const outcomes = Promise.allSettled([
      insert('first'),
      store.write(async (sql) => {
        await sql('INSERT INTO scratch VALUES ($1)', ['undone']);
        throw new Error('failed after a change');
      }),
      store.write(() => Promise.reject(new Error('refused before a change'))),
      insert('first'), // a constraint violation, after the batch's own insert of 'first'
      insert('last'),
    ]);
    held.release();
    await held.done;
    const settled = (await outcomes).map((o) => (o.status === 'fulfilled' ? 'ok' : String((o.reason as Error).message).slice(0, 24)));
    expect(settled).toEqual(['ok', 'failed after a change', 'refused before a change', expect.stringContaining('SQLITE_CONSTRAINT'), 'ok']);
    expect(await values()).toEqual(['first', 'last']);
  });

  it('answers a write only after its batch committed: another connection already sees it', async () => {
    const other = await openOn('sqlite', fixture.location);
    try {
      const held = hold();
      const seen = Promise.all(
        ['a', 'b', 'c'].map(async (v) => {
          await store.write((sql) => sql('INSERT INTO scratch VALUES ($1)', [v]));
          return (await other.dataSource.query('SELECT v FROM scratch WHERE v = ?', [v])) as unknown[];
        }),
      );
      held.release();
      expect(await seen).toEqual([[{ v: 'a' }], [{ v: 'b' }], [{ v: 'c' }]]);
    } finally {
      await other.close();
    }
  });

  it('finds each ending\'s row by its id, not by walking every dispatched row', async () => {
    const plan = (await fixture.repository.dataSource.query(`EXPLAIN QUERY PLAN ${sqliteEndingsSql(store).replaceAll(/\$(\d)/g, '?$1')}`, ['[]', 'dispatched'])) as Array<{ detail: string }>;
    const details = plan.map((step) => step.detail);
    expect(details).toContainEqual(expect.stringMatching(/^SEARCH kokugen_tasks USING INDEX sqlite_autoindex_kokugen_tasks_1 \(id=\?\)/));
    expect(details.filter((detail) => detail.includes('kokugen_tasks'))).toHaveLength(1);
  });
});
