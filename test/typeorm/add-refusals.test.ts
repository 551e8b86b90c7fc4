/**
 * An add whose ids are not all free is refused whole, with the typed error, on both paths an add
 * outside a caller's transaction takes: one statement (PostgreSQL, up to 1,000 tasks) and
 * kokugen's own transaction (SQLite, and more than 1,000 tasks), neither of which looks for taken
 * ids before it writes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { newTask } from '../../src/testing/index.js';
import { codeOf } from '../helpers.js';
import { describePostgres, openStore } from './stores.js';
import type { StoreFixture, StoreKind } from './stores.js';

function refusals(kind: StoreKind): void {
  let store: StoreFixture | undefined;
  afterEach(async () => {
    await store?.close();
    store = undefined;
  });

  for (const size of [10, 1_500]) {
    it(`${size} new tasks with one taken id near the end: ERR_DUPLICATE_ID, and none of them stored`, async () => {
      store = await openStore(kind);
      const { repository } = store;
      await repository.add([newTask({ id: `t${size - 3}` })]);
      const tasks = Array.from({ length: size }, (_, i) => newTask({ id: `t${i}` }));
      expect(await codeOf(() => repository.add(tasks))).toBe('ERR_DUPLICATE_ID');
      expect((await repository.find({ limit: 10_000 })).map((t) => t.id)).toEqual([`t${size - 3}`]);
      // The store is fine afterwards: the same tasks without the taken one go in.
      const rest = tasks.filter((t) => t.id !== `t${size - 3}`);
      expect(await repository.add(rest)).toHaveLength(size - 1);
    });
  }
}

describe('add refusals: SQLite', () => refusals('sqlite'));
describePostgres('add refusals: PostgreSQL', () => refusals('postgres'));
