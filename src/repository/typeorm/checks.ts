import { InvalidArgumentError } from '../../errors.js';
import { Misfire } from '../../schedule/series.js';
import type { Series } from '../../schedule/series.js';
import { checkObject } from '../../validation/validate.js';
import { TaskState } from '../../task/task.js';
import type { AttemptError, JsonValue, NewTask, TaskError, TaskOutcome, TaskPatch } from '../../task/task.js';
import type { ClaimPlan } from './task-store.js';

/**
 * What the databases can store, checked at the repository's edge. The Scheduler's own checks
 * come first and are stricter; these keep direct callers from reaching a driver error, and say
 * where SQL differs from memory: text without NUL or lone surrogates, whole milliseconds.
 */

const maxTime = 8.64e15;
const maxInt = 2 ** 31 - 1;
export const maxIdLength = 200;
/** A NUL (PostgreSQL text cannot hold it) or a lone surrogate (UTF-8 cannot encode it). */
const unstorable = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isStorableText(value: unknown, maxLength = maxIdLength): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= maxLength && !unstorable.test(value);
}

/** A text column's value: a string both databases store and return unchanged. */
export function checkText(value: unknown, what: string, maxLength = maxIdLength): string {
  if (!isStorableText(value, maxLength)) {
    const length = maxLength === Infinity ? 'a non-empty string' : `a string of 1-${maxLength} characters`;
    throw new InvalidArgumentError(what, `${length} without NUL characters or lone surrogates`, value);
  }
  return value;
}

/**
 * A time for a BIGINT column. Times are whole milliseconds; a fractional one is rounded the safe
 * way: a due time up (a task never runs early), a deadline or a clock reading down.
 */
export function checkTime(value: unknown, what: string, round: 'up' | 'down'): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > maxTime) {
    throw new InvalidArgumentError(what, `epoch ms within ±${maxTime}`, value);
  }
  return round === 'up' ? Math.ceil(value) : Math.floor(value);
}

function checkNumber(value: unknown, what: string, expected: string, inRange: (n: number) => boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !inRange(value)) throw new InvalidArgumentError(what, expected, value);
  return value;
}

export function checkPriority(value: unknown, what = 'priority'): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || Math.abs(value) > maxInt) throw new InvalidArgumentError(what, 'an integer within ±(2^31-1)', value);
  return value;
}

/** A row count for LIMIT or OFFSET: an integer >= `min`, or (for a limit) Infinity; capped for SQL. */
export function checkCount(value: unknown, what: string, min: number): number {
  if (typeof value !== 'number' || !(Number.isSafeInteger(value) || value === Infinity) || value < min) {
    throw new InvalidArgumentError(what, `an integer >= ${min}`, value);
  }
  return Math.min(value, Number.MAX_SAFE_INTEGER);
}

/** JSON text, kept as text (not jsonb) so that key order and number spelling come back byte-identical. */
export function toJsonText(value: unknown, what: string): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new InvalidArgumentError(what, 'a JSON value', value);
  return text;
}

function checkJson(value: unknown, what: string): JsonValue {
  toJsonText(value, what);
  return value as JsonValue;
}

function checkMeta(meta: unknown, what = 'meta'): Readonly<Record<string, string>> {
  const object = checkObject(meta, what);
  for (const value of Object.values(object)) if (typeof value !== 'string') throw new InvalidArgumentError(what, 'an object of strings', meta);
  return object as Readonly<Record<string, string>>;
}

function checkRetry(retry: unknown, what: string): NewTask['retry'] {
  if (retry === null) return null;
  checkObject(retry, what);
  return checkJson(retry, what) as unknown as NewTask['retry'];
}

function checkTimeout(timeout: unknown, what: string): number | null {
  return timeout === null ? null : checkNumber(timeout, what, 'null or a number of ms from above 0 to 2^31-1', (n) => n > 0 && n <= maxInt);
}

export function checkNewTask(task: NewTask): NewTask {
  const object = checkObject(task, 'new task') as unknown as NewTask;
  return {
    id: checkText(object.id, 'task id'),
    workId: checkText(object.workId, 'workId', Infinity),
    param: checkJson(object.param, 'param'),
    scheduledAt: checkTime(object.scheduledAt, 'scheduledAt', 'up'),
    priority: checkPriority(object.priority),
    meta: checkMeta(object.meta),
    createdAt: checkTime(object.createdAt, 'createdAt', 'down'),
    seriesId: object.seriesId === null ? null : checkText(object.seriesId, 'seriesId'),
    retry: checkRetry(object.retry, 'retry'),
    timeout: checkTimeout(object.timeout, 'timeout'),
    deadline: object.deadline === null ? null : checkTime(object.deadline, 'deadline', 'down'),
  };
}

