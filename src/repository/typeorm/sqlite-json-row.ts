import { taskFields, taskColumnTable } from './task-columns.js';
import type { Row } from './task-row.js';

/**
 * The RETURNING of the SQLite statements that return many whole task rows (claims, endings): each
 * row as one JSON text. node-sqlite3 makes a JS object of a row with one N-API call per column,
 * which for 21 columns costs more than the statement itself; one string per row is one call, and
 * V8's JSON.parse is quick. `timeout` stays a column of its own: it is the one REAL, and SQLite's
 * JSON prints a real with 15 significant digits, which need not give the same double back
 * (integers are printed exactly, as node-sqlite3 would read them).
 */
export const returningJson = `json_array(${jsonRowColumns().join(', ')}) AS k_row, ${realColumns().join(', ')}`;

/** The columns inside `k_row`, in order: all but the REALs. */
export function jsonRowColumns(): string[] {
  return taskFields.filter((field) => taskColumnTable[field].type !== 'double precision').map((field) => taskColumnTable[field].name);
}

/** The REAL columns, returned as columns of their own. */
export function realColumns(): string[] {
  return taskFields.filter((field) => taskColumnTable[field].type === 'double precision').map((field) => taskColumnTable[field].name);
}

/**
 * A row returned as `returningJson`, as the driver would have returned its columns. One object
 * literal, not a loop over the column names: that makes every row the same shape at once, where
 * property-by-property stores with computed keys cost more than the JSON.parse. A test holds its
 * order to `jsonRowColumns()`.
 */
export function fromJsonRow(returned: Row): Row {
  const [id, work_id, param, scheduled_at, priority, seq, meta, state, created_at, dispatched_at, ended_at, result, error, attempt, owner, recovered, series_id, retry, deadline, errors, flow_id, depends_on, dedup_key, key_held] = JSON.parse(
    returned['k_row'] as string,
  ) as unknown[];
  const timeout = returned['timeout'];
  return { id, work_id, param, scheduled_at, priority, seq, meta, state, created_at, dispatched_at, ended_at, result, error, attempt, owner, recovered, series_id, retry, timeout, deadline, errors, flow_id, depends_on, dedup_key, key_held };
}
