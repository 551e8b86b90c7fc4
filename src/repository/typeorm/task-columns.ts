import type { Task } from '../../task/task.js';
import { boolean, columnList, fieldsOf, json, number, text } from './columns.js';
import type { Column, JsonColumn } from './columns.js';

/**
 * The one description of how a task is stored: each field of `Task`, in column order, with its
 * column's name, SQL type and codec. The column lists, the TypeORM entity and the INSERT of new
 * tasks are derived from it; the migrations are history and keep their SQL as written. The row
 * mappers of the hot paths (`toTask`, `taskValues`, `fromJsonRow`) are written out for speed, and
 * a test holds them to this table.
 */
export const taskColumnTable = {
  id: { name: 'id', type: 'varchar', length: 200, codec: text },
  workId: { name: 'work_id', type: 'text', codec: text },
  param: { name: 'param', type: 'text', codec: json },
  scheduledAt: { name: 'scheduled_at', type: 'bigint', codec: number },
  priority: { name: 'priority', type: 'integer', codec: number },
  seq: { name: 'seq', type: 'bigint', codec: number },
  meta: { name: 'meta', type: 'text', codec: json },
  // Not fresh: a flow step starts `waiting`.
  state: { name: 'state', type: 'varchar', length: 16, codec: text },
  createdAt: { name: 'created_at', type: 'bigint', codec: number },
  dispatchedAt: { name: 'dispatched_at', type: 'bigint', nullable: true, codec: number, fresh: true },
  endedAt: { name: 'ended_at', type: 'bigint', nullable: true, codec: number, fresh: true },
  result: { name: 'result', type: 'text', codec: json, fresh: true },
  error: { name: 'error', type: 'text', nullable: true, codec: json, fresh: true },
  attempt: { name: 'attempt', type: 'integer', codec: number, fresh: true },
  owner: { name: 'owner', type: 'varchar', length: 200, nullable: true, codec: text, fresh: true },
  recovered: { name: 'recovered', type: 'boolean', codec: boolean, fresh: true },
  seriesId: { name: 'series_id', type: 'varchar', length: 200, nullable: true, codec: text },
  retry: { name: 'retry', type: 'text', nullable: true, codec: json },
  timeout: { name: 'timeout', type: 'double precision', nullable: true, codec: number },
  deadline: { name: 'deadline', type: 'bigint', nullable: true, codec: number },
  errors: { name: 'errors', type: 'text', codec: json, fresh: true },
  flowId: { name: 'flow_id', type: 'varchar', length: 200, nullable: true, codec: text },
  dependsOn: { name: 'depends_on', type: 'text', nullable: true, codec: json },
  key: { name: 'dedup_key', type: 'varchar', length: 200, nullable: true, codec: text },
  keyHeld: { name: 'key_held', type: 'varchar', length: 16, nullable: true, codec: text },
} as const satisfies { readonly [K in keyof Task]: Column };

/** The fields of a task, in column order. */
export const taskFields: ReadonlyArray<keyof Task> = fieldsOf(taskColumnTable);

/** The task table's columns, in order: what `taskValues` writes and `toTask` reads. */
export const taskColumns = columnList(taskColumnTable);

/** `field`'s column, for rows passed as a JSON parameter. */
export function jsonColumn(field: keyof Task): JsonColumn {
  const { name, type } = taskColumnTable[field];
  return [name, type];
}

/**
 * The task table's columns that are not fields of `Task`: the store's own bookkeeping. The lease
 * of a dispatched task ends at `lease_until`; the claim's fencing token is its `attempt`, which
 * every claim (and takeover) increments, so (id, attempt) names one holder for good.
 */
export const leaseColumnTable = {
  leaseUntil: { name: 'lease_until', type: 'bigint', nullable: true, codec: number },
} as const satisfies Readonly<Record<string, Column>>;
