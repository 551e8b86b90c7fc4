import { InvalidArgumentError } from '../errors.js';
import type { Schedule } from '../schedule/schedule.js';
import { Misfire } from '../schedule/series.js';
import { toFrozenJson } from '../task/json.js';
import type { RetryInput } from '../task/retry.js';
import { KeyHeld, OnConflict } from '../task/task.js';
import type { JsonValue } from '../task/task.js';

/**
 * What `schedule()` takes. A one-off task needs exactly one of `at` and `delay`. With `schedule`
 * it is a recurring series: `id` names the series, `at`/`delay` (optional) set the first occurrence
 * instead of the schedule's first time after now.
 */
export interface ScheduleInput {
  /** A caller-chosen id (1-200 characters) of the task, or of the series; a random UUID when absent. */
  readonly id?: string;
  readonly workId: string;
  /** JSON data for the work function. @default null */
  readonly param?: unknown;
  /** When to run: a Date or epoch ms. */
  readonly at?: Date | number;
  /** When to run, as ms from now. */
  readonly delay?: number;
  /** Higher runs first among tasks due at the same time; an integer. @default 0 */
  readonly priority?: number;
  /** String labels kept with the task. @default {} */
  readonly meta?: Readonly<Record<string, string>>;
  /** Retry failed attempts; fields merge over the work's `retry` defaults. @default no retry */
  readonly retry?: RetryInput;
  /** Abort an attempt running longer than this many ms (it fails, and may be retried). @default the work's, or none */
  readonly timeout?: number;
  /** A one-off task not started by this time ends `expired` without running. */
  readonly deadline?: Date | number;
  /** Makes this a recurring series: `cron(...)`, `every(...)` or your own Schedule. */
  readonly schedule?: Schedule;
  /** Series only: what to do with occurrences found late. @default 'once' */
  readonly misfire?: Misfire;
  /** Series only: how late (ms) an occurrence may be and still count as on time. @default 1_000 */
  readonly grace?: number;
  /**
   * What scheduling a series `id` that exists, or a `key` that a task holds, does. For a series: 'reject' fails with
   * `ERR_DUPLICATE_ID`; 'keep' leaves the stored series and resolves with its current occurrence;
   * 'replace' applies this schedule, param and options to it in one write, keeping its history
   * (its pending occurrence moves to the new first time; none runs twice). Made for declaring
   * series at every boot. For a key, see `key`.
   * @default 'reject'
   */
  readonly onConflict?: OnConflict;
  /**
   * One-off only: a dedup key (1-200 characters). While a task holds it, no other is scheduled with
   * it: scheduling another does what `onConflict` says ('reject': `ERR_DUPLICATE_KEY`; 'keep':
   * resolves with the holder; 'replace': the holder takes this time, param and options). Enforced
   * by the store, across processes. See `keyHeld`.
   */
  readonly key?: string;
  /**
   * How long the task holds its key: while `scheduled` (a schedule with the key while it runs adds
   * a new task, which takes the key over) or until it `ended` (none is added while it runs).
   * @default 'scheduled'
   */
  readonly keyHeld?: KeyHeld;
  /** One-off only: a task made due when this one ends `done`, by the write that records it. */
  readonly onSuccess?: StepInput;
  /** One-off only: a task made due when this one ends `failed` or `expired` for good. */
  readonly onFailure?: StepInput;
}

/**
 * A flow step (chain step, group member, callback): a one-off task whose `at`/`delay` are optional
 * (@default delay 0); a step that waits for others counts its `delay` from its release.
 */
export type StepInput = Omit<ScheduleInput, 'schedule' | 'misfire' | 'grace' | 'onSuccess' | 'onFailure' | 'onConflict' | 'key' | 'keyHeld'>;

/**
 * How `schedule()` and `scheduleMany()` write. With `manager`, the EntityManager of your open
 * TypeORM transaction (`dataSource.transaction(async (manager) => ...)`), the tasks are written in
 * that transaction: they commit with your rows, or vanish with them on a rollback.
 */
export interface WriteOptions {
  /** The EntityManager of an open TypeORM transaction on kokugen's database (see docs/typeorm-app.md). */
  readonly manager?: unknown;
}

/** What `update()` takes: any of these, at least one; `at` and `delay` not both. */
export interface UpdateInput {
  readonly at?: Date | number;
  readonly delay?: number;
  readonly param?: unknown;
  readonly priority?: number;
  readonly meta?: Readonly<Record<string, string>>;
}

