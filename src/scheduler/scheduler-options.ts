import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../clock/clock.js';
import { SystemClock } from '../clock/system-clock.js';
import type { Dispatcher } from '../dispatcher/dispatcher.js';
import { InvalidArgumentError } from '../errors.js';
import type { LoopHooks } from '../hooks/loop-hooks.js';
import type { TaskRepository } from '../repository/task-repository.js';
import type { ScheduleReviver } from '../schedule/schedule.js';
import { RecoveryPolicy } from '../task/task.js';
import { checkId, checkInteger, checkKeys, checkObject } from '../validation/validate.js';
import type { Settings } from './core.js';
import { checkLogger, stderrLogger } from './logger.js';
import type { Logger } from './logger.js';
import { producerDispatcher } from './operations.js';

export interface SchedulerOptions {
  readonly repository: TaskRepository;
  /**
   * What runs the tasks. Without one the scheduler is producer-only: it schedules and manages
   * tasks (any work id) in the repository for other processes to run, and `start()` is refused.
   */
  readonly dispatcher?: Dispatcher;
  /** One hook set, or several run in order, each isolated (as `composeHooks` would combine them). */
  readonly hooks?: LoopHooks | readonly LoopHooks[];
  /** @default new SystemClock() */
  readonly clock?: Clock;
  /** Largest accepted param, in bytes of JSON; also bounds stored results. @default 1_048_576 */
  readonly maxParamBytes?: number;
  /** How long the loop waits for a hook before it reports `ERR_HOOK_TIMEOUT` and goes on. @default 10_000 */
  readonly hookTimeout?: number;
  /** The delay of the default `retry` decisions. @default 1_000 */
  readonly retryDelay?: number;
  /** Whether a running scheduler keeps the process alive while tasks are pending. @default true */
  readonly keepAlive?: boolean;
  /**
   * This scheduler's name in the store, for diagnostics: tasks it claims carry it. At start it
   * recovers at once the tasks a previous run under the same name left dispatched (the fast path);
   * without a stable name, a shared store's leases hand them to another claim once they expire.
   * @default `${hostname}:${pid}:${random}`, unique per process
   */
  readonly owner?: string;
  /** What start-up does with tasks a previous run left dispatched. @default 'rerun' */
  readonly recovery?: RecoveryPolicy;
  /** Rebuilders of custom Schedule kinds by `toJSON().kind`, for series stored by an earlier run. */
  readonly schedules?: Readonly<Record<string, ScheduleReviver>>;
  /** The source of retry jitter, in [0, 1). @default Math.random */
  readonly random?: () => number;
  /**
   * Where loop errors (warn, rate-limited) and start/stop (info) are logged: a pino-compatible
   * logger, or `false` for none. @default one line per entry on stderr
   */
  readonly logger?: Logger | false;
}

export interface StopOptions {
  /** Abort running work through its AbortSignal and record it failed (`ERR_ABORTED`) at once. @default false */
  readonly force?: boolean;
}

/** Whether `stop(options)` forces; throws `ERR_INVALID_ARGUMENT` for anything but `{ force?: boolean }`. */
export function checkStopOptions(options: StopOptions): boolean {
  const object = checkObject(options, 'stop options');
  checkKeys(object, ['force'], 'stop options');
  const force = object['force'];
  if (force !== undefined && typeof force !== 'boolean') throw new InvalidArgumentError('stop force', 'a boolean', force);
  return force === true;
}

const optionKeys = ['repository', 'dispatcher', 'hooks', 'clock', 'maxParamBytes', 'hookTimeout', 'retryDelay', 'keepAlive', 'owner', 'recovery', 'schedules', 'random', 'logger'] as const satisfies ReadonlyArray<keyof SchedulerOptions>;

export interface CheckedOptions {
  readonly repository: TaskRepository;
  readonly dispatcher: Dispatcher;
  /** No dispatcher was given: `start()` is refused. */
  readonly producerOnly: boolean;
  readonly clock: Clock;
  readonly hookSets: readonly LoopHooks[];
  readonly hookTimeout: number;
  readonly schedules: Readonly<Record<string, ScheduleReviver>>;
  readonly settings: Settings;
  readonly logger: Logger | false;
}

/** Every option checked, defaults applied; throws `ERR_INVALID_ARGUMENT` naming the first bad key. */
export function checkSchedulerOptions(options: SchedulerOptions): CheckedOptions {
  checkKeys(checkObject(options, 'Scheduler options'), optionKeys, 'Scheduler options');
  const { repository, dispatcher = producerDispatcher, hooks = {}, clock = new SystemClock() } = options;
  const { maxParamBytes = 1_048_576, hookTimeout = 10_000, retryDelay = 1_000, keepAlive = true, owner = defaultOwner(), recovery = RecoveryPolicy.Rerun, schedules = {}, random = Math.random } = options;
  if (typeof repository?.claimDue !== 'function') throw new InvalidArgumentError('Scheduler repository', 'a TaskRepository', repository);
  if (typeof dispatcher?.dispatch !== 'function') throw new InvalidArgumentError('Scheduler dispatcher', 'a Dispatcher', dispatcher);
  if (typeof clock?.setTimer !== 'function' || typeof clock.after !== 'function' || typeof clock.monotonic !== 'function') throw new InvalidArgumentError('Scheduler clock', 'a Clock', clock);
  checkInteger(maxParamBytes, 'maxParamBytes', 1);
  checkInteger(hookTimeout, 'hookTimeout', 1);
  checkInteger(retryDelay, 'retryDelay', 0);
  if (typeof keepAlive !== 'boolean') throw new InvalidArgumentError('keepAlive', 'a boolean', keepAlive);
  checkId(owner, 'owner');
  if (recovery !== RecoveryPolicy.Rerun && recovery !== RecoveryPolicy.Fail) throw new InvalidArgumentError('recovery', "'rerun' or 'fail'", recovery);
  if (typeof random !== 'function') throw new InvalidArgumentError('random', 'a function returning [0, 1)', random);
  checkObject(schedules, 'schedules');
  const hookSets = Array.isArray(hooks) ? (hooks as readonly LoopHooks[]) : [hooks as LoopHooks];
  const logger = options.logger === undefined ? stderrLogger(clock) : checkLogger(options.logger);
  return { repository, dispatcher, producerOnly: dispatcher === producerDispatcher, clock, hookSets, hookTimeout, schedules, logger, settings: { maxParamBytes, retryDelay, keepAlive, owner, recovery, random } };
}

/** A name no other process has: several replicas (random pod names included) never share one. */
function defaultOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`.slice(0, 200);
}
