import { toJsonText } from '../../task/json.js';
import type { AttemptError, Dependency, KeyHeld, RetryPolicy, Task, TaskError, TaskState } from '../../task/task.js';
import { parseJson, parseNullableJson, toBoolean, toNullableNumber, toNumber } from './columns.js';

/** A row as the drivers return it: pg gives BIGINT as strings, SQLite gives booleans as 0/1. */
export type Row = Readonly<Record<string, unknown>>;

/*
 * The two mappers every task row passes through, written out as single object and array literals:
 * a loop over `taskColumnTable` with computed keys costs two to four times as much, on every row a claim,
 * a completion or a read returns. They use the table's codecs' own functions, and a test
 * (test/typeorm/task-columns.test.ts) holds them to the table, field by field.
 */

export function toTask(row: Row): Task {
  return Object.freeze({
    id: row['id'] as string,
    workId: row['work_id'] as string,
    param: parseJson(row['param']),
    scheduledAt: toNumber(row['scheduled_at']),
    priority: toNumber(row['priority']),
    seq: toNumber(row['seq']),
    meta: parseJson(row['meta']) as Readonly<Record<string, string>>,
    state: row['state'] as TaskState,
    createdAt: toNumber(row['created_at']),
    dispatchedAt: toNullableNumber(row['dispatched_at']),
    endedAt: toNullableNumber(row['ended_at']),
    result: parseJson(row['result']),
    error: parseNullableJson(row['error']) as TaskError | null,
    attempt: toNumber(row['attempt']),
    owner: (row['owner'] ?? null) as string | null,
    recovered: toBoolean(row['recovered']),
    seriesId: (row['series_id'] ?? null) as string | null,
    retry: parseNullableJson(row['retry']) as RetryPolicy | null,
    timeout: toNullableNumber(row['timeout']),
    deadline: toNullableNumber(row['deadline']),
    errors: parseJson(row['errors']) as unknown as readonly AttemptError[],
    flowId: (row['flow_id'] ?? null) as string | null,
    dependsOn: parseNullableJson(row['depends_on']) as Dependency | null,
    key: (row['dedup_key'] ?? null) as string | null,
    keyHeld: (row['key_held'] ?? null) as KeyHeld | null,
  });
}

/** A task's values as query parameters, in the order of `taskColumns`. */
export function taskValues(task: Task): unknown[] {
  return [
    task.id,
    task.workId,
    toJsonText(task.param, 'param'),
    task.scheduledAt,
    task.priority,
    task.seq,
    toJsonText(task.meta, 'meta'),
    task.state,
    task.createdAt,
    task.dispatchedAt,
    task.endedAt,
    toJsonText(task.result, 'result'),
    task.error === null ? null : toJsonText(task.error, 'error'),
    task.attempt,
    task.owner,
    task.recovered,
    task.seriesId,
    task.retry === null ? null : toJsonText(task.retry, 'retry'),
    task.timeout,
    task.deadline,
    toJsonText(task.errors, 'errors'),
    task.flowId,
    task.dependsOn === null ? null : toJsonText(task.dependsOn, 'dependsOn'),
    task.key,
    task.keyHeld,
  ];
}
