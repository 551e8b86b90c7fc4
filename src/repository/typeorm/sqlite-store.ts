import { ConnectionIsNotSetError, QueryFailedError } from 'typeorm';
import type { DataSource } from 'typeorm';
import { chunks, driverCode, dueCandidates, endingColumns, EndingQueue, endingSet, endingValues, notIn, placeholders } from './task-store.js';
import type { Claimed, ClaimPlan, Ending, EndingBatch, JsonColumn, Sql, SqlResult, TaskStore } from './task-store.js';
import type { Row } from './task-row.js';

interface Job {
  readonly write: boolean;
  readonly work: (sql: Sql) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** The parts of node-sqlite3's Database (TypeORM's `driver.databaseConnection`) that kokugen uses. */
interface SqliteDatabase {
  prepare(text: string, callback: (error: Error | null) => void): SqliteStatement;
  close(callback?: (error: Error | null) => void): unknown;
}

/** A prepared node-sqlite3 Statement: `run` and `all` bind anew, step, and reset it, so it can run again. */
interface SqliteStatement {
  run(params: unknown[], callback: (this: { changes: number }, error: Error | null) => void): unknown;
  all(params: unknown[], callback: (error: Error | null, rows: Row[]) => void): unknown;
  finalize(callback?: (error: Error | null) => void): unknown;
}

/** How many writes share one transaction (and one fsync) at most. */
const maxBatch = 64;
/** How many endings share one statement at most. */
const maxEndings = 500;
/** How many prepared statements a connection keeps (kokugen's hot statements are a handful; IN lists of every length are not). */
const maxStatements = 64;

/**
 * The one SQLite connection of a DataSource, and the turns taken on it. TypeORM runs every query
 * of a SQLite DataSource on a single connection, where a second BEGIN inside an open transaction
 * fails and a read would see uncommitted rows, so every kokugen statement goes through here.
 *
 * Group commit: writes that queue up while the connection is busy run one after another inside
 * one BEGIN IMMEDIATE ... COMMIT and share its fsync; each write's promise settles only after that
 * COMMIT, so nothing is reported done before it is durable. A write that refuses (throws) before
 * its first change leaves nothing to undo; one that fails after changing rows cannot be undone
 * alone, so the batch is rolled back, that write rejects, and the others run again in the next
 * batch (a write is a function of the rows it reads, so running it again is safe). Reads queued
 * meanwhile run after the batch: operations that overlap in time may take effect in either order,
 * so this stays linearizable.
 *
 * Endings (see `Ending`) queued meanwhile join the batch as ONE statement, run first: a task that
 * completes costs a fraction of a statement instead of a read and a write of its own.
 *
 * Statements run on the driver's sqlite3 Database directly, prepared once and kept, not through a
 * TypeORM QueryRunner: `runner.query()` prepares, runs and finalizes every statement (three trips
 * to the driver's thread pool, and the parse of a long statement each time) and adds its own
 * promise layers; a kept statement is one trip. Errors are still TypeORM's QueryFailedError.
 */
class Connection {
  readonly #dataSource: DataSource;
  readonly #sql: Sql;
  readonly #endingsSql: string;
  #jobs: Job[] = [];
  readonly #endings = new EndingQueue();
  #draining = false;

  /** The Database the statements below belong to; another one (the DataSource was initialised again) starts afresh. */
  #database: SqliteDatabase | undefined;
  /** Prepared statements by their text (with `$n` placeholders, which SQLite gets as `?n`), oldest first. */
  readonly #statements = new Map<string, SqliteStatement>();

  constructor(dataSource: DataSource, endingsSql: string) {
    this.#dataSource = dataSource;
    this.#endingsSql = endingsSql;
    this.#sql = (text, params = []) => this.#run(text, params);
  }

