import type { Misfire, Series } from '../../schedule/series.js';
import type { ScheduleSpec } from '../../schedule/schedule.js';
import type { AttemptError, JsonValue, RetryPolicy, Task, TaskError, TaskState } from '../../task/task.js';
import { toJsonText } from './checks.js';

/** A row as the drivers return it: pg gives BIGINT as strings, SQLite gives booleans as 0/1. */
export type Row = Readonly<Record<string, unknown>>;

/** The task table's columns, in the order of `taskValues`. */
export const taskColumns =
  'id, work_id, param, scheduled_at, priority, seq, meta, state, created_at, dispatched_at, ended_at, result, error, attempt, owner, recovered, series_id, retry, timeout, deadline, errors';

/** The series table's columns, in the order of `seriesValues`. */
export const seriesColumns = 'id, seq, work_id, param, schedule, misfire, grace, priority, meta, retry, timeout, enabled, created_at';
export const seriesColumnCount = 13;

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
  });
}

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
  ];
}

export function toSeries(row: Row): Series {
  return Object.freeze({
    id: row['id'] as string,
    workId: row['work_id'] as string,
    param: parseJson(row['param']),
    schedule: parseJson(row['schedule']) as ScheduleSpec,
    misfire: row['misfire'] as Misfire,
    grace: toNumber(row['grace']),
    priority: toNumber(row['priority']),
    meta: parseJson(row['meta']) as Readonly<Record<string, string>>,
    retry: parseNullableJson(row['retry']) as RetryPolicy | null,
    timeout: toNullableNumber(row['timeout']),
    enabled: toBoolean(row['enabled']),
    createdAt: toNumber(row['created_at']),
  });
}

export function seriesValues(series: Series, seq: number): unknown[] {
  return [
    series.id,
    seq,
    series.workId,
    toJsonText(series.param, 'series param'),
    toJsonText(series.schedule, 'schedule'),
    series.misfire,
    series.grace,
    series.priority,
    toJsonText(series.meta, 'series meta'),
    series.retry === null ? null : toJsonText(series.retry, 'series retry'),
    series.timeout,
    series.enabled,
    series.createdAt,
  ];
}

export function toNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

export function toNullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : toNumber(value);
}

function toBoolean(value: unknown): boolean {
  return value === true || value === 1;
}

function parseJson(text: unknown): JsonValue {
  return deepFreeze(JSON.parse(text as string) as JsonValue);
}

function parseNullableJson(text: unknown): JsonValue {
  return text === null || text === undefined ? null : parseJson(text);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
