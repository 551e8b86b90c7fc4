import type { DataSource } from 'typeorm';
import { SqliteFile } from './sqlite-file.js';
import { fromJsonRow } from './sqlite-json-row.js';
import { sqliteDriverFor } from './sqlite-driver.js';
import type { SqliteDriver } from './sqlite-driver.js';
import type { Row } from './task-row.js';
import { EndingQueue, endingValues } from './task-store.js';
import type { Ending, EndingBatch, Sql } from './task-store.js';

interface Job {
  /** A write takes a turn in a group commit; a read takes a turn alone; `own` is kokugen's housekeeping, which runs even on a lost store. */
  readonly kind: 'read' | 'write' | 'own';
  readonly work: (sql: Sql) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** How many writes share one transaction (and one fsync) at most. */
const maxBatch = 64;
/** How many endings share one statement at most. */
const maxEndings = 500;

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
 * Statements run through a `SqliteDriver` (sqlite-driver.ts: node-sqlite3 or better-sqlite3,
 * whichever the DataSource's type names), which keeps them prepared.
 * Before each COMMIT, and before the reads of a connection that was idle, the database file is
 * checked to be still at its path (sqlite-file.ts): once it is not, every turn is refused with
 * ERR_STORE_LOST instead of writing into a file that will be gone at close.
 */
export class SqliteConnection {
  readonly #driver: SqliteDriver;
  readonly #file: SqliteFile;
  readonly #sql: Sql;
  readonly #endingsSql: string;
  #jobs: Job[] = [];
  readonly #endings = new EndingQueue();
  #draining = false;
  /** Whether the file was checked since the connection was last idle. */
  #checked = false;

  constructor(dataSource: DataSource, endingsSql: string) {
    this.#endingsSql = endingsSql;
    const file = new SqliteFile(dataSource.options.database);
    this.#file = file;
    this.#driver = sqliteDriverFor(dataSource, {
      opened: () => file.opened(),
      closing: () => this.release(),
      closed: () => file.closed(),
    });
    // A statement that fails on a lost file says so (ERR_STORE_LOST) rather than what SQLite saw.
    this.#sql = (text, params = []) =>
      this.#driver.run(text, params).catch((error: unknown) => {
        file.check();
        throw error;
      });
  }

  /**
   * Lets go of the driver's kept statements; the next statement prepares again. It takes a turn
   * like a read, so that no statement is running, or about to, while they go.
   */
  release(): Promise<void> {
    return this.#submit('own', () => this.#driver.release());
  }

  submit<T>(write: boolean, work: (sql: Sql) => Promise<T>): Promise<T> {
    return this.#submit(write ? 'write' : 'read', work);
  }

  #submit<T>(kind: Job['kind'], work: (sql: Sql) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#jobs.push({ kind, work, resolve: resolve as (value: unknown) => void, reject });
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
      const reads = this.#jobs.filter((job) => job.kind !== 'write');
      this.#jobs = this.#jobs.filter((job) => job.kind === 'write');
      if (reads.length > 0) await this.#read(reads);
      const writes = this.#jobs.filter((job) => job.kind === 'write');
      const rest = this.#jobs.filter((job) => job.kind !== 'write');
      this.#jobs = [...writes.splice(maxBatch), ...rest];
      const endings = this.#endings.take(maxEndings);
      if (writes.length > 0 || endings.endings.length > 0) this.#jobs.unshift(...(await this.#commit(writes, endings)));
    }
    this.#draining = false;
    this.#checked = false;
  }

  /**
   * Runs `reads` one after another; on a lost file they are refused (kokugen's own housekeeping
   * still runs). The file is checked when the connection was idle before: that is the timer's
   * poll, which must notice a loss while nothing is written. In a busy spell every commit checks,
   * and a read of the unlinked file gives what was committed, so reads need not.
   */
  async #read(reads: readonly Job[]): Promise<void> {
    let lost: Outcome | undefined;
    if ((!this.#checked || this.#file.lost) && reads.some((job) => job.kind === 'read')) {
      this.#checked = true;
      lost = settledNow(() => this.#file.check());
    }
    for (const job of reads) answer(job, lost?.ok === false && job.kind === 'read' ? lost : await settled(job.work(this.#sql)));
  }

  /** Runs `batch` and `endings` in one transaction and settles them; returns the writes to run again (endings to end again are queued back). */
  async #commit(batch: readonly Job[], endings: EndingBatch): Promise<Job[]> {
    const outcomes: Outcome[] = [];
    try {
      if (this.#file.lost) this.#file.check(); // throws at once: nothing to run on a lost file
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
      // Committed into a file no longer at its path, the batch would be reported done and then lost.
      this.#checked = true;
      this.#file.check();
      await this.#sql('COMMIT');
    } catch (error) {
      // A failed COMMIT (disk full, I/O error) may leave the transaction open; end it so the next one can begin.
      await this.#sql('ROLLBACK').catch(() => undefined);
      for (const job of batch) job.reject(error);
      endings.settle(undefined);
      return [];
    }
    endings.settle(ended);
    batch.forEach((job, i) => answer(job, outcomes[i] as Outcome));
    return [];
  }
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

function settled(promise: Promise<unknown>): Promise<Outcome> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

function settledNow(run: () => void): Outcome {
  try {
    run();
    return { ok: true, value: undefined };
  } catch (error) {
    return { ok: false, error };
  }
}

function answer(job: Job, outcome: Outcome): void {
  if (outcome.ok) job.resolve(outcome.value);
  else job.reject(outcome.error);
}

