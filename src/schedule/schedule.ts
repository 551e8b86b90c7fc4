import type { JsonValue } from '../task/task.js';

/**
 * A recurrence as a value: pure date maths, no timers, testable on its own. `next(after)` is the
 * first occurrence strictly after `after`, or null when the recurrence has ended.
 * `toJSON()` describes it so a persistent repository can store the series and a restarted
 * scheduler can rebuild it (built-in kinds: `cron`, `every`; others via `SchedulerOptions.schedules`).
 */
export interface Schedule {
  next(after: Date): Date | null;
  toJSON(): ScheduleSpec;
}

/** The stored form of a Schedule: its kind plus the kind's own JSON fields. */
export interface ScheduleSpec {
  readonly kind: string;
  readonly [field: string]: JsonValue;
}

/** Rebuilds a Schedule of one kind from its spec; throws on a spec it cannot read. */
export type ScheduleReviver = (spec: ScheduleSpec) => Schedule;
