import { InvalidArgumentError } from '../errors.js';
import type { Dispatcher } from '../dispatcher/dispatcher.js';
import type { RepositoryStats } from '../repository/task-repository.js';
import { TaskState } from '../task/task.js';
import type { Task } from '../task/task.js';
import { checkId, checkKeys, checkObject, checkTime } from '../validation/validate.js';
import { writeFor } from './caller-write.js';
import type { Core } from './core.js';

/**
 * The scheduler's operations surface — counts and manual control for the people and tools that
 * run it (CLI, dashboard, metrics) — kept out of the facade, which only forwards to these.
 */

/** `Scheduler.stats()`: the store's counts, plus what only this process knows. */
export interface SchedulerStats extends RepositoryStats {
  /** Tasks running in this process now. */
  readonly running: number;
  /** How late the most overdue scheduled task is (`at - oldestDueAt`, ms), or null when none is due. */
  readonly oldestDueLateness: number | null;
  /** When the stats were read (epoch ms, from the scheduler's clock). */
  readonly at: number;
}

/** When `retry()` schedules the task again: `at` or `delay`, not both. @default now */
export interface RetryTaskOptions {
  readonly at?: Date | number;
  readonly delay?: number;
}

const retryKeys = Object.keys({ at: 0, delay: 0 } satisfies Record<keyof RetryTaskOptions, 0>);

export async function readStats(core: Core): Promise<SchedulerStats> {
  const at = core.clock.now();
  const stats = await core.repository.stats(at);
  return Object.freeze({
    byState: stats.byState,
    byWork: stats.byWork,
    oldestDueAt: stats.oldestDueAt,
    running: core.running.size,
    oldestDueLateness: stats.oldestDueAt === null ? null : Math.max(0, at - stats.oldestDueAt),
    at,
  });
}

export async function retryTask(core: Core, id: string, options: RetryTaskOptions = {}): Promise<Task> {
  checkId(id);
  const object = checkObject(options, 'retry options');
  checkKeys(object, retryKeys, 'retry options');
  const now = core.clock.now();
  const scheduledAt = checkTime(object, now, false) ?? now;
  const task = await writeFor(core, 'retry', id, () => core.repository.retry(id, scheduledAt, now));
  core.callerMadeDue([task]);
  core.events.emit('task:retried', { task });
  if (core.hooks.has('onUpdate')) await core.hooks.observe('onUpdate', { task, kind: 'retry' });
  return task;
}

/**
 * A scheduled task made due now. One that is already due keeps its time (moving it to now would
 * put it behind tasks that became due after it). Refusals are update()'s.
 */
export async function runTaskNow(core: Core, id: string): Promise<Task> {
  checkId(id);
  const now = core.clock.now();
  const current = await core.repository.get(id);
  if (current !== undefined && current.state === TaskState.Scheduled && current.scheduledAt <= now) {
    core.callerMadeDue([current]);
    return current;
  }
  const task = await writeFor(core, 'update', id, () => core.repository.update(id, { scheduledAt: now }));
  core.callerMadeDue([task]);
  core.events.emit('task:updated', { task });
  if (core.hooks.has('onUpdate')) await core.hooks.observe('onUpdate', { task, kind: 'update' });
  return task;
}

/** What `start()` of a scheduler made without a dispatcher rejects with. */
export function noDispatcherError(): InvalidArgumentError {
  return new InvalidArgumentError('Scheduler dispatcher', 'a Dispatcher to start the loop (this scheduler was made without one: it can schedule and manage tasks, not run them)', undefined);
}

/**
 * The dispatcher of a producer-only scheduler (made without one): every work id is accepted, so
 * a CLI or a web process can schedule and manage tasks for works registered elsewhere. It never
 * runs anything: `start()` is refused before the loop could ask it.
 */
export const producerDispatcher: Dispatcher = Object.freeze({
  supports: () => true,
  ready: () => Promise.reject(noDispatcherError()),
  dispatch: () => {
    throw noDispatcherError();
  },
});
