import type { DataSource } from 'typeorm';
import { InvalidArgumentError } from '../../errors.js';
import type { PurgeFilter, RepositoryWatcher } from '../task-repository.js';
import { DuePoller } from './due-poller.js';
import { tableSql } from './entities.js';
import { LeaseClaims } from './lease-claims.js';
import { earliestWake } from './lease-sql.js';
import type { TypeOrmRepositoryOptions } from './open-options.js';
import { trimTasks } from './operations-sql.js';
import { PostgresStore } from './postgres-store.js';
import { checkOptions } from './repository-options.js';
import { RetentionSweeper, retentionPolicy } from './retention-sweep.js';
import { seriesTable } from './series-entity.js';
import { SeriesOperations } from './series-operations.js';
import { SqliteStore } from './sqlite-store.js';
import { StoreGate } from './store-gate.js';
import { tasksTable } from './task-entity.js';
import { storeType } from './task-store.js';
import type { Sql, TaskStore } from './task-store.js';
import { TaskTables } from './task-tables.js';
import { refuseShared } from './transaction-join.js';
import { Wakeups } from './wakeups.js';

/**
 * What a `TypeOrmRepository` runs on, each part wired to the others it reads or tells: built by
 * its constructor, started by its `watch()`, torn down by its `close()`.
 */
export interface RepositoryParts {
  readonly store: TaskStore;
  readonly tables: TaskTables;
  /** The tasks table, as SQL. */
  readonly tasks: string;
  readonly gate: StoreGate;
  readonly claims: LeaseClaims;
  readonly poller: DuePoller;
  readonly wakeups: Wakeups;
  /** Absent with `retention: false`. */
  readonly sweeper: RetentionSweeper | undefined;
  readonly seriesOperations: SeriesOperations;
}

/**
 * The constructor's work: checks the DataSource and the options (typed errors, nothing built
 * before they pass), then builds the parts. The retention sweep purges through `purge`, the
 * repository's own method, so its batches pass the same checks as a caller's.
 */
export function buildParts(dataSource: DataSource, options: TypeOrmRepositoryOptions, purge: (filter: PurgeFilter) => Promise<number>): RepositoryParts {
  const type = typeof dataSource?.createQueryRunner === 'function' ? storeType(dataSource) : undefined;
  if (type === undefined || !dataSource.isInitialized) {
    throw new InvalidArgumentError('TypeOrmRepository dataSource', "an initialized TypeORM DataSource of type 'sqlite', 'better-sqlite3' or 'postgres'", dataSource);
  }
  if (type === 'sqlite') refuseShared(dataSource);
  const { pollInterval = 1_000, watchInterval = 50, lease = 30_000, claimAhead = 0, clock = type === 'postgres' ? 'database' : 'local' } = checkOptions(options);
  if (type === 'sqlite' && clock === 'database') throw new InvalidArgumentError('clock', "'local' on SQLite (one machine, one clock)", clock);
  const retention = retentionPolicy(options.retention);
  const tasks = tableSql(dataSource, tasksTable);
  const series = tableSql(dataSource, seriesTable);
  const store = type === 'sqlite' ? new SqliteStore(dataSource, tasks) : new PostgresStore(dataSource, tasks, clock);
  const gate = new StoreGate(store, dataSource);
  const tables = new TaskTables(store, tasks, series);
  const claims = new LeaseClaims(store, { lease, claimAhead });
  // The store's times are the database's where it decides: the timer, on the local clock, follows them shifted by the measured offset.
  const earliest = async (after: number | undefined): Promise<number | undefined> => {
    const offset = claims.offset;
    const at = await store.read((sql) => earliestWake(sql, store, after === undefined ? undefined : after + offset));
    return at === undefined ? undefined : at - offset;
  };
  const poller = new DuePoller((after) => gate.track(() => earliest(after)), pollInterval);
  const read = <T>(work: (sql: Sql) => Promise<T>): Promise<T> => gate.track(() => store.read(work));
  const wakeups = new Wakeups({ type, dataSource, tasks, read, poller, watchInterval, offset: () => claims.offset });
  gate.wire(poller, wakeups);
  const sweeper =
    retention === undefined
      ? undefined
      : new RetentionSweeper(retention, {
          purge,
          trim: (state, keep, limit) => gate.write((sql) => trimTasks(sql, tasks, state, keep, limit), () => false),
        });
  return { store, tables, tasks, gate, claims, poller, wakeups, sweeper, seriesOperations: new SeriesOperations(gate, tables, store, wakeups) };
}

/** The due timer, the lease renewals and the retention sweep on the watcher's clock, until unwatched. */
export function watchParts(parts: RepositoryParts, watcher: RepositoryWatcher): () => void {
  const { wakeups, sweeper, claims, store, gate, poller } = parts;
  const unwatch = wakeups.watch(watcher);
  sweeper?.start(watcher.clock);
  claims.watch(watcher);
  // Where the database decides time, the timer follows its time: measure the offset before the first claim does.
  if (store.nowSql(1) !== '$1') void gate.track(() => claims.measure(watcher.clock.now()).then(() => poller.refresh(), () => undefined));
  return () => {
    unwatch();
    void sweeper?.stop();
    // Claims end with the watch: the store lets go of what it keeps for them (its claim connection).
    void gate.track(() => claims.unwatch(watcher).then(() => store.close()));
  };
}

/** Stops every timer, hands back the claims held, waits for the operations in flight, and lets the store go. */
export async function closeParts(parts: RepositoryParts): Promise<void> {
  await parts.wakeups.close();
  await parts.poller.close();
  await parts.sweeper?.stop();
  await parts.claims.unwatch();
  await parts.gate.drain();
  await parts.store.close();
}
