import type { DataSource } from 'typeorm';
import { chunks, driverCode, dueCandidates, placeholders, runOn } from './task-store.js';
import type { ClaimPlan, Sql, TaskStore } from './task-store.js';
import type { Row } from './task-row.js';

interface Job {
  readonly write: boolean;
  readonly work: (sql: Sql) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** How many writes share one transaction (and one fsync) at most. */
const maxBatch = 64;

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
 */
class Connection {
  readonly #sql: Sql;
  #jobs: Job[] = [];
  #draining = false;

  constructor(dataSource: DataSource) {
    const runner = dataSource.createQueryRunner();
    this.#sql = (text, params = []) => runOn(runner, text.replace(/\$(\d+)/g, '?$1'), params);
  }

  submit<T>(write: boolean, work: (sql: Sql) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#jobs.push({ write, work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#draining) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    while (this.#jobs.length > 0) {
      const writes = this.#jobs.filter((job) => job.write);
      const reads = this.#jobs.filter((job) => !job.write);
      this.#jobs = writes.splice(maxBatch);
      if (writes.length > 0) this.#jobs.unshift(...(await this.#commit(writes)));
      for (const job of reads) await job.work(this.#sql).then(job.resolve, job.reject);
    }
    this.#draining = false;
  }

  /** Runs `batch` in one transaction and settles it; returns the writes to run again. */
  async #commit(batch: readonly Job[]): Promise<Job[]> {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      await this.#sql('BEGIN IMMEDIATE');
    } catch (error) {
      for (const job of batch) job.reject(error);
      return [];
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
        return [...batch.slice(0, i), ...batch.slice(i + 1)];
      }
    }
    try {
      await this.#sql('COMMIT');
    } catch (error) {
      // A failed COMMIT (disk full, I/O error) may leave the transaction open; end it so the next one can begin.
      await this.#sql('ROLLBACK').catch(() => undefined);
      for (const job of batch) job.reject(error);
      return [];
    }
    batch.forEach((job, i) => {
      const outcome = outcomes[i];
      if (outcome?.ok === true) job.resolve(outcome.value);
      else job.reject(outcome?.error);
    });
    return [];
  }
}

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
    if (connection === undefined) connections.set(dataSource, (connection = new Connection(dataSource)));
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

  claim(now: number, limit: number, owner: string, plan: ClaimPlan): Promise<readonly Row[]> {
    return this.write(async (sql) => {
      const rows = await dueCandidates(sql, this.table, now, limit, plan);
      for (const seqs of chunks(rows.map((row) => row['seq']))) {
        await sql(`UPDATE ${this.table} SET state = $1, dispatched_at = $2, owner = $3, attempt = attempt + 1 WHERE seq IN (${placeholders(4, seqs.length)})`, [
          'dispatched',
          now,
          owner,
          ...seqs,
        ]);
      }
      return rows.map((row) => ({ ...row, state: 'dispatched', dispatched_at: now, owner, attempt: Number(row['attempt']) + 1 }));
    });
  }

  isUniqueViolation(error: unknown): boolean {
    return driverCode(error) === 'SQLITE_CONSTRAINT';
  }
}
