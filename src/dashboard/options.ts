import type { Clock } from '../clock/clock.js';
import { SystemClock } from '../clock/system-clock.js';
import { InvalidArgumentError } from '../errors.js';
import type { TaskRepository } from '../repository/task-repository.js';
import type { ScheduleReviver } from '../schedule/schedule.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { checkKeys, checkObject } from '../validation/validate.js';

export interface DashboardOptions {
  /** Where the pages read tasks, series and counts. */
  readonly repository: TaskRepository;
  /**
   * The application's scheduler over the same repository, to run the actions through: its events,
   * hooks and loop then see them at once. @default a producer-only Scheduler over `repository`
   */
  readonly scheduler?: Scheduler;
  /**
   * The secret that allows actions (cancel, retry, run now, enable/disable), 16 characters or
   * more. @default none: the dashboard is read-only
   */
  readonly token?: string;
  /**
   * The path the dashboard is mounted under, e.g. '/admin/kokugen': links and forms start with it,
   * and requests are answered with or without it (frameworks that strip the mount path). @default ''
   */
  readonly basePath?: string;
  /** @default new SystemClock() */
  readonly clock?: Clock;
  /** Rebuilders of custom schedule kinds, to show a series' next times (as `SchedulerOptions.schedules`). @default {} */
  readonly schedules?: Readonly<Record<string, ScheduleReviver>>;
  /**
   * Called with any error that is not the request's fault (a store that fails): the request gets a
   * 500 page either way. @default console.error
   */
  readonly onError?: (error: unknown) => void;
}

export interface CheckedDashboardOptions {
  readonly repository: TaskRepository;
  readonly scheduler: Scheduler;
  readonly token: string | undefined;
  readonly basePath: string;
  readonly clock: Clock;
  readonly schedules: Readonly<Record<string, ScheduleReviver>>;
  readonly onError: (error: unknown) => void;
}

const optionKeys = ['repository', 'scheduler', 'token', 'basePath', 'clock', 'schedules', 'onError'] as const satisfies ReadonlyArray<keyof DashboardOptions>;

/** Every option checked, defaults applied; throws `ERR_INVALID_ARGUMENT` naming the first bad key. */
export function checkDashboardOptions(options: DashboardOptions): CheckedDashboardOptions {
  checkKeys(checkObject(options, 'dashboard options'), optionKeys, 'dashboard options');
  const { repository, scheduler, token, basePath = '', clock = new SystemClock(), schedules = {}, onError = (error: unknown) => console.error(error) } = options;
  if (typeof repository?.find !== 'function' || typeof repository.listSeries !== 'function') throw new InvalidArgumentError('dashboard repository', 'a TaskRepository', repository);
  if (scheduler !== undefined && !(scheduler instanceof Scheduler)) throw new InvalidArgumentError('dashboard scheduler', 'a Scheduler', scheduler);
  if (token !== undefined && (typeof token !== 'string' || token.length < 16 || token.length > 1024)) throw new InvalidArgumentError('dashboard token', 'a string of 16 to 1024 characters', typeof token === 'string' ? `a string of length ${token.length}` : token, { described: typeof token === 'string' });
  if (typeof basePath !== 'string' || !/^(\/[\w.~-]+)*$/.test(basePath)) throw new InvalidArgumentError('dashboard basePath', "'' or a path like '/admin/tasks' (no trailing slash)", basePath);
  if (typeof clock?.now !== 'function') throw new InvalidArgumentError('dashboard clock', 'a Clock', clock);
  checkObject(schedules, 'dashboard schedules');
  if (typeof onError !== 'function') throw new InvalidArgumentError('dashboard onError', 'a function', onError);
  return { repository, scheduler: scheduler ?? new Scheduler({ repository, clock, schedules }), token, basePath, clock, schedules, onError };
}
