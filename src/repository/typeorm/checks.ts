import { InvalidArgumentError } from '../../errors.js';
import type { Series } from '../../schedule/series.js';
import { toJsonText } from '../../task/json.js';
import { defaultRetry, toRetryPolicy } from '../../task/retry.js';
import { KeyHeld, OnConflict, ReleaseWhen, TaskState } from '../../task/task.js';
import type { AddOptions } from '../task-repository.js';
import type { AttemptError, Dependency, JsonValue, NewTask, TaskError, TaskOutcome, TaskPatch } from '../../task/task.js';
import { checkEpochMs, checkGrace, checkKeys, checkMeta, checkMisfire, checkObject, checkPriority, checkText, checkTimeout, isStorableText, maxTime } from '../../validation/validate.js';
import type { ClaimPlan } from './task-store.js';

/**
 * The records a TypeORM repository stores, checked at its edge with the checks the Scheduler uses
 * (src/validation). The Scheduler's checks come first; these keep direct callers from reaching a
 * driver error, and say where SQL differs from memory: text without NUL or lone surrogates, whole
 * milliseconds.
 */

function checkJson(value: unknown, what: string): JsonValue {
  toJsonText(value, what);
  return value as JsonValue;
}

function checkRetry(retry: unknown, what: string): NewTask['retry'] {
  return retry === null ? null : toRetryPolicy(retry, defaultRetry, what);
}

function checkNullableTimeout(timeout: unknown, what: string): number | null {
  return timeout === null ? null : (checkTimeout(timeout, what) ?? null);
}

/** `add` and `addSeries` options, with their defaults. */
export function checkAddOptions(options: AddOptions): { onConflict: OnConflict; transaction: unknown } {
  const object = checkObject(options, 'add options');
  checkKeys(object, ['transaction', 'onConflict'], 'add options');
  const { onConflict = OnConflict.Reject, transaction } = options;
  if (!(Object.values(OnConflict) as unknown[]).includes(onConflict)) throw new InvalidArgumentError('onConflict', "'reject', 'keep' or 'replace'", onConflict);
  return { onConflict, transaction };
}

export function checkNewTask(task: NewTask): NewTask {
  const object = checkObject(task, 'new task') as unknown as NewTask;
  return {
    id: checkText(object.id, 'task id'),
    workId: checkText(object.workId, 'workId', Infinity),
    param: checkJson(object.param, 'param'),
    scheduledAt: checkEpochMs(object.scheduledAt, 'scheduledAt', 'up'),
    priority: checkPriority(object.priority),
    meta: checkMeta(object.meta),
    createdAt: checkEpochMs(object.createdAt, 'createdAt', 'down'),
    seriesId: object.seriesId === null ? null : checkText(object.seriesId, 'seriesId'),
    retry: checkRetry(object.retry, 'retry'),
    timeout: checkNullableTimeout(object.timeout, 'timeout'),
    deadline: object.deadline === null ? null : checkEpochMs(object.deadline, 'deadline', 'down'),
    flowId: object.flowId === undefined || object.flowId === null ? null : checkText(object.flowId, 'flowId'),
    dependsOn: object.dependsOn === undefined || object.dependsOn === null ? null : checkDependency(object.dependsOn),
    key: object.key === undefined || object.key === null ? null : checkText(object.key, 'key'),
    keyHeld: object.keyHeld === undefined || object.keyHeld === null ? null : checkKeyHeld(object.keyHeld),
  };
}

function checkKeyHeld(held: unknown): KeyHeld {
  if (!(Object.values(KeyHeld) as unknown[]).includes(held)) throw new InvalidArgumentError('keyHeld', "'scheduled' or 'ended'", held);
  return held as KeyHeld;
}

