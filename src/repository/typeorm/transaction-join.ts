import type { DataSource, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { SharedDataSourceError, TransactionUnsupportedError } from '../../errors.js';
import { describe } from '../../errors/describe.js';
import { seriesTable } from './series-entity.js';
import { tasksTable } from './task-entity.js';
import { runOn, storeType } from './task-store.js';
import type { Sql } from './task-store.js';

/**
 * kokugen's writes inside a caller's open TypeORM transaction (`schedule(input, { manager })`):
 * statements run on the transaction's own QueryRunner, so they commit or roll back with the
 * caller's rows, and a callback runs once the outermost transaction committed (kokugen's due
 * timer re-reads the store then; before, nothing is visible to it).
 *
 * After-commit is learnt from TypeORM's transaction events: one subscriber per DataSource, added
 * to its `subscribers` when it first carries a kokugen write, hears `afterTransactionCommit` /
 * `afterTransactionRollback` of every QueryRunner and runs (or drops) the callbacks kept for that
 * runner once its outermost transaction ended. Checked against TypeORM 0.3.31, whose
 * QueryRunners broadcast both events after COMMIT / ROLLBACK (and after a savepoint's release or
 * rollback, when the transaction is still active: then nothing happens yet).
 */
export interface JoinedTransaction {
  readonly sql: Sql;
  /** Runs `callback` after the caller's transaction committed; never if it rolls back. */
  afterCommit(callback: () => void): void;
}

const waiting = new WeakMap<QueryRunner, Array<() => void>>();
const listened = new WeakSet<DataSource>();

const subscriber: EntitySubscriberInterface = {
  afterTransactionCommit(event: TransactionCommitEvent): void {
    if (event.queryRunner.isTransactionActive) return;
    const callbacks = waiting.get(event.queryRunner);
    waiting.delete(event.queryRunner);
    // A failing callback must not fail the caller's commit, which already happened.
    for (const callback of callbacks ?? []) {
      try {
        callback();
      } catch {
        // The callback reports its own failures.
      }
    }
  },
  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive) waiting.delete(event.queryRunner);
  },
};

/**
 * The caller's transaction, checked: an EntityManager whose QueryRunner has a transaction open, on
 * a DataSource of the same type as kokugen's. On SQLite, kokugen's own DataSource is refused: its
 * one connection is kokugen's (see SharedDataSourceError).
 */
export function joinTransaction(manager: unknown, own: DataSource): JoinedTransaction {
  const expected = `the EntityManager of an open TypeORM transaction on a '${own.options.type}' DataSource (dataSource.transaction(async (manager) => ...))`;
  const runner = (manager as { queryRunner?: QueryRunner } | null)?.queryRunner;
  if (runner === undefined || runner === null || typeof runner.query !== 'function' || runner.isReleased || !runner.isTransactionActive) {
    throw new TransactionUnsupportedError(`expected ${expected}, got ${describe(manager)}${runner === undefined || runner === null ? '' : ' without an open transaction'}`);
  }
  const dataSource = runner.connection;
  if (dataSource.options.type !== own.options.type) throw new TransactionUnsupportedError(`expected ${expected}, got one on a '${String(dataSource.options.type)}' DataSource`);
  if (dataSource === own && storeType(own) === 'sqlite') throw new SharedDataSourceError("a transaction on kokugen's own SQLite DataSource");
  if (!listened.has(dataSource)) {
    listened.add(dataSource);
    dataSource.subscribers.push(subscriber);
  }
  const sqlite = storeType(dataSource) === 'sqlite';
  return {
    sql: (text, params = []) => (sqlite ? runOn(runner, ...positional(text, params)) : runOn(runner, text, params)),
    afterCommit: (callback) => {
      const callbacks = waiting.get(runner);
      if (callbacks === undefined) waiting.set(runner, [callback]);
      else callbacks.push(callback);
    },
  };
}

/**
 * kokugen's `$n` SQL for a SQLite runner: plain `?`s with the values in their order. SQLite binds
 * `$n` by order of first appearance and better-sqlite3 binds `?NNN` only by name, so neither form
 * can be passed as written; and not every SQLite driver binds booleans.
 */
function positional(text: string, params: readonly unknown[]): [string, unknown[]] {
  const values: unknown[] = [];
  const sql = text.replace(/\$(\d+)/g, (_, n: string) => {
    const value = params[Number(n) - 1];
    values.push(typeof value === 'boolean' ? Number(value) : value);
    return '?';
  });
  return [sql, values];
}

/** A SQLite DataSource that maps entities other than kokugen's is the application's too. */
export function refuseShared(dataSource: DataSource): void {
  const own = new Set<string>([tasksTable, seriesTable]);
  const other = dataSource.entityMetadatas.find((metadata) => !own.has(metadata.tableName));
  if (other !== undefined) throw new SharedDataSourceError(`its entities include ${JSON.stringify(other.name)}`);
}
