import { DataSource } from 'typeorm';
import { InvalidArgumentError } from '../../errors.js';
import { checkInteger, checkKeys, checkObject } from '../../validation/validate.js';
import { kokugenMigrations } from './migrations/index.js';
import { kokugenEntities } from './entities.js';
import type { TypeOrmRetentionOptions } from './retention-sweep.js';
import type { EndingWatcher } from '../task-repository.js';
import { repositoryOptionKeys } from './repository-options.js';
import { sqliteDataSource } from './sqlite-driver.js';

export interface TypeOrmRepositoryOptions {
  /**
   * While a scheduler watches the repository, how often it reads the store's earliest due time,
   * so that tasks another process added or moved earlier are noticed. In ms, through the
   * watcher's Clock. Own writes re-arm the timer at once and do not wait for this.
   * @default 1_000
   */
  readonly pollInterval?: number;
  /**
   * Which ended tasks are deleted, by age and/or count per end state, swept in batches while a
   * scheduler watches the repository; `false` keeps every task forever.
   * @default done, cancelled, expired: 7 days; failed: 30 days; swept every minute
   */
  readonly retention?: TypeOrmRetentionOptions | false;
  /**
   * How often, in ms through the Clock, the repository looks for what other processes did, beyond
   * the poll: on SQLite, while watched, whether the file changed (`PRAGMA data_version`, a read of
   * no table) before it re-reads the earliest due time; on both, while `wait()` waits for a task,
   * whether another process ended it (on SQLite only when the file changed). PostgreSQL needs no
   * interval for wake-ups: a write that makes a task due sooner notifies the others (LISTEN/NOTIFY).
   * @default 50
   */
  readonly watchInterval?: number;
  /**
   * How long a claim's lease lasts, in ms. The process renews the leases of all the tasks it holds
   * in one statement every `lease / 3` while a scheduler watches the repository; a task whose lease
   * expired (its process died, or stalled past it) is taken over by the next claim of any process,
   * and the old holder's late writes are refused with `ERR_LEASE_LOST`. See docs/multi-process.md.
   * @default 30_000
   */
  readonly lease?: number;
  /**
   * Which clock decides what is due and when leases end: `'database'` (PostgreSQL's own, read by
   * each claim; the local timer follows it through an offset measured on every round trip, so a
   * process whose clock is off neither starts tasks early nor sleeps late) or `'local'` (the `now`
   * the scheduler passes, from its Clock: what tests with `FakeClock` use). SQLite accepts only `'local'`.
   * @default 'database' on PostgreSQL, 'local' on SQLite
   */
  readonly clock?: 'database' | 'local';
  /**
   * How many due tasks a claim takes beyond what the scheduler asked for, held in a local queue
   * under lease and handed out by the next claims without a round trip. A task queued here is
   * `dispatched` in the store: a cancel or update of it fails with `ERR_ALREADY_DISPATCHED`, and
   * it goes back to `scheduled` when the scheduler stops or the repository closes.
   * @default 0
   */
  readonly claimAhead?: number;
}

export interface SqliteOpenOptions extends TypeOrmRepositoryOptions {
  readonly type: 'sqlite';
  /** The database file (created with its directory if missing). */
  readonly database: string;
  /**
   * `FULL` syncs the WAL on every commit: nothing committed is lost, even on power loss. `NORMAL`
   * syncs only at checkpoints: faster, never loses commits when the process crashes, but may lose
   * the last ones when the machine loses power.
   * @default 'FULL'
   */
  readonly synchronous?: 'FULL' | 'NORMAL';
  /** How long a write waits for another process's write lock before failing with SQLITE_BUSY, in ms. @default 10_000 */
  readonly busyTimeout?: number;
}

export interface PostgresOpenOptions extends TypeOrmRepositoryOptions {
  readonly type: 'postgres';
  /** A connection string, `postgres://user:password@host:port/database`. */
  readonly url: string;
  /** Connections in the pool, at least 2. @default 10 */
  readonly poolSize?: number;
}

export type TypeOrmOpenOptions = SqliteOpenOptions | PostgresOpenOptions;

/** kokugen's own migrations table, so it never mixes with an application's TypeORM migrations. */
export const migrationsTableName = 'kokugen_migrations';

const sqliteKeys = ['type', 'database', 'synchronous', 'busyTimeout', ...repositoryOptionKeys] as const;
const postgresKeys = ['type', 'url', 'poolSize', ...repositoryOptionKeys] as const;

/** `watchEndings`' arguments: an array of task ids, and a watcher with a Clock and an `onEnded` function. */
export function checkEndingWatch(ids: readonly string[], watcher: EndingWatcher): readonly string[] {
  if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) throw new InvalidArgumentError('watchEndings ids', 'an array of task ids', ids);
  const { clock, onEnded } = (watcher ?? {}) as Partial<EndingWatcher>;
  if (typeof clock?.after !== 'function' || typeof onEnded !== 'function') throw new InvalidArgumentError('watchEndings watcher', '{ clock, onEnded }', watcher);
  return ids;
}

/** Checks `open()`'s options and builds the (not yet initialised) DataSource they describe. */
export function dataSourceFor(options: TypeOrmOpenOptions): { dataSource: DataSource; synchronous: 'FULL' | 'NORMAL' | undefined } {
  const object = checkObject(options, 'TypeOrmRepository.open options');
  const common = { entities: [...kokugenEntities], migrations: [...kokugenMigrations], migrationsTableName, synchronize: false, migrationsRun: false, logging: false };
  if (object['type'] === 'sqlite') {
    checkKeys(object, sqliteKeys, 'TypeOrmRepository.open options');
    const { database, synchronous = 'FULL', busyTimeout = 10_000 } = options as SqliteOpenOptions;
    if (typeof database !== 'string' || database.length === 0) throw new InvalidArgumentError('database', 'a file path', database);
    if (synchronous !== 'FULL' && synchronous !== 'NORMAL') throw new InvalidArgumentError('synchronous', "'FULL' or 'NORMAL'", synchronous);
    checkInteger(busyTimeout, 'busyTimeout', 0);
    return { dataSource: sqliteDataSource({ database, busyTimeout, common }), synchronous };
  }
  if (object['type'] === 'postgres') {
    checkKeys(object, postgresKeys, 'TypeOrmRepository.open options');
    const { url, poolSize = 10 } = options as PostgresOpenOptions;
    if (typeof url !== 'string' || url.length === 0) throw new InvalidArgumentError('url', 'a postgres:// connection string', url);
    // One connection holds the migration lock while another runs the migrations.
    checkInteger(poolSize, 'poolSize', 2);
    return { dataSource: new DataSource({ type: 'postgres', url, poolSize, ...common }), synchronous: undefined };
  }
  throw new InvalidArgumentError('type', "'sqlite' or 'postgres'", object['type']);
}