/** A flow step's dependency as stored: parent ids, a known condition, a delay in ms. */
function checkDependency(dependency: Dependency): Dependency {
  const object = checkObject(dependency, 'dependsOn') as unknown as Dependency;
  if (!Array.isArray(object.parents) || object.parents.length === 0) throw new InvalidArgumentError('dependsOn.parents', 'a non-empty array of task ids', object.parents);
  if (!(Object.values(ReleaseWhen) as unknown[]).includes(object.when)) throw new InvalidArgumentError('dependsOn.when', Object.values(ReleaseWhen).join(', '), object.when);
  if (typeof object.delay !== 'number' || !Number.isFinite(object.delay) || object.delay < 0) throw new InvalidArgumentError('dependsOn.delay', 'a finite number of ms >= 0', object.delay);
  return { parents: object.parents.map((id) => checkText(id, 'dependsOn parent')), when: object.when, delay: object.delay };
}

export function checkPatch(patch: TaskPatch): TaskPatch {
  const object = checkObject(patch, 'update patch') as TaskPatch;
  return {
    ...(object.scheduledAt === undefined ? {} : { scheduledAt: checkEpochMs(object.scheduledAt, 'scheduledAt', 'up') }),
    ...(object.param === undefined ? {} : { param: checkJson(object.param, 'param') }),
    ...(object.priority === undefined ? {} : { priority: checkPriority(object.priority) }),
    ...(object.meta === undefined ? {} : { meta: checkMeta(object.meta) }),
  };
}

export function checkSeries(series: Series): Series {
  const object = checkObject(series, 'series') as unknown as Series;
  const schedule = checkObject(object.schedule, 'series schedule');
  checkText(schedule['kind'], 'series schedule kind', Infinity);
  if (typeof object.enabled !== 'boolean') throw new InvalidArgumentError('series enabled', 'a boolean', object.enabled);
  return {
    id: checkText(object.id, 'series id'),
    workId: checkText(object.workId, 'series workId', Infinity),
    param: checkJson(object.param, 'series param'),
    schedule: checkJson(schedule, 'series schedule') as unknown as Series['schedule'],
    misfire: checkMisfire(object.misfire),
    grace: checkGrace(object.grace),
    priority: checkPriority(object.priority, 'series priority'),
    meta: checkMeta(object.meta, 'series meta'),
    retry: checkRetry(object.retry, 'series retry'),
    timeout: checkNullableTimeout(object.timeout, 'series timeout'),
    enabled: object.enabled,
    error: object.error === null || object.error === undefined ? null : checkError(object.error, 'series error'),
    createdAt: checkEpochMs(object.createdAt, 'series createdAt', 'down'),
  };
}

export function checkError(error: unknown, what: string): TaskError {
  const { name, message } = checkObject(error, what);
  if (typeof name !== 'string' || typeof message !== 'string') throw new InvalidArgumentError(what, '{ name, message } strings', error);
  return Object.freeze({ name, message });
}

function checkAttemptError(error: unknown, what: string): AttemptError {
  const { name, message } = checkError(error, what);
  const { attempt, at } = error as AttemptError;
  if (typeof attempt !== 'number' || !Number.isSafeInteger(attempt) || attempt < 0) throw new InvalidArgumentError(`${what}.attempt`, 'an integer >= 0', attempt);
  if (typeof at !== 'number' || !Number.isFinite(at) || Math.abs(at) > maxTime) throw new InvalidArgumentError(`${what}.at`, `epoch ms within ±${maxTime}`, at);
  return Object.freeze({ name, message, attempt, at });
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
      return { state: TaskState.Scheduled, scheduledAt: checkEpochMs(object.scheduledAt, 'retry scheduledAt', 'up'), error: checkAttemptError(object.error, 'outcome error') };
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

/** The works a claim is limited to: undefined (any), or a Set of work ids (those the databases cannot store name no stored task). */
export function checkWorks(works: ReadonlySet<string> | undefined): ReadonlySet<string> | undefined {
  if (works === undefined) return undefined;
  if (!(works instanceof Set)) throw new InvalidArgumentError('claimDue works', 'a Set of work ids', works);
  for (const workId of works as ReadonlySet<unknown>) if (typeof workId !== 'string') throw new InvalidArgumentError('claimDue works', 'a Set of work ids (strings)', workId);
  return new Set([...works].filter((workId) => isStorableText(workId, Infinity)));
}
