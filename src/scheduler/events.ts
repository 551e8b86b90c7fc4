import type { Misfire, Series } from '../schedule/series.js';
import type { Task } from '../task/task.js';

/** Where in the loop an error happened, for `loop:error`. */
export type LoopPhase = 'claim' | 'dispatch' | 'complete' | 'update' | 'hook' | 'listener';

/** The scheduler's events: one payload object per event. */
export interface SchedulerEvents {
  'task:scheduled': { readonly task: Task };
  'task:updated': { readonly task: Task };
  'task:cancelled': { readonly task: Task };
  'task:dispatched': { readonly task: Task };
  /** At start, crash recovery took over a task a previous run left dispatched (see `recovery`). */
  'task:recovered': { readonly task: Task };
  'task:done': { readonly task: Task };
  /** `error` is what the work threw (or the dispatch error), as thrown. */
  'task:failed': { readonly task: Task; readonly error: unknown };
  /** An attempt failed and the task is back to `scheduled` for another; `error` is what it threw. */
  'task:retrying': { readonly task: Task; readonly error: unknown };
  /** The task ended `expired` without running: its deadline passed, or it was a skipped misfire. */
  'task:expired': { readonly task: Task };
  'task:removed': { readonly taskId: string };
  /** `retry()` put a failed, expired or cancelled task back to `scheduled`. */
  'task:retried': { readonly task: Task };
  /** An occurrence was claimed later than its series' grace; `missed` counts occurrences up to now. */
  'series:misfired': { readonly series: Series; readonly task: Task; readonly missed: number; readonly policy: Misfire };
  'series:disabled': { readonly series: Series };
  'series:enabled': { readonly series: Series };
  'series:removed': { readonly seriesId: string };
  /**
   * The series' schedule produced an unusable time (`ERR_INVALID_SCHEDULE`): the series is now
   * disabled with that error as its reason. The occurrence that had ended kept its outcome.
   */
  'series:failed': { readonly series: Series; readonly error: unknown };
  /** Something went wrong and the loop carried on (or, for a recovery `stop`, stopped). */
  'loop:error': { readonly error: unknown; readonly phase: LoopPhase; readonly taskId?: string };
  /** The loop stopped; `error` is set when a failure or a hook stopped it. */
  'loop:stopped': { readonly error?: unknown };
}

export type SchedulerEventName = keyof SchedulerEvents;

/** Every event name, for checks at run time; `satisfies` keeps it equal to `SchedulerEvents`. */
const eventTable = {
  'task:scheduled': true,
  'task:updated': true,
  'task:cancelled': true,
  'task:dispatched': true,
  'task:recovered': true,
  'task:done': true,
  'task:failed': true,
  'task:retrying': true,
  'task:expired': true,
  'task:removed': true,
  'task:retried': true,
  'series:misfired': true,
  'series:disabled': true,
  'series:enabled': true,
  'series:removed': true,
  'series:failed': true,
  'loop:error': true,
  'loop:stopped': true,
} as const satisfies Record<SchedulerEventName, true>;

/** The names of `SchedulerEvents`, in its order. */
export const schedulerEventNames: readonly SchedulerEventName[] = Object.freeze(Object.keys(eventTable) as SchedulerEventName[]);
/**
 * A listener; what it returns is ignored, except that a rejected promise is reported as a
 * `loop:error` (phase `listener`) like a throw.
 */
export type SchedulerListener<E extends SchedulerEventName> = (payload: SchedulerEvents[E]) => unknown;

/**
 * node:events' `on()` and `once()` listen for `'error'` on any emitter they are given. The scheduler
 * never emits it (failures are `loop:error`), so such a listener is taken and never called, where
 * any other unknown name is refused as a likely typo.
 */
export function isErrorEvent(event: string): boolean {
  return event === 'error';
}
