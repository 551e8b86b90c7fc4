import { DataSource } from 'typeorm';
import type { DataSourceOptions } from 'typeorm';
import { DriverNotInstalledError } from '../../errors.js';
import { betterSqlite3Driver } from './better-sqlite3-driver.js';
import { quietSqlite, sqlite3Driver } from './sqlite3-driver.js';
import type { SqlResult } from './task-store.js';

/*
 * The one seam between the SQLite store and a SQLite driver. kokugen runs on two TypeORM lines:
 * 0.3, whose SQLite driver is node-sqlite3 (DataSource type 'sqlite', the design's driver) and
 * which also offers better-sqlite3; and 1.x, which removed the 'sqlite' type and offers only
 * better-sqlite3 (type 'better-sqlite3'). Each driver's internals live in one adapter file
 * (sqlite3-driver.ts, better-sqlite3-driver.ts) behind `SqliteDriver`; nothing else in kokugen
 * knows which one runs.
 */

/** The DataSource types of a SQLite database. */
export type SqliteType = 'sqlite' | 'better-sqlite3';

export function isSqliteType(type: unknown): type is SqliteType {
  return type === 'sqlite' || type === 'better-sqlite3';
}

/** What the SQLite store needs of a driver: statements on the DataSource's one connection, run one at a time. */
export interface SqliteDriver {
  /**
   * Runs one statement (`$1, $2...` placeholders) as TypeORM's runner would: rows for a statement
   * that reads (or starts with WITH), the changed-row count for one that starts with INSERT,
   * UPDATE or DELETE; a change with RETURNING gives its rows, and their number as the count.
   * Failures are TypeORM's QueryFailedError, with the driver's code. Transactions are statements
   * too (BEGIN IMMEDIATE, COMMIT, ROLLBACK): the store's group commit answers a write only after
   * its COMMIT resolved, whether the driver works on a thread pool (sqlite3) or synchronously
   * (better-sqlite3).
   */
  run(text: string, params: readonly unknown[]): Promise<SqlResult>;
  /** Lets go of what the driver keeps on the connection (prepared statements); the next statement prepares again. Only while no statement runs. */
  release(): Promise<void>;
}

/** What the store does when the driver's connection changes. */
export interface SqliteDriverEvents {
  /** The DataSource opened (or opened again) its connection; called before the first statement on it. */
  readonly opened: () => void;
  /**
   * The DataSource is closing its connection: settle what runs and call `release()`. A driver
   * whose close can wait (sqlite3) waits for it; a synchronous one (better-sqlite3) closes at once
   * and lets go of its statements itself.
   */
  readonly closing: () => Promise<void>;
  /** The connection is closed (called before the close returns, or its callback runs). */
  readonly closed: () => void;
}

/** The adapter for `dataSource`, a DataSource of type 'sqlite' (node-sqlite3) or 'better-sqlite3'. */
export function sqliteDriverFor(dataSource: DataSource, events: SqliteDriverEvents): SqliteDriver {
  return dataSource.options.type === 'better-sqlite3' ? betterSqlite3Driver(dataSource, events) : sqlite3Driver(dataSource, events);
}

/** The SQLite options of `TypeOrmRepository.open()` that reach the DataSource. */
export interface SqliteDataSourceOptions {
  readonly database: string;
  readonly busyTimeout: number;
  /** Entities, migrations and the other options that do not depend on the driver. */
  readonly common: object;
}

/**
 * A DataSource on the SQLite driver that the installed TypeORM and packages allow: node-sqlite3
 * (type 'sqlite') where TypeORM still has it (0.3) and `sqlite3` is installed, else
 * better-sqlite3. Which TypeORM line runs is asked of TypeORM itself (does it accept the type?),
 * not read from a package.json, since the `typeorm` that kokugen imports is the one that counts.
 * Throws `ERR_DRIVER_NOT_INSTALLED`, naming the packages to install, when neither can run.
 */
export function sqliteDataSource({ database, busyTimeout, common }: SqliteDataSourceOptions): DataSource {
  const hasSqliteType = supportsSqliteType();
  const sqlite3 = hasSqliteType ? quietSqlite() : undefined;
  if (sqlite3 !== undefined) return new DataSource({ ...common, type: 'sqlite', database, enableWAL: true, busyTimeout, driver: sqlite3 } as unknown as DataSourceOptions);
  try {
    // better-sqlite3's `timeout` is SQLite's busy_timeout.
    return new DataSource({ ...common, type: 'better-sqlite3', database, enableWAL: true, timeout: busyTimeout } as unknown as DataSourceOptions);
  } catch (error) {
    if (!isNamed(error, 'DriverPackageNotInstalledError')) throw error;
    throw new DriverNotInstalledError('SQLite', hasSqliteType ? ['sqlite3', 'better-sqlite3'] : ['better-sqlite3'], { cause: error });
  }
}

/**
 * Whether the installed TypeORM still has the 'sqlite' (node-sqlite3) DataSource type: 0.3 does,
 * 1.x throws MissingDriverError. Constructing a DataSource opens nothing; the stand-in module is
 * only asked for `verbose()`.
 */
function supportsSqliteType(): boolean {
  const standIn = { verbose: () => standIn };
  try {
    new DataSource({ type: 'sqlite', database: ':memory:', driver: standIn } as unknown as DataSourceOptions);
    return true;
  } catch (error) {
    if (isNamed(error, 'MissingDriverError')) return false;
    throw error;
  }
}

function isNamed(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}