  /**
   * Runs one statement as TypeORM's runner would: rows for a statement that reads (or starts with
   * WITH), the changed-row count for one that starts with INSERT, UPDATE or DELETE. Except that a
   * change with RETURNING gives its rows too (and their number as the count): node-sqlite3's
   * `run` steps once and leaves a kept statement that has rows in progress, which would hold the
   * transaction open, where TypeORM's runner finalized it.
   */
  async #run(text: string, params: readonly unknown[]): Promise<SqlResult> {
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

  async #prepare(text: string): Promise<SqliteStatement> {
    const database = this.#databaseNow();
    const statement = await new Promise<SqliteStatement>((resolve, reject) => {
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
  #databaseNow(): SqliteDatabase {
    if (!this.#dataSource.isInitialized) throw new ConnectionIsNotSetError('sqlite');
    const database = (this.#dataSource.driver as unknown as { databaseConnection: SqliteDatabase }).databaseConnection;
    if (database !== this.#database) {
      this.#statements.clear(); // The old Database's statements were finalized when it closed.
      this.#database = database;
      // SQLite refuses to close a database with statements still prepared (SQLITE_BUSY), and the
      // DataSource's destroy() closes it without asking kokugen: so closing it finalizes them first.
      const close = database.close.bind(database);
      Object.defineProperty(database, 'close', {
        configurable: true,
        writable: true,
        value: (callback?: (error: Error | null) => void) => {
          void this.release().then(() => close(callback));
        },
      });
    }
    return database;
  }

  /**
   * Finalizes the kept statements; the next statement prepares again. It takes a turn like a read,
   * so that no statement is running, or about to, while they go.
   */
  release(): Promise<void> {
    return this.submit(false, async () => {
      const statements = [...this.#statements.values()];
      this.#statements.clear();
      await Promise.all(statements.map((statement) => new Promise<void>((resolve) => statement.finalize(() => resolve()))));
    });
  }

  submit<T>(write: boolean, work: (sql: Sql) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#jobs.push({ write, work, resolve: resolve as (value: unknown) => void, reject });
      this.#start();
    });
  }

  finish(ending: Ending): Promise<Row | undefined> {
    const row = this.#endings.add(ending);
    this.#start();
    return row;
  }

  /**
   * An idle connection starts its turns after the current turn of the event loop, not at once, so
   * that what is submitted together (the completions of a batch of tasks that ended in the same
   * tick) shares the first transaction rather than waiting for a commit made for one of them.
   */
  #start(): void {
    if (this.#draining) return;
    this.#draining = true;
    setImmediate(() => void this.#drain());
  }

  async #drain(): Promise<void> {
    while (this.#jobs.length > 0 || this.#endings.size > 0) {
      // Reads first: they are quick, and one that follows a write (the timer's re-read after a
      // claim) need not wait for the commit of a batch that queued up meanwhile.
      const reads = this.#jobs.filter((job) => !job.write);
      this.#jobs = this.#jobs.filter((job) => job.write);
      for (const job of reads) await job.work(this.#sql).then(job.resolve, job.reject);
      const writes = this.#jobs.filter((job) => job.write);
      const rest = this.#jobs.filter((job) => !job.write);
      this.#jobs = [...writes.splice(maxBatch), ...rest];
      const endings = this.#endings.take(maxEndings);
      if (writes.length > 0 || endings.endings.length > 0) this.#jobs.unshift(...(await this.#commit(writes, endings)));
    }
    this.#draining = false;
  }

  /** Runs `batch` and `endings` in one transaction and settles them; returns the writes to run again (endings to end again are queued back). */
  async #commit(batch: readonly Job[], endings: EndingBatch): Promise<Job[]> {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      await this.#sql('BEGIN IMMEDIATE');
    } catch (error) {
      for (const job of batch) job.reject(error);
      endings.settle(undefined);
      return [];
    }
    let ended: readonly Row[] = [];
    if (endings.endings.length > 0) {
      try {
        ended = (await this.#sql(this.#endingsSql, [JSON.stringify(endings.endings.map(endingValues)), 'dispatched'])).rows.map(fromJsonRow);
      } catch {
        // Their general path will say what is wrong; the writes run again without them.
        await this.#sql('ROLLBACK').catch(() => undefined);
        endings.settle(undefined);
        return [...batch];
      }
    }
    for (const [i, job] of batch.entries()) {
      let changed = false;
      const sql: Sql = (text, params) => {
        if (!text.startsWith('SELECT')) changed = true;
        return this.#sql(text, params);
      };
      try {
        outcomes.push({ ok: true, value: await job.work(sql) });
      } catch (error) {
        if (!changed) {
          outcomes.push({ ok: false, error });
          continue;
        }
        await this.#sql('ROLLBACK').catch(() => undefined);
        job.reject(error);
        endings.putBack();
        return [...batch.slice(0, i), ...batch.slice(i + 1)];
      }
    }
    try {
      await this.#sql('COMMIT');
    } catch (error) {
      // A failed COMMIT (disk full, I/O error) may leave the transaction open; end it so the next one can begin.
      await this.#sql('ROLLBACK').catch(() => undefined);
      for (const job of batch) job.reject(error);
      endings.settle(undefined);
      return [];
    }
    endings.settle(ended);
    batch.forEach((job, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok === true) job.resolve(outcome.value);
      else job.reject(outcome?.error);
    });
    return [];
  }
}

/**
 * `endingsSql` with two hints for SQLite's planner, which without statistics walks every
 * dispatched row through the state index and, for each, scans the JSON of all the endings (a cost
 * of dispatched rows x endings): `+state` keeps the state index out, so each ending finds its row
 * by id, and MATERIALIZED unpacks the JSON once instead of once per row.
 */
export function sqliteEndingsSql(store: TaskStore): string {
  return `WITH v AS MATERIALIZED (${store.jsonRows(1, endingColumns)}) UPDATE ${store.table} SET ${endingSet} FROM v WHERE id = v.k_id AND +state = $2 RETURNING ${returningJson}`;
}

/**
 * The RETURNING of the statements that return many whole task rows (claims, endings): each row as
 * one JSON text. node-sqlite3 makes a JS object of a row with one N-API call per column, which for
 * 21 columns costs more than the statement itself; one string per row is one call, and V8's
 * JSON.parse is quick. `timeout` stays a column of its own: it is the one REAL, and SQLite's JSON
 * prints a real with 15 significant digits, which need not give the same double back (integers
 * are printed exactly, as node-sqlite3 would read them).
 */
const returningJson =
  'json_array(id, work_id, param, scheduled_at, priority, seq, meta, state, created_at, dispatched_at, ended_at, result, error, attempt, owner, recovered, series_id, retry, deadline, errors) AS k_row, timeout';

/**
 * A row returned as `returningJson`, as the driver would have returned its columns. One object
 * literal, not a loop over the column names: that makes every row the same shape at once, where
 * property-by-property stores with computed keys cost more than the JSON.parse.
 */
function fromJsonRow(returned: Row): Row {
  const [id, work_id, param, scheduled_at, priority, seq, meta, state, created_at, dispatched_at, ended_at, result, error, attempt, owner, recovered, series_id, retry, deadline, errors] = JSON.parse(
    returned['k_row'] as string,
  ) as unknown[];
  const timeout = returned['timeout'];
  return { id, work_id, param, scheduled_at, priority, seq, meta, state, created_at, dispatched_at, ended_at, result, error, attempt, owner, recovered, series_id, retry, timeout, deadline, errors };
}

/** Statements whose result is a changed-row count (TypeORM's rule too): the others return rows. */
const changesRows = /^(INSERT|UPDATE|DELETE) /;

/** One Connection per DataSource, so that two repositories sharing a DataSource still take turns. */
const connections = new WeakMap<DataSource, Connection>();

/**
 * SQLite: one writer at a time for the whole file. Writes start with BEGIN IMMEDIATE, which takes
 * the write lock up front (waiting up to `busy_timeout` for another process), so a transaction
 * never fails half-way with SQLITE_BUSY the way a deferred one upgrading its lock can.
 */
export class SqliteStore implements TaskStore {
  readonly table: string;
  readonly forUpdate = '';
  readonly #connection: Connection;

