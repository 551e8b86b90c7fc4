import { InvalidArgumentError, StateConflictError } from '../errors.js';
import { TaskState } from '../task/task.js';
import type { EndedState, Task, TaskChange } from '../task/task.js';
import { checkKeys, checkObject } from '../validation/validate.js';
import type { PurgeFilter, RepositoryStats } from './task-repository.js';

/**
 * What the repositories share for the operations part of the contract (`stats`, `retry`,
 * `purge`), so that the heap and the SQL stores count, refuse and check alike.
 */

const endedStates: readonly EndedState[] = [TaskState.Done, TaskState.Failed, TaskState.Cancelled, TaskState.Expired];
const purgeKeys = Object.keys({ state: 0, endedBefore: 0, limit: 0 } satisfies Record<keyof PurgeFilter, 0>);

/** The states `retry` takes a task from: it ended without succeeding. */
export function isRetryable(state: TaskState): boolean {
  return state === TaskState.Failed || state === TaskState.Expired || state === TaskState.Cancelled;
}

/** Refuses a retry of a task that is not retryable: the message names the state it is in. */
export function refuseRetry(task: Task): StateConflictError {
  return new StateConflictError(task.id, 'failed, expired or cancelled', task.state);
}

/** What a retry changes: scheduled again at `scheduledAt`, the ending cleared; attempt and errors stay. */
export function retriedChange(scheduledAt: number): TaskChange {
  // Without its dedup key: a newer task may hold it by now, and a retry is one task run again, not a new one to dedupe.
  return { state: TaskState.Scheduled, scheduledAt, endedAt: null, result: null, error: null, key: null };
}

/** Checks a retry's times at the repository edge. */
export function checkRetryTimes(scheduledAt: unknown, now: unknown): void {
  checkFinite(scheduledAt, 'retry scheduledAt');
  checkFinite(now, 'retry now');
}

/** Checks `purge`'s filter at the repository edge; returns it. */
export function checkPurgeFilter(filter: PurgeFilter): PurgeFilter {
  const object = checkObject(filter, 'purge filter');
  checkKeys(object, purgeKeys, 'purge filter');
  if (!endedStates.includes(object['state'] as EndedState)) throw new InvalidArgumentError('purge state', endedStates.join(', '), object['state']);
  checkFinite(object['endedBefore'], 'purge endedBefore');
  const { limit } = object;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 0) throw new InvalidArgumentError('purge limit', 'an integer >= 0', limit);
  return filter;
}

export function checkFinite(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidArgumentError(what, 'a finite number of epoch ms', value);
  return value;
}

/** Counts tasks by state and by work, then hands out the frozen `RepositoryStats`. */
export class StatsTally {
  readonly #byState: Record<TaskState, number> = { waiting: 0, scheduled: 0, dispatched: 0, done: 0, failed: 0, cancelled: 0, expired: 0 };
  readonly #byWork = new Map<string, Partial<Record<TaskState, number>>>();

  add(state: TaskState, workId: string, count = 1): void {
    if (!(state in this.#byState) || count <= 0) return;
    this.#byState[state] += count;
    let work = this.#byWork.get(workId);
    if (work === undefined) this.#byWork.set(workId, (work = {}));
    work[state] = (work[state] ?? 0) + count;
  }

  result(oldestDueAt: number | null): RepositoryStats {
    const byWork: Record<string, Readonly<Partial<Record<TaskState, number>>>> = Object.create(null) as Record<string, Partial<Record<TaskState, number>>>;
    for (const [workId, counts] of this.#byWork) byWork[workId] = Object.freeze(counts);
    return Object.freeze({ byState: Object.freeze({ ...this.#byState }), byWork: Object.freeze(byWork), oldestDueAt });
  }
}
