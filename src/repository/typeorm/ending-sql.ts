import { LeaseLostError, StateConflictError, TaskNotFoundError } from '../../errors.js';
import { toJsonText } from '../../task/json.js';
import { appendError, crashError, TaskState } from '../../task/task.js';
import type { NewTask, Task, TaskOutcome } from '../../task/task.js';
import type { Completion } from '../task-repository.js';
import { taskColumns } from './task-columns.js';
import { toTask } from './task-row.js';
import { chunks, placeholders } from './task-store.js';
import type { Sql } from './task-store.js';
import type { TaskTables } from './task-tables.js';

/**
 * How a dispatched task ends, as SQL steps of one transaction: the general path of `complete()`
 * (retries, failures, successors, flows; the common endings share a statement in the store) and
 * `recover()` of what a crashed owner left dispatched.
 */

/** Compare-and-set of a dispatched task to its outcome, with the series' next occurrence and the flow's released steps. */
export async function completeTask(sql: Sql, tables: TaskTables, id: string, ended: TaskOutcome, now: number, successor: NewTask | undefined, held: number | null = null): Promise<Completion> {
  const current = await tables.lockTaskAndFlow(sql, id);
  if (current === undefined) throw new TaskNotFoundError(id);
  // The fencing: the holder of attempt `held` writes only while that attempt is the dispatched one.
  if (held !== null && (current.state !== TaskState.Dispatched || current.attempt !== held)) throw new LeaseLostError(id, held);
  // Another attempt, a cancel or a recovery ended it first (or, from the shared path, it was not dispatched there either).
  if (current.state !== TaskState.Dispatched) throw new StateConflictError(id, TaskState.Dispatched, current.state);
  if (successor !== undefined) await tables.refuseExisting(sql, tables.tasks, [successor.id]);
  if (ended.state === TaskState.Scheduled) {
    return { task: await tables.save(sql, { ...current, state: TaskState.Scheduled, scheduledAt: ended.scheduledAt, errors: appendError(current.errors, ended.error) }) };
  }
  const task = await tables.save(
    sql,
    ended.state === TaskState.Done
      ? { ...current, state: ended.state, endedAt: now, result: ended.result }
      : ended.state === TaskState.Failed
        ? { ...current, state: ended.state, endedAt: now, error: { name: ended.error.name, message: ended.error.message }, errors: appendError(current.errors, ended.error) }
        : { ...current, state: ended.state, endedAt: now, error: ended.error },
  );
  // Only a flow's tasks can have dependents: an ordinary task pays no query for them.
  const dependents = task.flowId === null ? [] : await tables.settleFlow(sql, task.flowId, now);
  const added = successor !== undefined && (await tables.mayAddOccurrence(sql, successor.seriesId, false)) ? (await tables.insert(sql, [successor]))[0] : undefined;
  return { task, ...(added === undefined ? {} : { next: added }), ...(dependents.length === 0 ? {} : { dependents }) };
}

/** The tasks `owner` left dispatched, scheduled again (`rerun`) or failed with the crash error. */
export async function recoverTasks(sql: Sql, tables: TaskTables, owner: string, rerun: boolean, now: number, forUpdate: string): Promise<Task[]> {
  const { rows } = await sql(`SELECT ${taskColumns} FROM ${tables.tasks} WHERE state = $1 AND owner = $2 ORDER BY seq${forUpdate}`, [TaskState.Dispatched, owner]);
  const recovered = rows.map((row): Task => {
    const task = toTask(row);
    return Object.freeze(rerun ? { ...task, state: TaskState.Scheduled, recovered: true } : { ...task, state: TaskState.Failed, recovered: true, endedAt: now, error: crashError });
  });
  const set = rerun ? [TaskState.Scheduled, true, null, null] : [TaskState.Failed, true, now, toJsonText(crashError, 'error')];
  for (const ids of chunks(recovered.map((t) => t.id))) {
    await sql(`UPDATE ${tables.tasks} SET state = $1, recovered = $2, ended_at = $3, error = $4 WHERE id IN (${placeholders(5, ids.length)})`, [...set, ...ids]);
  }
  if (!rerun) for (const flowId of new Set(recovered.map((t) => t.flowId))) if (flowId !== null) await tables.settleFlow(sql, flowId, now);
  return recovered;
}
