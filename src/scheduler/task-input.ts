import type { Dispatcher } from '../dispatcher/dispatcher.js';
import { InvalidArgumentError, InvalidScheduleError, UnknownWorkError } from '../errors.js';
import { nextTime } from '../schedule/next-time.js';
import type { Schedule } from '../schedule/schedule.js';
import type { Series } from '../schedule/series.js';
import { toFrozenJson } from '../task/json.js';
import { newId } from '../task/id.js';
import { toRetryPolicy } from '../task/retry.js';
import { TaskState } from '../task/task.js';
import type { NewTask, OnConflict, TaskPatch, TaskQuery } from '../task/task.js';
import { checkCount, checkDeadline, checkGrace, checkId, checkKeys, checkKeyHeld, checkMeta, checkMisfire, checkObject, checkOnConflict, checkParam, checkPriority, checkSchedule, checkTime, checkTimeout } from '../validation/validate.js';
import type { ScheduleInput, UpdateInput } from '../validation/validate.js';

/**
 * The scheduler's inputs turned into what repositories store, as pure functions of (input, now,
 * what the dispatcher runs): every check happens here, before anything is written.
 */

export interface InputContext {
  readonly now: number;
  readonly maxParamBytes: number;
  readonly dispatcher: Pick<Dispatcher, 'supports' | 'workDefaults'>;
}

export const oneOffKeys = ['id', 'workId', 'param', 'at', 'delay', 'priority', 'meta', 'retry', 'timeout', 'deadline'] as const;
const seriesKeys = [...oneOffKeys, 'schedule', 'misfire', 'grace', 'onConflict'] as const;
const updateKeys = ['at', 'delay', 'param', 'priority', 'meta'] as const;
const queryKeys = ['state', 'workId', 'seriesId', 'flowId', 'limit', 'offset'] as const;

/** A one-off task; `what` names the call in errors. */
export function toNewTask(input: ScheduleInput, context: InputContext, what = 'schedule'): NewTask {
  const object = checkObject(input, what);
  if (object['schedule'] !== undefined && what !== 'schedule') throw new InvalidArgumentError(what, 'one-off tasks (schedule a series with schedule())', input);
  checkKeys(object, what === 'schedule' ? scheduleKeys : manyKeys, what);
  const scheduledAt = checkTime(object, context.now, true) as number;
  const fields = taskFields(object, context);
  const key = object['key'] === undefined ? null : checkId(object['key'], 'key');
  if (key === null && (object['keyHeld'] !== undefined || object['onConflict'] !== undefined)) throw new InvalidArgumentError(what, 'keyHeld and onConflict only with a key (or, onConflict, a schedule)', input);
  if (key !== null && (object['onSuccess'] !== undefined || object['onFailure'] !== undefined)) throw new InvalidArgumentError(what, 'a key or callbacks, not both', input);
  checkOnConflict(object['onConflict']);
  // One literal in one field order: a spread here gave every new task a shape of its own, and the
  // repository's reads of them went megamorphic (scheduleMany ran 2.5x slower).
  return {
    id: fields.id,
    workId: fields.workId,
    param: fields.param,
    scheduledAt,
    priority: fields.priority,
    meta: fields.meta,
    createdAt: fields.createdAt,
    seriesId: null,
    retry: fields.retry,
    timeout: fields.timeout,
    deadline: checkDeadline(object['deadline'], scheduledAt),
    key,
    keyHeld: key === null ? null : checkKeyHeld(object['keyHeld']),
  };
}

/** The one `onConflict` of a batch's keyed tasks (the repository takes one per write). @default 'reject' */
export function batchOnConflict(inputs: readonly ScheduleInput[], what: string): OnConflict {
  // A loop, not a Set of the values: schedule() asks this for its one input on every call.
  let value: OnConflict | undefined;
  for (const input of inputs) {
    const own = typeof input === 'object' && input !== null ? (input.onConflict ?? 'reject') : 'reject';
    if (value === undefined) value = own;
    else if (own !== value) throw new InvalidArgumentError(`${what} onConflict`, 'one value for every input of the batch', `${value}, ${own}`);
  }
  return value ?? 'reject';
}

const scheduleKeys: readonly string[] = [...oneOffKeys, 'schedule', 'onSuccess', 'onFailure', 'key', 'keyHeld', 'onConflict'];
const manyKeys: readonly string[] = [...oneOffKeys, 'schedule', 'key', 'keyHeld', 'onConflict'];

export interface NewSeries {
  readonly series: Series;
  readonly onConflict: OnConflict;
  readonly schedule: Schedule;
  /** The first occurrence. */
  readonly first: NewTask;
}

