import { InvalidArgumentError } from '../../errors.js';
import { TaskState } from '../../task/task.js';
import type { Task, TaskQuery } from '../../task/task.js';
import { checkCount, checkObject, isStorableText } from '../../validation/validate.js';
import { taskColumns } from './task-columns.js';
import { toTask } from './task-row.js';
import type { Sql } from './task-store.js';

const taskStates: readonly string[] = Object.values(TaskState);

/**
 * `find()` as one query: the query checked (typed errors before anything runs), then a read that
 * `read` runs, or no read at all when nothing can match. Filters and order come from fixed strings;
 * only values travel, as parameters.
 */
export function findTasks(query: TaskQuery, tasks: string): ((sql: Sql) => Promise<Task[]>) | undefined {
  const { state, workId, seriesId, flowId, limit = 100, offset = 0 } = checkObject(query, 'find query') as TaskQuery;
  if (state !== undefined && !taskStates.includes(state)) throw new InvalidArgumentError('find state', taskStates.join(', '), state);
  const count = checkCount(limit, 'find limit', 0);
  const skip = checkCount(offset, 'find offset', 0);
  const filters: Array<[string, string]> = [];
  if (state !== undefined) filters.push(['state', state]);
  if (workId !== undefined) filters.push(['work_id', workId]);
  if (seriesId !== undefined) filters.push(['series_id', seriesId]);
  if (flowId !== undefined) filters.push(['flow_id', flowId]);
  if (filters.some(([, value]) => !isStorableText(value, Infinity)) || count === 0) return undefined;
  const where = filters.length === 0 ? '' : ` WHERE ${filters.map(([column], i) => `${column} = $${i + 1}`).join(' AND ')}`;
  const order = state === TaskState.Scheduled ? 'scheduled_at, priority DESC, seq' : 'seq';
  const n = filters.length;
  return async (sql) => {
    const { rows } = await sql(`SELECT ${taskColumns} FROM ${tasks}${where} ORDER BY ${order} LIMIT $${n + 1} OFFSET $${n + 2}`, [...filters.map(([, value]) => value), count, skip]);
    return rows.map(toTask);
  };
}
