import { createRequire } from 'node:module';
import { ConnectionIsNotSetError, QueryFailedError } from 'typeorm';
import type { DataSource } from 'typeorm';
import type { SqliteDriver, SqliteDriverEvents } from './sqlite-driver.js';
import type { Row } from './task-row.js';
import type { SqlResult } from './task-store.js';
import { changesRows, maxStatements } from './sqlite-statements.js';

/*
 * Everything kokugen does with node-sqlite3 and TypeORM's SQLite driver below their public API, in
 * one file: the Database behind `driver.databaseConnection`, its `close` redefined, statements
 * prepared and kept on it, `verbose()` stubbed. Checked against the versions in `checkedWith`;
 * another version may move or rename any of it (a test compares them with the installed ones).
 * TypeORM 1.x has no node-sqlite3 driver; better-sqlite3 has its own adapter beside this one
 * (better-sqlite3-driver.ts), behind the same `SqliteDriver` (sqlite-driver.ts).
 */

/** The package versions (major.minor) this file was checked against. */
export const checkedWith = { sqlite3: '5.1', typeorm: '0.3' } as const;

/** The parts of node-sqlite3's Database (TypeORM's `driver.databaseConnection`) that kokugen uses. */
interface Database {
  prepare(text: string, callback: (error: Error | null) => void): Statement;
  close(callback?: (error: Error | null) => void): unknown;
}

/** A prepared node-sqlite3 Statement: `run` and `all` bind anew, step, and reset it, so it can run again. */
interface Statement {
  run(params: unknown[], callback: (this: { changes: number }, error: Error | null) => void): unknown;
  all(params: unknown[], callback: (error: Error | null, rows: Row[]) => void): unknown;
  finalize(callback?: (error: Error | null) => void): unknown;
}



/**
 * node-sqlite3 under TypeORM 0.3. Statements run on the driver's Database directly, prepared once
 * and kept, not through a TypeORM QueryRunner: `runner.query()` prepares, runs and finalizes every
 * statement (three trips to the driver's thread pool, and the parse of a long statement each time)
 * and adds its own promise layers; a kept statement is one trip.
 */
class Sqlite3Driver implements SqliteDriver {
  readonly #dataSource: DataSource;
  readonly #events: SqliteDriverEvents;
  /** The Database the statements below belong to; another one (the DataSource was initialised again) starts afresh. */
  #database: Database | undefined;
  /** Prepared statements by their text (with `$n` placeholders, which SQLite gets as `?n`), oldest first. */
  readonly #statements = new Map<string, Statement>();

  constructor(dataSource: DataSource, events: SqliteDriverEvents) {
    this.#dataSource = dataSource;
    this.#events = events;
  }

  /**
   * node-sqlite3's `run` steps once and leaves a kept statement that has rows in progress, which
   * would hold the transaction open (TypeORM's runner finalized it): so a change with RETURNING
   * runs with `all`.
   */
  async run(text: string, params: readonly unknown[]): Promise<SqlResult> {
    const statement = this.#statements.get(text) ?? (await this.#prepare(text));
    const values = [...params];
    return new Promise<SqlResult>((resolve, reject) => {
      const fail = (error: Error): void => reject(new QueryFailedError(text, values, error));
      if (changesRows.test(text) && !text.includes(' RETURNING ')) {
        statement.run(values, function (error) {
          if (error === null) resolve({ rows: [], affected: this.changes });
          else fail(error);
        });
      } else {
        statement.all(values, (error, rows) => {
          if (error === null) resolve({ rows, affected: changesRows.test(text) ? rows.length : 0 });
          else fail(error);
        });
      }
    });
  }

  async release(): Promise<void> {
    const statements = [...this.#statements.values()];
    this.#statements.clear();
    await Promise.all(statements.map((statement) => new Promise<void>((resolve) => statement.finalize(() => resolve()))));
  }

  async #prepare(text: string): Promise<Statement> {
    const database = this.#databaseNow();
    const statement = await new Promise<Statement>((resolve, reject) => {
      const prepared = database.prepare(text.replace(/\$(\d+)/g, '?$1'), (error) => (error === null ? resolve(prepared) : reject(new QueryFailedError(text, [], error))));
    });
    if (this.#statements.size >= maxStatements) {
      // Only one statement runs at a time, and none is running now: the oldest can go.
      const [oldest] = this.#statements;
      if (oldest !== undefined) {
        this.#statements.delete(oldest[0]);
        oldest[1].finalize();
      }
    }
    this.#statements.set(text, statement);
    return statement;
  }

  /** The DataSource's Database, hooked the first time so that closing it finalizes kokugen's statements first. */
  #databaseNow(): Database {
    if (!this.#dataSource.isInitialized) throw new ConnectionIsNotSetError('sqlite');
    const database = (this.#dataSource.driver as unknown as { databaseConnection: Database }).databaseConnection;
    if (database !== this.#database) {
      this.#statements.clear(); // The old Database's statements were finalized when it closed.
      this.#database = database;
      this.#events.opened();
      // SQLite refuses to close a database with statements still prepared (SQLITE_BUSY), and the
      // DataSource's destroy() closes it without asking kokugen: so closing it finalizes them first.
      const close = database.close.bind(database);
      Object.defineProperty(database, 'close', {
        configurable: true,
        writable: true,
        value: (callback?: (error: Error | null) => void) => {
          const closeNow = (): unknown =>
            close((error) => {
              if (error === null) this.#events.closed();
              callback?.(error);
            });
          void this.#events.closing().then(closeNow, closeNow);
        },
      });
    }
    return database;
  }
}

/** The driver for a DataSource of type 'sqlite' (node-sqlite3 under TypeORM 0.3). */
export function sqlite3Driver(dataSource: DataSource, events: SqliteDriverEvents): SqliteDriver {
  return new Sqlite3Driver(dataSource, events);
}

/**
 * The sqlite3 module with `verbose()` turned into a no-op, for a DataSource's `driver` option.
 * TypeORM's SQLite driver calls `sqlite3.verbose()`, which wraps every Database and Statement
 * method of the process with a `new Error()` and a `util.inspect` of the SQL and its parameters
 * (long stack traces): a large share of kokugen's CPU time on SQLite (docs/performance.md). The
 * wrapping is process-wide, so it is avoided only while no other code calls `verbose()`.
 * Undefined when sqlite3 is not installed (TypeORM then says so).
 */
export function quietSqlite(): object | undefined {
  let sqlite3: object;
  try {
    sqlite3 = createRequire(import.meta.url)('sqlite3') as object;
  } catch {
    return undefined;
  }
  return Object.create(sqlite3, { verbose: { value: () => sqlite3 } }) as object;
}
