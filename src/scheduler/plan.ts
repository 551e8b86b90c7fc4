import type { WorkOutcome } from '../dispatcher/dispatcher.js';
import { InvalidResultError, RetryLaterError, toError } from '../errors.js';
import { nextTime } from '../schedule/next-time.js';
import type { Schedule } from '../schedule/schedule.js';
import { Misfire } from '../schedule/series.js';
import type { Series } from '../schedule/series.js';
import { toFrozenJson } from '../task/json.js';
import { backoffDelay } from '../task/retry.js';
import { TaskState } from '../task/task.js';
import type { AttemptError, Task, TaskOutcome } from '../task/task.js';

/**
 * The scheduler's decisions as pure functions of (task, what happened, now): whether a failed
 * attempt is retried and when, and when a series runs next. No I/O, no timers: tested directly.
 */

export interface PlannedOutcome {
  readonly outcome: TaskOutcome;
  /** What the work threw (or the result error), for `task:failed` / `task:retrying`. */
  readonly thrown?: unknown;
}

export interface PlanOptions {
  readonly now: number;
  readonly maxResultBytes: number;
  readonly random: () => number;
  /** A failure that must not be retried (abort(), force stop). */
  readonly final?: boolean;
}

export function planOutcome(task: Task, work: WorkOutcome, options: PlanOptions): PlannedOutcome {
  let thrown: unknown;
  if (work.ok) {
    try {
      const result = work.result === undefined ? null : toFrozenJson(work.result, options.maxResultBytes, 'result');
      return { outcome: { state: TaskState.Done, result } };
    } catch (error) {
      thrown = new InvalidResultError(error instanceof Error ? error.message : String(error));
    }
  } else {
    thrown = work.error;
  }
  const asError = toError(thrown);
  const error: AttemptError = { name: asError.name, message: asError.message.slice(0, 10_000), attempt: task.attempt, at: options.now };
  const retryAt = options.final === true ? undefined : retryTime(task, thrown, options);
  return retryAt === undefined
    ? { outcome: { state: TaskState.Failed, error }, thrown }
    : { outcome: { state: TaskState.Scheduled, scheduledAt: retryAt, error }, thrown };
}

/** When the next attempt runs, or undefined when this failure is final. */
function retryTime(task: Task, thrown: unknown, options: PlanOptions): number | undefined {
  const policy = task.retry;
  if (policy !== null && task.attempt >= policy.attempts) return undefined;
  let delay: number;
  if (thrown instanceof RetryLaterError) delay = thrown.delay;
  else if (policy === null) return undefined;
  else delay = backoffDelay(policy, task.attempt, options.random);
  const at = options.now + delay;
  return task.deadline !== null && at > task.deadline ? undefined : at;
}

/** Why a claimed task must not run: its deadline passed, or it is a misfired occurrence to skip. */
export interface Expiry {
  readonly error: { readonly name: string; readonly message: string };
  /** For a skipped occurrence: how many occurrences were missed. */
  readonly missed?: number;
}

export function deadlineExpiry(task: Task, now: number): Expiry | undefined {
  if (task.deadline === null || now <= task.deadline) return undefined;
  return { error: { name: 'DeadlineExceeded', message: `not started by its deadline (${new Date(task.deadline).toISOString()}); late by ${now - task.deadline} ms` } };
}

/** How many occurrences of `schedule` fell in [from, now] (bounded, for reporting; an unusable time ends the count). */
export function countMissed(schedule: Schedule, from: number, now: number): number {
  let count = 1;
  try {
    for (let at = nextTime(schedule, from); count < 100_000 && at !== null && at <= now; at = nextTime(schedule, at)) count++;
  } catch {
    // The occurrence's successor reports the unusable time; a count is only for the event.
  }
  return count;
}

/** Whether an occurrence claimed at `now` is late beyond its series' grace. */
export function isMisfire(series: Series, task: Task, now: number): boolean {
  return now - task.scheduledAt > series.grace;
}

/**
 * The time of the occurrence after `task`, or undefined when the schedule has ended. Normally the
 * schedule's next time after this occurrence's; when that is already late beyond the grace (the
 * occurrence ran long, or was itself a late catch-up), `all` keeps it — every missed run happens —
 * while `once` and `skip` jump to the first time after `now`. Throws `InvalidScheduleError` when
 * the schedule produces an unusable time.
 */
export function nextOccurrenceAt(series: Series, schedule: Schedule, task: Task, now: number): number | undefined {
  const next = nextTime(schedule, task.scheduledAt, series.id);
  if (next === null) return undefined;
  if (series.misfire === Misfire.All || now - next <= series.grace) return next;
  return nextTime(schedule, now, series.id) ?? undefined;
}
