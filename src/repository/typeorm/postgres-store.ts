import type { DataSource, QueryRunner } from 'typeorm';
import { driverCode, dueCandidates, EndingQueue, endingsSql, endingValues, notIn, placeholders, runOn } from './task-store.js';
import { toNumber } from './columns.js';
import type { JsonColumn } from './columns.js';
import { taskColumns } from './task-columns.js';
import type { Row } from './task-row.js';
import type { Claimed, ClaimPlan, Ending, Sql, TaskStore } from './task-store.js';

/** How many endings share one statement at most. */
const maxEndings = 1_000;

/**
 * PostgreSQL: many processes, row locks. Writes are READ COMMITTED transactions whose first
 * statement locks the rows they change (`SELECT ... FOR UPDATE`), so each is a compare-and-set
 * on the task's state; claims skip rows another process holds (`SKIP LOCKED`) instead of waiting.
 *
 * Endings (see `Ending`) are one statement each batch: while one is on its way, the endings that
 * arrive queue up and go together in the next, one UPDATE ... FROM unnest(...) in autocommit, so
 * many completions share a round trip and a commit, and each is answered after that commit.
 */
export class PostgresStore implements TaskStore {
  readonly table: string;
  readonly forUpdate = ' FOR UPDATE';
  readonly #dataSource: DataSource;
  readonly #endings = new EndingQueue();
  readonly #endingsSql: string;
  #ending = false;

  constructor(dataSource: DataSource, table: string) {
    this.table = table;
    this.#dataSource = dataSource;
    this.#endingsSql = endingsSql(this);
  }

  async read<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    const runner = this.#dataSource.createQueryRunner();
    try {
      return await work(sqlOn(runner));
    } finally {
      await runner.release();
    }
  }

  async write<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    const runner = this.#dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      const result = await work(sqlOn(runner));
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await runner.release();
    }
  }

  close(): Promise<void> {
    return Promise.resolve(); // Each statement is prepared and released by its own runner.
  }

  /**
   * From the table's sequence (`<table>_seq`, migration Keys0005): a sequence is never rolled
   * back and never waits for another transaction, so an application transaction that added a task
   * and stays open blocks no other add. Numbers a rolled-back add took are skipped: seq orders,
   * it does not count.
   */
  async nextSeqs(sql: Sql, table: string, count: number): Promise<number[]> {
    const sequence = table.replace(/"$/, '_seq"');
    const { rows } = await sql('SELECT nextval($1::regclass) AS seq FROM generate_series(1, $2::integer)', [sequence, count]);
    return rows.map((row) => toNumber(row['seq'])).sort((a, b) => a - b);
  }

  /**
   * Without per-work caps, one statement: the subquery locks the due rows it picks, skipping those
   * another process is claiming or changing, and the UPDATE moves exactly those (a row changed
   * meanwhile is re-checked against the WHERE before it is locked). With caps, the candidates are
   * chosen first (one query per capped work) and then claimed the same way, by id.
   */
  async claim(now: number, limit: number, owner: string, plan: ClaimPlan): Promise<Claimed> {
    const set = `UPDATE ${this.table} SET state = $1, dispatched_at = $2, owner = $3, attempt = attempt + 1 WHERE id IN`;
    return this.read(async (sql) => {
      if (plan.caps.length === 0) {
        const pick = `SELECT id FROM ${this.table} WHERE state = $4 AND scheduled_at <= $2${notIn('work_id', 6, plan.skip.length)} ORDER BY scheduled_at, priority DESC, seq LIMIT $5`;
        return { rows: (await sql(`${set} (${pick} FOR UPDATE SKIP LOCKED) RETURNING ${taskColumns}`, ['dispatched', now, owner, 'scheduled', limit, ...plan.skip])).rows };
      }
      const ids = (await dueCandidates(sql, this.table, now, limit, plan)).map((row) => row['id']);
      if (ids.length === 0) return { rows: [] };
      const pick = `SELECT id FROM ${this.table} WHERE state = $4 AND id IN (${placeholders(5, ids.length)})`;
      return { rows: (await sql(`${set} (${pick} FOR UPDATE SKIP LOCKED) RETURNING ${taskColumns}`, ['dispatched', now, owner, 'scheduled', ...ids])).rows };
    });
  }

  finish(ending: Ending): Promise<Row | undefined> {
    const row = this.#endings.add(ending);
    if (!this.#ending) {
      // After this turn of the event loop, so that the completions of tasks that ended together go together.
      this.#ending = true;
      setImmediate(() => void this.#endQueued());
    }
    return row;
  }

  async #endQueued(): Promise<void> {
    while (this.#endings.size > 0) {
      const batch = this.#endings.take(maxEndings);
      const { endings } = batch;
      const values = JSON.stringify(endings.map(endingValues));
      // A failure (the connection, a deadlock with another process's batch) sends each back to its general path.
      batch.settle(await this.read((sql) => sql(this.#endingsSql, [values, 'dispatched'])).then(({ rows }) => rows, () => undefined));
    }
    this.#ending = false;
  }

  isUniqueViolation(error: unknown): boolean {
    return driverCode(error) === '23505';
  }

  jsonRows(param: number, columns: readonly JsonColumn[]): string {
    const value = (type: JsonColumn[1], i: number): string => (type === 'text' || type === 'varchar' ? `e ->> ${i}` : `(e ->> ${i})::${type}`);
    return `SELECT ${columns.map(([name, type], i) => `${value(type, i)} AS ${name}`).join(', ')} FROM json_array_elements($${param}::json) AS e`;
  }
}

function sqlOn(runner: QueryRunner): Sql {
  return (text, params = []) => runOn(runner, text, params);
}
