import { InvalidScheduleError } from '../errors.js';
import type { Schedule } from './schedule.js';

/** ECMAScript's Date range: ±8.64e15 ms around the epoch. */
const maxTime = 8.64e15;
const getTime = Date.prototype.getTime;

/**
 * `schedule.next(after)` as a checked time: epoch ms strictly later than `after` and within the
 * Date range, or null when the schedule has ended. Anything else — a NaN Date, a number, a Proxy,
 * a time that does not move forward — throws `InvalidScheduleError`: a series must never run at
 * an unusable time, nor spin on the same one.
 */
export function nextTime(schedule: Schedule, after: number, seriesId?: string): number | null {
  const next: unknown = schedule.next(new Date(after));
  if (next === null) return null;
  let at: number;
  try {
    // Date's own getTime throws on anything that is not a real Date (a Proxy, Object.create(Date.prototype)).
    at = getTime.call(next as Date);
  } catch {
    throw new InvalidScheduleError(`${describeValue(next)}, not a Date or null`, seriesId);
  }
  if (!Number.isFinite(at)) throw new InvalidScheduleError('an invalid Date', seriesId);
  if (at > maxTime) throw new InvalidScheduleError(`a time beyond ${maxTime} epoch ms`, seriesId);
  if (at <= after) throw new InvalidScheduleError(`${new Date(at).toISOString()}, not later than ${new Date(after).toISOString()}`, seriesId);
  return at;
}

function describeValue(value: unknown): string {
  return value === undefined ? 'undefined' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
