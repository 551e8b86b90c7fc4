import type { DataSource } from 'typeorm';
import { fromJsonRow } from './sqlite-json-row.js';
import { sqliteDriverFor } from './sqlite3-driver.js';
import type { SqliteDriver } from './sqlite3-driver.js';
import type { Row } from './task-row.js';
import { EndingQueue, endingValues } from './task-store.js';
import type { Ending, EndingBatch, Sql } from './task-store.js';

interface Job {
  readonly write: boolean;
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
 * Statements run through a `SqliteDriver` (sqlite3-driver.ts), which keeps them prepared.
 */
export class SqliteConnection {
  readonly #driver: SqliteDriver;
  readonly #sql: Sql;
  readonly #endingsSql: string;
  #jobs: Job[] = [];
  readonly #endings = new EndingQueue();
  #draining = false;

  constructor(dataSource: DataSource, endingsSql: string) {
    this.#endingsSql = endingsSql;
    this.#driver = sqliteDriverFor(dataSource, { closing: () => this.release() });
    this.#sql = (text, params = []) => this.#driver.run(text, params);
  }

  /**
   * Lets go of the driver's kept statements; the next statement prepares again. It takes a turn
   * like a read, so that no statement is running, or about to, while they go.
   */
  release(): Promise<void> {
    return this.submit(false, () => this.#driver.release());
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