/** ECMAScript's Date range: ±8.64e15 ms around the epoch. */
export const maxTime = 8.64e15;
/** The largest 32-bit signed integer: the range of an INTEGER column, and of a Node timer's delay. */
export const maxInt32 = 2 ** 31 - 1;
/** The longest id kokugen stores (tasks, series, owners). */
export const maxIdLength = 200;
const emptyMeta: Readonly<Record<string, string>> = Object.freeze({});

/*
 * One copy of each check, for the Scheduler's public edge and the repositories' alike. Where an
 * absent value has a default (priority 0, empty meta, misfire 'once', grace 1 s) the check gives
 * it; `null` is never taken for absent. Numbers come out with -0 as 0 (`n + 0`): SQL stores give
 * -0 back as 0, so a store that kept it would answer differently from the others.
 */

/** NUL (PostgreSQL text cannot hold it) or a lone surrogate (UTF-8 cannot encode it): no repository accepts them in ids. */
const unstorable = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether `value` is text every repository stores and gives back unchanged: non-empty, at most `maxLength` long. */
export function isStorableText(value: unknown, maxLength = maxIdLength): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= maxLength && !unstorable.test(value);
}

export function checkText(value: unknown, what: string, maxLength = maxIdLength): string {
  if (!isStorableText(value, maxLength)) {
    const length = maxLength === Infinity ? 'a non-empty string' : `a string of 1-${maxLength} characters`;
    throw new InvalidArgumentError(what, `${length} without NUL or lone surrogates`, value);
  }
  return value;
}

export function checkId(id: unknown, what = 'task id'): string {
  return checkText(id, what);
}

export function checkObject(input: unknown, what: string): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new InvalidArgumentError(what, 'an object', input);
  return input as Record<string, unknown>;
}

/** Rejects keys the caller may have misspelt, so a typo never silently schedules the wrong thing. */
export function checkKeys(input: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(input)) {
    if (!allowed.includes(key)) throw new InvalidArgumentError(`${what} key ${JSON.stringify(key)}`, `one of ${allowed.join(', ')}`, key);
  }
}

function isTime(ms: unknown): ms is number {
  return typeof ms === 'number' && Number.isFinite(ms) && Math.abs(ms) <= maxTime;
}

/**
 * The time of a Date, read with Date's own method: an object that only looks like a Date (a Proxy
 * of one, `Object.create(Date.prototype)`) has none and gives undefined, where calling its methods
 * would throw a TypeError; a Date whose `getTime` was replaced still gives its real time.
 */
function timeOfDate(value: object): number | undefined {
  try {
    return Date.prototype.getTime.call(value);
  } catch {
    return undefined;
  }
}

/**
 * A time as a repository stores it: epoch ms, whole. A fractional one is rounded the safe way: a
 * due time up (a task never runs early), a deadline or a clock reading down.
 */
export function checkEpochMs(value: unknown, what: string, round: 'up' | 'down'): number {
  if (!isTime(value)) throw new InvalidArgumentError(what, `epoch ms within ±${maxTime}`, value);
  return (round === 'up' ? Math.ceil(value) : Math.floor(value)) + 0;
}

/** The due time from `at` or `delay`; `required` says whether one of them must be present. */
export function checkTime(input: { at?: unknown; delay?: unknown }, now: number, required: boolean): number | undefined {
  const { at, delay } = input;
  if (at !== undefined && delay !== undefined) throw new InvalidArgumentError('schedule time', 'either at or delay, not both', input);
  if (at !== undefined) {
    const ms = typeof at === 'object' && at !== null ? timeOfDate(at) : at;
    if (!isTime(ms)) throw new InvalidArgumentError('at', `a valid Date or epoch ms within ±${maxTime}`, at);
    return ms + 0;
  }
  if (delay !== undefined) {
    if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) throw new InvalidArgumentError('delay', 'a finite number of ms >= 0', delay);
    const ms = now + delay;
    if (ms > maxTime) throw new InvalidArgumentError('delay', `a delay ending before ${maxTime} epoch ms`, delay);
    return ms;
  }
  if (required) throw new InvalidArgumentError('schedule time', 'one of at or delay', undefined);
  return undefined;
}

export function checkDeadline(deadline: unknown, scheduledAt: number): number | null {
  if (deadline === undefined) return null;
  const ms = checkTime({ at: deadline }, 0, true) as number;
  if (ms < scheduledAt) throw new InvalidArgumentError('deadline', `a time at or after the task's time (${new Date(scheduledAt).toISOString()})`, deadline);
  return ms;
}

