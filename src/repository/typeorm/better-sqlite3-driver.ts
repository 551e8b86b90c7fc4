import { ConnectionIsNotSetError, QueryFailedError } from 'typeorm';
import type { DataSource } from 'typeorm';
import type { SqliteDriver, SqliteDriverEvents } from './sqlite-driver.js';
import type { Row } from './task-row.js';
import type { SqlResult } from './task-store.js';
import { changesRows, maxStatements } from './sqlite-statements.js';

/*
 * Everything kokugen does with better-sqlite3 below TypeORM's public API, in one file: the
 * Database behind `driver.databaseConnection`, its `close` wrapped, statements prepared and kept
 * on it. better-sqlite3 is TypeORM 1.x's only SQLite driver (TypeORM 0.3 offers it too, as type
 * 'better-sqlite3'). Checked against the versions in `checkedWith`; a test compares them with the
 * installed ones.
 */

/** The package versions (major.minor) this file was checked against, under each TypeORM line. */
export const checkedWith = { 'better-sqlite3': '12.11', typeorm: ['0.3', '1.1'] } as const;

/** The parts of better-sqlite3's Database (TypeORM's `driver.databaseConnection`) that kokugen uses. */
interface Database {
  prepare(text: string): Statement;
  close(): unknown;
}

/** A prepared better-sqlite3 Statement: `all` for a statement that returns rows (`reader`), `run` for one that does not. */
interface Statement {
  readonly reader: boolean;
  run(...params: unknown[]): { changes: number };
  all(...params: unknown[]): Row[];
}

/** A kept statement, with the order its `?` take the caller's `$n` parameters in. */
interface Prepared {
  readonly statement: Statement;
  /** For each `?`, the index of its value in the caller's parameters. */
  readonly order: readonly number[];
  /** Whether the statement reports a changed-row count (TypeORM's rule, as in sqlite3-driver.ts). */
  readonly changes: boolean;
}


/**
 * better-sqlite3, under TypeORM 0.3 or 1.x. The driver is synchronous: a statement runs on the
 * event loop's thread and is done when `run` returns, so a statement here costs no thread-pool
 * trip. The store's turns and group commit stay as they are: a write is answered after the
 * COMMIT statement returned, which is after the commit (and its sync) happened.
 *
 * Statements are kokugen's `$n` SQL with each `$n` rewritten to a `?` (better-sqlite3 binds
 * `?NNN` only by name), the values put in the order of the `?`s. Booleans become 0 and 1, which
 * better-sqlite3 refuses to bind and node-sqlite3 binds as such.
 */
class BetterSqlite3Driver implements SqliteDriver {
  readonly #dataSource: DataSource;
  readonly #events: SqliteDriverEvents;
  #database: Database | undefined;
  readonly #statements = new Map<string, Prepared>();

  constructor(dataSource: DataSource, events: SqliteDriverEvents) {
    this.#dataSource = dataSource;
    this.#events = events;
  }

  run(text: string, params: readonly unknown[]): Promise<SqlResult> {
    let values: unknown[] = [];
    try {
      const prepared = this.#statements.get(text) ?? this.#prepare(text);
      values = prepared.order.map((i) => bindable(params[i]));
      if (!prepared.statement.reader) return Promise.resolve({ rows: [], affected: prepared.statement.run(...values).changes });
      const rows = prepared.statement.all(...values);
      return Promise.resolve({ rows, affected: prepared.changes ? rows.length : 0 });
    } catch (error) {
      return Promise.reject(error instanceof QueryFailedError || error instanceof ConnectionIsNotSetError ? error : new QueryFailedError(text, values, error as Error));
    }
  }

  release(): Promise<void> {
    // better-sqlite3 has no finalize: a statement no longer referenced is finalized when collected (or at close).
    this.#statements.clear();
    return Promise.resolve();
  }

  #prepare(text: string): Prepared {
    const database = this.#databaseNow();
    const order: number[] = [];
    const statement = database.prepare(
      text.replace(/\$(\d+)/g, (_, n: string) => {
        order.push(Number(n) - 1);
        return '?';
      }),
    );
    if (this.#statements.size >= maxStatements) {
      const [oldest] = this.#statements.keys();
      if (oldest !== undefined) this.#statements.delete(oldest);
    }
    const prepared = { statement, order, changes: changesRows.test(text) };
    this.#statements.set(text, prepared);
    return prepared;
  }

  /** The DataSource's Database, hooked the first time so that closing it tells the store. */
  #databaseNow(): Database {
    if (!this.#dataSource.isInitialized) throw new ConnectionIsNotSetError('better-sqlite3');
    const database = (this.#dataSource.driver as unknown as { databaseConnection: Database }).databaseConnection;
    if (database !== this.#database) {
      this.#statements.clear();
      this.#database = database;
      this.#events.opened();
      // better-sqlite3 closes at once, finalizing every statement of the Database itself, so
      // there is nothing to wait for; the store only learns that the file is no longer open.
      const close = database.close.bind(database);
      Object.defineProperty(database, 'close', {
        configurable: true,
        writable: true,
        value: () => {
          this.#statements.clear();
          const closed = close();
          this.#events.closed();
          return closed;
        },
      });
    }
    return database;
  }
}

/** What better-sqlite3 binds: it refuses booleans (and binds undefined as NULL). */
function bindable(value: unknown): unknown {
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}

/** The driver for a DataSource of type 'better-sqlite3'. */
export function betterSqlite3Driver(dataSource: DataSource, events: SqliteDriverEvents): SqliteDriver {
  return new BetterSqlite3Driver(dataSource, events);
}