/** A recurring series and its first occurrence: at `at`/`delay` if given, else the schedule's first time after now. */
export function toNewSeries(input: ScheduleInput, context: InputContext): NewSeries {
  const object = checkObject(input, 'schedule');
  checkKeys(object, seriesKeys, 'schedule');
  if (object['deadline'] !== undefined) throw new InvalidArgumentError('deadline', 'no deadline on a series (use timeout or misfire)', object['deadline']);
  const fields = taskFields(object, context);
  const schedule = checkSchedule(object['schedule']);
  const series: Series = {
    id: fields.id,
    workId: fields.workId,
    param: fields.param,
    schedule: checkSpec(schedule),
    misfire: checkMisfire(object['misfire']),
    grace: checkGrace(object['grace']),
    priority: fields.priority,
    meta: fields.meta,
    retry: fields.retry,
    timeout: fields.timeout,
    enabled: true,
    error: null,
    createdAt: context.now,
  };
  const at = checkTime(object, context.now, false) ?? firstTime(schedule, context.now);
  return { series, onConflict: checkOnConflict(object['onConflict']), schedule, first: occurrence(series, at, context.now) };
}

/** The changes of `update()`: at least one field. */
export function toPatch(input: UpdateInput, context: Pick<InputContext, 'now' | 'maxParamBytes'>): TaskPatch {
  const object = checkObject(input, 'update');
  checkKeys(object, updateKeys, 'update');
  const scheduledAt = checkTime(object, context.now, false);
  const patch: { -readonly [K in keyof TaskPatch]: TaskPatch[K] } = {};
  if (scheduledAt !== undefined) patch.scheduledAt = scheduledAt;
  if ('param' in object) patch.param = checkParam(object['param'], context.maxParamBytes);
  if (object['priority'] !== undefined) patch.priority = checkPriority(object['priority']);
  if (object['meta'] !== undefined) patch.meta = checkMeta(object['meta']);
  if (Object.keys(patch).length === 0) throw new InvalidArgumentError('update', 'at least one of at, delay, param, priority, meta', input);
  return patch;
}

/** A `find()` query with its defaults. @default limit 100, offset 0 */
export function toQuery(query: TaskQuery): TaskQuery & { readonly limit: number; readonly offset: number } {
  const object = checkObject(query, 'find');
  checkKeys(object, queryKeys, 'find');
  const { state, workId, seriesId, flowId, limit = 100, offset = 0 } = query;
  if (state !== undefined && !Object.values(TaskState).includes(state)) throw new InvalidArgumentError('find state', Object.values(TaskState).join(', '), state);
  if (workId !== undefined) checkId(workId, 'find workId');
  if (seriesId !== undefined) checkId(seriesId, 'find seriesId');
  if (flowId !== undefined) checkId(flowId, 'find flowId');
  return { ...query, limit: checkCount(limit, 'find limit', 1), offset: checkCount(offset, 'find offset', 0) };
}

/** A new occurrence of `series` at `at`. */
export function occurrence(series: Series, at: number, now: number): NewTask {
  return {
    id: newId(),
    workId: series.workId,
    param: series.param,
    scheduledAt: at,
    priority: series.priority,
    meta: series.meta,
    createdAt: now,
    seriesId: series.id,
    retry: series.retry,
    timeout: series.timeout,
    deadline: null,
  };
}

/** The fields one-off tasks and series share, checked. */
export function taskFields(object: Record<string, unknown>, context: InputContext): Omit<NewTask, 'scheduledAt' | 'seriesId' | 'deadline'> {
  const workId = checkId(object['workId'], 'workId');
  if (!context.dispatcher.supports(workId)) throw new UnknownWorkError(workId);
  const defaults = context.dispatcher.workDefaults?.(workId);
  return {
    id: object['id'] === undefined ? newId() : checkId(object['id']),
    workId,
    param: checkParam(object['param'], context.maxParamBytes),
    priority: checkPriority(object['priority']),
    meta: checkMeta(object['meta']),
    createdAt: context.now,
    retry: object['retry'] === undefined ? (defaults?.retry ?? null) : toRetryPolicy(object['retry'], defaults?.retry ?? undefined),
    timeout: checkTimeout(object['timeout']) ?? defaults?.timeout ?? null,
  };
}

/** The schedule's first time after now; an ended or unusable schedule is bad input here. */
function firstTime(schedule: Schedule, now: number): number {
  let at: number | null;
  try {
    at = nextTime(schedule, now);
  } catch (error) {
    if (!(error instanceof InvalidScheduleError)) throw error;
    throw new InvalidArgumentError('schedule', 'a schedule whose next(now) is a valid Date after now', error.message, { cause: error, described: true });
  }
  if (at === null) throw new InvalidArgumentError('schedule', 'a schedule with a time after now', 'one that has ended', { described: true });
  return at;
}

/** The stored form of a schedule: JSON with a string kind, or the schedule cannot outlive this process. */
function checkSpec(schedule: Schedule): Series['schedule'] {
  const spec = schedule.toJSON() as Series['schedule'];
  if (typeof spec !== 'object' || spec === null || typeof spec.kind !== 'string') throw new InvalidArgumentError('schedule.toJSON()', 'an object with a string kind', spec);
  return toFrozenJson(spec, 65_536, 'schedule.toJSON()') as Series['schedule'];
}
