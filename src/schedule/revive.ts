import { InvalidArgumentError } from '../errors.js';
import { cron } from './cron.js';
import { every } from './every.js';
import type { Schedule, ScheduleReviver, ScheduleSpec } from './schedule.js';

const builtIn: Readonly<Record<string, ScheduleReviver>> = {
  cron: (spec) => cron(String(spec['expression']), { timezone: String(spec['timezone']) }),
  every: (spec) => every(Number(spec['ms']), { anchor: Number(spec['anchor']) }),
};

/** Rebuilds a stored schedule: the built-in kinds, or one of `custom`. */
export function reviveSchedule(spec: ScheduleSpec, custom: Readonly<Record<string, ScheduleReviver>> = {}): Schedule {
  const revive = Object.hasOwn(custom, spec.kind) ? custom[spec.kind] : Object.hasOwn(builtIn, spec.kind) ? builtIn[spec.kind] : undefined;
  if (revive === undefined) throw new InvalidArgumentError('schedule kind', `cron, every or one of SchedulerOptions.schedules (${Object.keys(custom).join(', ') || 'none'})`, spec.kind);
  return revive(spec);
}
