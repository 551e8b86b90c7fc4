import type { JsonValue, RetryPolicy, TaskError } from '../task/task.js';
import type { ScheduleSpec } from './schedule.js';

/**
 * What happens to occurrences found late — after downtime, a long stall, or because the previous
 * occurrence was still running when the next fell due. "Late" means more than `grace` ms past.
 */
export const Misfire = {
  /** Run none of the missed occurrences; continue at the first future time. */
  Skip: 'skip',
  /** Run one catch-up now, then continue at the first future time. */
  Once: 'once',
  /** Run every missed occurrence, one after the other, then continue. */
  All: 'all',
} as const;
export type Misfire = (typeof Misfire)[keyof typeof Misfire];

/**
 * A recurring series. Each occurrence is an ordinary task (with `seriesId`); the next one is
 * created when the previous ends, in the same repository write, so at most one occurrence of a
 * series runs at a time and a crash never loses or doubles a series.
 */
export interface Series {
  readonly id: string;
  readonly workId: string;
  readonly param: JsonValue;
  readonly schedule: ScheduleSpec;
  readonly misfire: Misfire;
  /** Ms an occurrence may be late and still run as on time. */
  readonly grace: number;
  readonly priority: number;
  readonly meta: Readonly<Record<string, string>>;
  readonly retry: RetryPolicy | null;
  readonly timeout: number | null;
  readonly enabled: boolean;
  /** Why the series was disabled by kokugen (an unusable time from its schedule); null otherwise. */
  readonly error: TaskError | null;
  readonly createdAt: number;
}
