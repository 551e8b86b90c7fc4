import { SeriesNotFoundError } from '../../errors.js';
import type { Series } from '../../schedule/series.js';
import { TaskState } from '../../task/task.js';
import type { NewTask, Task, TaskError } from '../../task/task.js';
import { planSeriesConflict } from '../series-conflict.js';
import type { SeriesChange } from '../task-repository.js';
import { DuplicateIdError } from '../../errors.js';
import type { OnConflict } from '../../task/task.js';
import { taskColumns } from './task-columns.js';
import { toTask } from './task-row.js';
import type { Sql } from './task-store.js';
import type { TaskTables } from './task-tables.js';

/**
 * The series writes of the contract (`addSeries`, `setSeriesEnabled`, `removeSeries`) as SQL
 * steps of one transaction each; `TypeOrmRepository` checks the inputs and runs them.
 */

/**
 * The series and its first occurrence, or neither; an existing series id is refused, kept or
 * replaced as `onConflict` says (see `planSeriesConflict`).
 */
export async function insertSeries(sql: Sql, tables: TaskTables, series: Series, first: NewTask, onConflict: OnConflict, forUpdate: string): Promise<Task> {
  // Every refusal before the first change (on SQLite a write that fails after changing rows costs its batch a rerun).
  const existing = await tables.lockSeries(sql, series.id);
  if (existing !== undefined && onConflict === 'reject') throw new DuplicateIdError(series.id, 'series');
  await tables.refuseExisting(sql, tables.tasks, [first.id]);
  if (existing !== undefined) {
    const active = `SELECT ${taskColumns} FROM ${tables.tasks} WHERE series_id = $1 AND state IN ($2, $3)${forUpdate}`;
    const latest = `SELECT ${taskColumns} FROM ${tables.tasks} WHERE series_id = $1 ORDER BY seq DESC LIMIT 1`;
    const occurrences = [...(await sql(active, [series.id, TaskState.Scheduled, TaskState.Dispatched])).rows, ...(await sql(latest, [series.id])).rows].map(toTask);
    const plan = planSeriesConflict(existing, series, first, occurrences, onConflict);
    if (plan.kind === 'unchanged') return plan.task;
    if (plan.series !== undefined) await tables.saveSeries(sql, plan.series);
    if (plan.kind === 'replace') return plan.moved ? tables.save(sql, plan.task) : plan.task;
    const [task] = await tables.insert(sql, [first]);
    return task as Task;
  }
  await tables.insertSeries(sql, series);
  const [task] = await tables.insert(sql, [first]);
  return task as Task;
}

/** Disabling cancels the scheduled occurrence; enabling adds `next` unless one is pending or running. */
export async function changeSeriesEnabled(
  sql: Sql,
  tables: TaskTables,
  change: { id: string; enabled: boolean; now: number; next: NewTask | undefined; error: TaskError | null; forUpdate: string },
): Promise<SeriesChange> {
  const { id, enabled, now, next, error } = change;
  const current = await tables.lockSeries(sql, id);
  if (current === undefined) throw new SeriesNotFoundError(id);
  if (next !== undefined) await tables.refuseExisting(sql, tables.tasks, [next.id]);
  await sql(`UPDATE ${tables.series} SET enabled = $2, error = $3 WHERE id = $1`, [id, enabled, error === null ? null : JSON.stringify(error)]);
  const series: Series = Object.freeze({ ...current, enabled, error });
  let task: Task | undefined;
  if (!enabled) {
    const { rows } = await sql(`SELECT ${taskColumns} FROM ${tables.tasks} WHERE series_id = $1 AND state = $2 ORDER BY seq${change.forUpdate}`, [id, TaskState.Scheduled]);
    for (const row of rows) task = await tables.save(sql, { ...toTask(row), state: TaskState.Cancelled, endedAt: now });
  } else if (next !== undefined && (await tables.mayAddOccurrence(sql, id, true))) {
    [task] = await tables.insert(sql, [next]);
  }
  return task === undefined ? { series } : { series, task };
}

/** Deletes the series and its tasks that are not running; false if there was none. */
export async function deleteSeries(sql: Sql, tables: TaskTables, id: string): Promise<boolean> {
  const { affected } = await sql(`DELETE FROM ${tables.series} WHERE id = $1`, [id]);
  if (affected === 0) return false;
  await sql(`DELETE FROM ${tables.tasks} WHERE series_id = $1 AND state <> $2`, [id, TaskState.Dispatched]);
  return true;
}