export function checkPatch(patch: TaskPatch): TaskPatch {
  const object = checkObject(patch, 'update patch') as TaskPatch;
  return {
    ...(object.scheduledAt === undefined ? {} : { scheduledAt: checkTime(object.scheduledAt, 'scheduledAt', 'up') }),
    ...(object.param === undefined ? {} : { param: checkJson(object.param, 'param') }),
    ...(object.priority === undefined ? {} : { priority: checkPriority(object.priority) }),
    ...(object.meta === undefined ? {} : { meta: checkMeta(object.meta) }),
  };
}

export function checkSeries(series: Series): Series {
  const object = checkObject(series, 'series') as unknown as Series;
  const schedule = checkObject(object.schedule, 'series schedule');
  checkText(schedule['kind'], 'series schedule kind', Infinity);
  if (!Object.values(Misfire).includes(object.misfire)) throw new InvalidArgumentError('misfire', "'skip', 'once' or 'all'", object.misfire);
  if (typeof object.enabled !== 'boolean') throw new InvalidArgumentError('series enabled', 'a boolean', object.enabled);
  return {
    id: checkText(object.id, 'series id'),
    workId: checkText(object.workId, 'series workId', Infinity),
    param: checkJson(object.param, 'series param'),
    schedule: checkJson(schedule, 'series schedule') as unknown as Series['schedule'],
    misfire: object.misfire,
    grace: checkNumber(object.grace, 'grace', 'a finite number of ms >= 0', (n) => n >= 0),
    priority: checkPriority(object.priority, 'series priority'),
    meta: checkMeta(object.meta, 'series meta'),
    retry: checkRetry(object.retry, 'series retry'),
    timeout: checkTimeout(object.timeout, 'series timeout'),
    enabled: object.enabled,
    createdAt: checkTime(object.createdAt, 'series createdAt', 'down'),
  };
}

function checkError(error: unknown, what: string): TaskError {
  const { name, message } = checkObject(error, what);
  if (typeof name !== 'string' || typeof message !== 'string') throw new InvalidArgumentError(what, '{ name, message } strings', error);
  return Object.freeze({ name, message });
}

function checkAttemptError(error: unknown, what: string): AttemptError {
  const { name, message } = checkError(error, what);
  const { attempt, at } = error as AttemptError;
  return Object.freeze({
    name,
    message,
    attempt: checkNumber(attempt, `${what}.attempt`, 'an integer >= 0', (n) => Number.isSafeInteger(n) && n >= 0),
    at: checkNumber(at, `${what}.at`, `epoch ms within ±${maxTime}`, (n) => Math.abs(n) <= maxTime),
  });
}

/** The outcome with its errors reduced to the stored fields, so what `complete` returns equals what `get` reads. */
export function checkOutcome(outcome: TaskOutcome): TaskOutcome {
  const object = checkObject(outcome, 'outcome') as TaskOutcome;
  switch (object.state) {
    case TaskState.Done:
      return { state: TaskState.Done, result: checkJson(object.result, 'result') };
    case TaskState.Failed:
      return { state: TaskState.Failed, error: checkAttemptError(object.error, 'outcome error') };
    case TaskState.Expired:
      return { state: TaskState.Expired, error: checkError(object.error, 'outcome error') };
    case TaskState.Scheduled:
      return { state: TaskState.Scheduled, scheduledAt: checkTime(object.scheduledAt, 'retry scheduledAt', 'up'), error: checkAttemptError(object.error, 'outcome error') };
    default:
      throw new InvalidArgumentError('outcome state', "'done', 'failed', 'expired' or 'scheduled'", (object as { state?: unknown }).state);
  }
}

/**
 * A claim's per-work limits as a plan: works with no capacity left are left out, a capacity below
 * the claim's limit caps its work (fractions round up, as the heap counts them).
 */
export function checkWorkLimits(workLimits: ReadonlyMap<string, number> | undefined, limit: number): ClaimPlan {
  if (workLimits === undefined) return { skip: [], caps: [] };
  if (!(workLimits instanceof Map)) throw new InvalidArgumentError('claimDue workLimits', 'a Map of work id to capacity', workLimits);
  const skip: string[] = [];
  const caps: Array<[string, number]> = [];
  for (const [workId, room] of workLimits as ReadonlyMap<unknown, unknown>) {
    if (typeof room !== 'number' || Number.isNaN(room)) throw new InvalidArgumentError(`claimDue workLimits for ${String(workId)}`, 'a number', room);
    // A work id the databases cannot store names no stored task: nothing to limit.
    if (!isStorableText(workId, Infinity)) continue;
    if (room <= 0) skip.push(workId);
    else if (room < limit) caps.push([workId, Math.ceil(room)]);
  }
  return { skip, caps };
}
