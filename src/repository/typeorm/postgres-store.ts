import type { DataSource, QueryRunner } from 'typeorm';
import { driverCode, dueCandidates, notIn, placeholders, runOn } from './task-store.js';
import type { ClaimPlan, Sql, TaskStore } from './task-store.js';
import { taskColumns, type Row } from './task-row.js';

/** The advisory lock key that serialises adds across processes ('kokugen' in ASCII). */
const insertLock = '30240329829934446';

/**
 * PostgreSQL: many processes, row locks. Writes are READ COMMITTED transactions whose first
 * statement locks the rows they change (`SELECT ... FOR UPDATE`), so each is a compare-and-set
 * on the task's state; claims skip rows another process holds (`SKIP LOCKED`) instead of waiting.
 */
export class PostgresStore implements TaskStore {
  readonly table: string;
  readonly forUpdate = ' FOR UPDATE';
  readonly #dataSource: DataSource;

  constructor(dataSource: DataSource, table: string) {
    this.table = table;
    this.#dataSource = dataSource;
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

  async lockInserts(sql: Sql): Promise<void> {
    await sql('SELECT pg_advisory_xact_lock($1::bigint)', [insertLock]);
  }

  /**
   * Without per-work caps, one statement: the subquery locks the due rows it picks, skipping those
   * another process is claiming or changing, and the UPDATE moves exactly those (a row changed
   * meanwhile is re-checked against the WHERE before it is locked). With caps, the candidates are
   * chosen first (one query per capped work) and then claimed the same way, by id.
   */
  async claim(now: number, limit: number, owner: string, plan: ClaimPlan): Promise<readonly Row[]> {
    const set = `UPDATE ${this.table} SET state = $1, dispatched_at = $2, owner = $3, attempt = attempt + 1 WHERE id IN`;
    return this.read(async (sql) => {
      if (plan.caps.length === 0) {
        const pick = `SELECT id FROM ${this.table} WHERE state = $4 AND scheduled_at <= $2${notIn('work_id', 6, plan.skip.length)} ORDER BY scheduled_at, priority DESC, seq LIMIT $5`;
        return (await sql(`${set} (${pick} FOR UPDATE SKIP LOCKED) RETURNING ${taskColumns}`, ['dispatched', now, owner, 'scheduled', limit, ...plan.skip])).rows;
      }
      const ids = (await dueCandidates(sql, this.table, now, limit, plan)).map((row) => row['id']);
      if (ids.length === 0) return [];
      const pick = `SELECT id FROM ${this.table} WHERE state = $4 AND id IN (${placeholders(5, ids.length)})`;
      return (await sql(`${set} (${pick} FOR UPDATE SKIP LOCKED) RETURNING ${taskColumns}`, ['dispatched', now, owner, 'scheduled', ...ids])).rows;
    });
  }

  isUniqueViolation(error: unknown): boolean {
    return driverCode(error) === '23505';
  }
}

function sqlOn(runner: QueryRunner): Sql {
  return (text, params = []) => runOn(runner, text, params);
}
