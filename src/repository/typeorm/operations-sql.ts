import { TaskNotFoundError } from '../../errors.js';
import { TaskState } from '../../task/task.js';
import type { EndedState, Task } from '../../task/task.js';
import { isRetryable, refuseRetry, retriedChange, StatsTally } from '../operations.js';
import type { PurgeFilter, RepositoryStats } from '../task-repository.js';
import { toNullableNumber, toNumber } from './columns.js';
import type { Sql } from './task-store.js';
import type { TaskTables } from './task-tables.js';

/**
 * The operations part of the contract (`stats`, `retry`, `purge`) as SQL steps of one
 * transaction each; `TypeOrmRepository` runs them. The same SQL on SQLite and PostgreSQL.
 */

/** One GROUP BY for the counts and one index read for the earliest due time. */
export async function readStats(sql: Sql, tasks: string, now: number): Promise<RepositoryStats> {
  const tally = new StatsTally();
  const { rows } = await sql(`SELECT state, work_id, COUNT(*) AS n FROM ${tasks} GROUP BY state, work_id`);
  for (const row of rows) tally.add(row['state'] as TaskState, row['work_id'] as string, toNumber(row['n']));
  // MIN over the due index's leading columns: the first entry of the scheduled range.
  const [due] = (await sql(`SELECT MIN(scheduled_at) AS at FROM ${tasks} WHERE state = $1 AND scheduled_at <= $2`, [TaskState.Scheduled, now])).rows;
  return tally.result(toNullableNumber(due?.['at']));
}

/** Locks the task, refuses it unless it ended without succeeding, and schedules it again. */
export async function retryTask(sql: Sql, tables: TaskTables, id: string, scheduledAt: number): Promise<Task> {
  const current = await tables.lockTask(sql, id);
  if (current === undefined) throw new TaskNotFoundError(id);
  if (!isRetryable(current.state)) throw refuseRetry(current);
  return tables.save(sql, { ...current, ...retriedChange(scheduledAt) } as Task);
}

/**
 * Deletes the first `limit` matching tasks by seq: the (state, seq) index yields them in that
 * order, so a batch reads about as many rows as it deletes when old tasks ended first.
 */
export async function purgeTasks(sql: Sql, tasks: string, filter: PurgeFilter): Promise<number> {
  if (filter.limit === 0) return 0;
  const { affected } = await sql(
    `DELETE FROM ${tasks} WHERE id IN (SELECT id FROM ${tasks} WHERE state = $1 AND ended_at < $2 ORDER BY seq LIMIT $3)`,
    [filter.state, filter.endedBefore, filter.limit],
  );
  return affected;
}

/**
 * Deletes up to `limit` of the oldest-created tasks of `state` beyond the newest `keep` (the
 * retention's count bound); returns how many. Counted and deleted in one transaction.
 */
export async function trimTasks(sql: Sql, tasks: string, state: EndedState, keep: number, limit: number): Promise<number> {
  const [row] = (await sql(`SELECT COUNT(*) AS n FROM ${tasks} WHERE state = $1`, [state])).rows;
  const excess = toNumber(row?.['n']) - keep;
  if (excess <= 0) return 0;
  const { affected } = await sql(`DELETE FROM ${tasks} WHERE id IN (SELECT id FROM ${tasks} WHERE state = $1 ORDER BY seq LIMIT $2)`, [state, Math.min(excess, limit)]);
  return affected;
}
