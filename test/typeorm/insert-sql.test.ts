/**
 * New tasks' INSERT (insert-sql.ts) sends a column whose value is the same in every row of a batch
 * as one parameter instead of once per row. Whatever the mix, each row must be stored as given: on
 * SQLite (own transaction) and PostgreSQL (one statement, and in a caller's transaction).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewTask } from '../../src/repository/index.js';
import { newTask } from '../../src/testing/index.js';
import { T0 } from '../helpers.js';
import { describePostgres, openStore } from './stores.js';
import type { StoreFixture, StoreKind } from './stores.js';

const base = { workId: 'w', param: { same: true }, scheduledAt: T0, priority: 0, meta: { team: 'a' }, createdAt: T0 - 1, timeout: 1_000, deadline: null, retry: null } as const;

/** Three tasks alike but their ids, and a fourth that differs from them in `field` alone. */
function batch(prefix: string, change: Partial<NewTask>): NewTask[] {
  return [...[1, 2, 3].map((i) => newTask({ ...base, id: `${prefix}-${i}` })), newTask({ ...base, id: `${prefix}-4`, ...change })];
}

const changes: Record<string, Partial<NewTask>> = {
  workId: { workId: 'other' },
  param: { param: [1, 'two', null] },
  scheduledAt: { scheduledAt: T0 + 1_234 },
  priority: { priority: -7 },
  meta: { meta: { team: 'b', zone: 'eu' } },
  createdAt: { createdAt: T0 - 99 },
  timeout: { timeout: 2_500.5 },
  deadline: { deadline: T0 + 9_999 },
  retry: { retry: { attempts: 3, backoff: 'fixed', delay: 10, maxDelay: 100, jitter: 0 } },
};

function inserts(kind: StoreKind): void {
  let store: StoreFixture;
  beforeEach(async () => {
    store = await openStore(kind);
  });
  afterEach(async () => {
    await store.close();
  });

  it('stores every row as given when one row differs from the rest in one column', async () => {
    for (const [field, change] of Object.entries(changes)) {
      const added = await store.repository.add(batch(field, change));
      for (const task of added) expect(await store.repository.get(task.id), `${field}: ${task.id}`).toEqual(task);
      expect(added[3]).toMatchObject(change);
      expect(added[0]).toMatchObject({ ...base, id: `${field}-1` });
    }
  });

  it('stores a one-task add, every column of which is the same in its batch', async () => {
    const [added] = await store.repository.add([newTask({ ...base, id: 'alone', priority: 5, param: 'p' })]);
    expect(added).toMatchObject({ id: 'alone', priority: 5, param: 'p', scheduledAt: T0, seq: expect.any(Number) });
    expect(await store.repository.get('alone')).toEqual(added);
  });

}

describe('new tasks inserted on SQLite', () => inserts('sqlite'));
describePostgres('new tasks inserted on PostgreSQL', () => {
  inserts('postgres');

  // On SQLite a caller's transaction is on the application's own DataSource (docs/typeorm-app.md); its INSERT is the one above.
  it('stores a batch in a caller transaction the same way', async () => {
    const store = await openStore('postgres');
    try {
      const added = await store.repository.dataSource.transaction((manager) => store.repository.add(batch('tx', { priority: 9 }), { transaction: manager }));
      for (const task of added) expect(await store.repository.get(task.id)).toEqual(task);
      expect(added.map((task) => task.priority)).toEqual([0, 0, 0, 9]);
    } finally {
      await store.close();
    }
  });
});
