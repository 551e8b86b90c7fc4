import { Cron } from 'croner';
import { InvalidArgumentError } from '../errors.js';
import type { Schedule, ScheduleSpec } from './schedule.js';

export interface CronOptions {
  /** An IANA time zone such as 'Europe/Berlin'. @default 'UTC' */
  readonly timezone?: string;
}

/**
 * A cron schedule (six fields with seconds, or the classic five) in a time zone, with croner's date
 * maths. Daylight saving: a local time that does not exist (the spring-forward gap) runs once, at
 * the first instant after the gap; a local time that happens twice (fall back) runs once, at its
 * first instant. Jobs that repeat within the hour (every 30 minutes, say) run at every real
 * instant that matches, so a repeated hour gets its real number of runs.
 */
export function cron(expression: string, options: CronOptions = {}): Schedule {
  const timezone = options.timezone ?? 'UTC';
  if (typeof expression !== 'string') throw new InvalidArgumentError('cron expression', 'a string', expression);
  let pattern: Cron;
  try {
    // croner checks the zone only when it computes a date; check it here so bad input fails at once.
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    pattern = new Cron(expression, { timezone, paused: true });
  } catch (error) {
    throw new InvalidArgumentError('cron expression', 'a valid cron pattern and IANA time zone', `${JSON.stringify(expression)} in ${JSON.stringify(timezone)} (${(error as Error).message})`, { cause: error, described: true });
  }
  const spec: ScheduleSpec = Object.freeze({ kind: 'cron', expression, timezone });
  return {
    next: (after) => pattern.nextRun(after),
    toJSON: () => spec,
  };
}