/** @default 0 */
export function checkPriority(priority: unknown, what = 'priority'): number {
  if (priority === undefined) return 0;
  if (typeof priority !== 'number' || !Number.isInteger(priority) || Math.abs(priority) > maxInt32) {
    throw new InvalidArgumentError(what, 'an integer within ±(2^31-1)', priority);
  }
  return priority + 0;
}

/** An attempt's time limit in ms; undefined when absent (the caller decides what stands in). */
export function checkTimeout(timeout: unknown, what = 'timeout'): number | undefined {
  if (timeout === undefined) return undefined;
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0 || timeout > maxInt32) throw new InvalidArgumentError(what, 'a number of ms from 1 to 2^31-1', timeout);
  return timeout;
}

/** A frozen copy of a plain object of strings. @default {} */
export function checkMeta(meta: unknown, what = 'meta'): Readonly<Record<string, string>> {
  if (meta === undefined) return emptyMeta;
  const object = checkObject(meta, what);
  if (Object.getPrototypeOf(object) !== Object.prototype && Object.getPrototypeOf(object) !== null) {
    throw new InvalidArgumentError(what, 'a plain object of strings', meta);
  }
  const keys = Object.keys(object);
  if (keys.length === 0) return emptyMeta;
  const copy: Record<string, string> = {};
  for (const key of keys) {
    const value = object[key];
    if (key === '__proto__' || typeof value !== 'string') throw new InvalidArgumentError(`${what}.${key}`, 'a string under a key other than __proto__', value);
    copy[key] = value;
  }
  return Object.freeze(copy);
}

export function checkParam(param: unknown, maxBytes: number): JsonValue {
  return param === undefined ? null : toFrozenJson(param, maxBytes, 'param');
}

export function checkSchedule(schedule: unknown): Schedule {
  if (typeof schedule !== 'object' || schedule === null || typeof (schedule as Schedule).next !== 'function' || typeof (schedule as Schedule).toJSON !== 'function') {
    throw new InvalidArgumentError('schedule', 'a Schedule (cron(...), every(...), or { next(after), toJSON() })', schedule);
  }
  return schedule as Schedule;
}

/** @default 'reject' */
export function checkOnConflict(onConflict: unknown): OnConflict {
  if (onConflict === undefined) return OnConflict.Reject;
  if (!(Object.values(OnConflict) as unknown[]).includes(onConflict)) throw new InvalidArgumentError('onConflict', "'reject', 'keep' or 'replace'", onConflict);
  return onConflict as OnConflict;
}

/** @default 'scheduled' */
export function checkKeyHeld(held: unknown): KeyHeld {
  if (held === undefined) return KeyHeld.WhileScheduled;
  if (!(Object.values(KeyHeld) as unknown[]).includes(held)) throw new InvalidArgumentError('keyHeld', "'scheduled' or 'ended'", held);
  return held as KeyHeld;
}

/** `schedule()`'s second argument: the transaction to write in, if any. */
export function checkWriteOptions(options: unknown): { transaction?: unknown } {
  if (options === undefined) return {};
  const object = checkObject(options, 'schedule options');
  checkKeys(object, ['manager'], 'schedule options');
  const { manager } = object;
  if (manager === undefined) return {};
  if (typeof manager !== 'object' || manager === null) throw new InvalidArgumentError('manager', "the EntityManager of an open TypeORM transaction", manager);
  return { transaction: manager };
}

/** @default 'once' */
export function checkMisfire(misfire: unknown): Misfire {
  if (misfire === undefined) return Misfire.Once;
  if (!Object.values(Misfire).includes(misfire as Misfire)) throw new InvalidArgumentError('misfire', "'skip', 'once' or 'all'", misfire);
  return misfire as Misfire;
}

/** @default 1_000 */
export function checkGrace(grace: unknown): number {
  if (grace === undefined) return 1_000;
  if (typeof grace !== 'number' || !Number.isFinite(grace) || grace < 0) throw new InvalidArgumentError('grace', 'a finite number of ms >= 0', grace);
  return grace + 0;
}

/** An integer setting from `min` to 2^31-1 (pool sizes, intervals, timeouts of a store). */
export function checkInteger(value: unknown, what: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > maxInt32) {
    throw new InvalidArgumentError(what, `an integer from ${min} to 2^31-1`, value);
  }
  return value;
}

/** A row count for a limit or an offset: an integer >= `min`, or (for a limit) Infinity; capped at the largest safe integer. */
export function checkCount(value: unknown, what: string, min: number): number {
  if (typeof value !== 'number' || !(Number.isSafeInteger(value) || value === Infinity) || value < min) {
    throw new InvalidArgumentError(what, `an integer >= ${min}`, value);
  }
  return Math.min(value, Number.MAX_SAFE_INTEGER);
}
