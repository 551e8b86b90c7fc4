import { InvalidArgumentError } from '../errors.js';
import type { Schedule, ScheduleSpec } from './schedule.js';

export interface Interval {
  readonly days?: number;
  readonly hours?: number;
  readonly minutes?: number;
  readonly seconds?: number;
  readonly ms?: number;
}

export interface EveryOptions {
  /** Occurrences fall on `anchor + k × interval`, so they stay put across restarts. @default 0 (the epoch) */
  readonly anchor?: Date | number;
}

const unit = { days: 86_400_000, hours: 3_600_000, minutes: 60_000, seconds: 1_000, ms: 1 } as const;

/** A fixed interval, in ms or as `{ days, hours, minutes, seconds, ms }`, on a fixed grid. */
export function every(interval: number | Interval, options: EveryOptions = {}): Schedule {
  const ms = typeof interval === 'number' ? interval : toMs(interval);
  if (!Number.isSafeInteger(ms) || ms < 1) throw new InvalidArgumentError('every interval', 'a whole number of ms >= 1', interval);
  const anchor = options.anchor instanceof Date ? options.anchor.getTime() : (options.anchor ?? 0);
  if (!Number.isSafeInteger(anchor)) throw new InvalidArgumentError('every anchor', 'a Date or whole epoch ms', options.anchor);
  const spec: ScheduleSpec = Object.freeze({ kind: 'every', ms, anchor });
  return {
    next: (after) => {
      const steps = Math.floor((after.getTime() - anchor) / ms) + 1;
      return new Date(anchor + steps * ms);
    },
    toJSON: () => spec,
  };
}

function toMs(interval: Interval): number {
  if (typeof interval !== 'object' || interval === null) return Number.NaN;
  let total = 0;
  for (const [key, value] of Object.entries(interval)) {
    const factor = unit[key as keyof typeof unit];
    if (factor === undefined || typeof value !== 'number' || !Number.isFinite(value) || value < 0) return Number.NaN;
    total += value * factor;
  }
  return total;
}