  constructor(dataSource: DataSource, table: string) {
    this.table = table;
    let connection = connections.get(dataSource);
    if (connection === undefined) connections.set(dataSource, (connection = new Connection(dataSource, sqliteEndingsSql(this))));
    this.#connection = connection;
  }

  read<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return this.#connection.submit(false, work);
  }

  write<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    return this.#connection.submit(true, work);
  }

  lockInserts(): Promise<void> {
    return Promise.resolve(); // BEGIN IMMEDIATE already holds the only write lock.
  }

  /**
   * Without per-work caps, one statement that picks the due rows in run order and moves them.
   * With caps, the candidates are chosen first (one query per capped work) and moved by seq.
   *
   * The one statement picks one due row more than it takes: when it takes `limit`, that row is the
   * first scheduled one left in run order, so its time is the earliest scheduled time left (every
   * row due before it was taken), and the repository's timer needs no read of its own. Unless
   * works were skipped: their due tasks are left too, and may come first.
   */
  claim(now: number, limit: number, owner: string, plan: ClaimPlan): Promise<Claimed> {
    const set = `UPDATE ${this.table} SET state = $1, dispatched_at = $2, owner = $3, attempt = attempt + 1`;
    return this.write(async (sql): Promise<Claimed> => {
      if (plan.caps.length === 0) {
        const order = 'ORDER BY scheduled_at, priority DESC, seq';
        // MATERIALIZED: picked once, before the UPDATE changes the rows it reads.
        const pick = `SELECT seq, scheduled_at, priority FROM ${this.table} WHERE state = $4 AND scheduled_at <= $2${notIn('work_id', 6, plan.skip.length)} ${order} LIMIT $5 + 1`;
        const next = `(SELECT scheduled_at FROM picked ${order} LIMIT 1 OFFSET $5) AS k_next`;
        // WITH first, so that the rows come back (see changesRows).
        const statement = `WITH picked AS MATERIALIZED (${pick}) ${set} WHERE seq IN (SELECT seq FROM picked ${order} LIMIT $5) RETURNING ${returningJson}, ${next}`;
        const { rows } = await sql(statement, ['dispatched', now, owner, 'scheduled', limit, ...plan.skip]);
        const following = rows[0]?.['k_next'];
        return { rows: rows.map(fromJsonRow), ...(plan.skip.length === 0 && typeof following === 'number' ? { next: following } : {}) };
      }
      const rows = await dueCandidates(sql, this.table, now, limit, plan);
      for (const seqs of chunks(rows.map((row) => row['seq']))) {
        await sql(`${set} WHERE seq IN (${placeholders(4, seqs.length)})`, ['dispatched', now, owner, ...seqs]);
      }
      return { rows: rows.map((row) => ({ ...row, state: 'dispatched', dispatched_at: now, owner, attempt: Number(row['attempt']) + 1 })) };
    });
  }

  finish(ending: Ending): Promise<Row | undefined> {
    return this.#connection.finish(ending);
  }

  close(): Promise<void> {
    return this.#connection.release();
  }

  isUniqueViolation(error: unknown): boolean {
    return driverCode(error) === 'SQLITE_CONSTRAINT';
  }

  jsonRows(param: number, columns: readonly JsonColumn[]): string {
    // json_extract gives a JSON string as text and a JSON number as an integer or a real; the column's affinity does the rest.
    return `SELECT ${columns.map(([name], i) => `json_extract(value, '$[${i}]') AS ${name}`).join(', ')} FROM json_each($${param})`;
  }
}
