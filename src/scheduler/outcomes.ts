import type { WorkOutcome } from '../dispatcher/dispatcher.js';
import { InvalidArgumentError, InvalidScheduleError, LeaseLostError, StateConflictError, TaskNotFoundError } from '../errors.js';
import { Recovery } from '../hooks/loop-hooks.js';
import type { Completion } from '../repository/task-repository.js';
import { TaskState } from '../task/task.js';
import type { NewTask, Task, TaskOutcome } from '../task/task.js';
import type { Core } from './core.js';
import { nextOccurrenceAt, planOutcome } from './plan.js';
import type { Expiry, PlannedOutcome } from './plan.js';
import type { Run } from './run.js';
import { occurrence } from './task-input.js';

/** How a run came to an end, which decides what is stored. */
export type Ending =
  /** The work settled (or the dispatcher refused it for good): the retry policy applies. */
  | { readonly kind: 'settled'; readonly work: WorkOutcome }
  /** abort() or a forced stop: a final failure, never retried. */
  | { readonly kind: 'stopped'; readonly error: unknown }
  /** Never ran: its deadline passed, or it is a misfired occurrence to skip. */
  | { readonly kind: 'expired'; readonly expiry: Expiry };

/** The successor of a series occurrence, or why the series must end. */
interface Successor {
  readonly next?: NewTask;
  readonly failure?: InvalidScheduleError;
}

/**
 * Records how runs ended: stores the outcome (first one wins) — done, failed, a retry, or
 * expired, and for a series occurrence that ends its successor in the same write — then tells
 * listeners, hooks and waiters, in that order. A graceful stop waits for all of it.
 */
export class Outcomes {
  readonly #core: Core;

  constructor(core: Core) {
    this.#core = core;
  }

  async finish(run: Run, ending: Ending): Promise<void> {
    if (run.ended) return;
    run.ended = true;
    run.timer?.cancel();
    const core = this.#core;
    const { task } = run;
    core.ending.add(run);
    try {
      const now = core.clock.now();
      const planned: PlannedOutcome =
        ending.kind === 'expired'
          ? { outcome: { state: TaskState.Expired, error: ending.expiry.error } }
          : planOutcome(task, ending.kind === 'settled' ? ending.work : { ok: false, error: ending.error }, { now, maxResultBytes: core.settings.maxParamBytes, random: core.settings.random, final: ending.kind === 'stopped' });
      const successor = task.seriesId === null || planned.outcome.state === TaskState.Scheduled ? undefined : await this.#successor(task.seriesId, task, now);
      // The first write is made here rather than in #store: one async frame less per task, which
      // the drain of a backlog pays for every task (measured in allocations per task).
      let stored: Completion | undefined;
      try {
        stored = await core.repository.complete(task.id, planned.outcome, core.clock.now(), successor?.next);
      } catch (error) {
        stored = await this.#store(task, planned.outcome, successor?.next, error);
      }
      // Not a run of the same task this process claimed again after losing this one's lease.
      if (core.running.get(task.id) === run) core.running.delete(task.id);
      if (core.skippedWorks) core.wake.notify();
      if (stored !== undefined) {
        const observing = this.#tell(stored, planned.thrown);
        if (observing !== undefined) await observing;
      }
      if (successor?.failure !== undefined && task.seriesId !== null) await this.endSeries(task.seriesId, successor.failure);
      if (stored !== undefined && stored.task.state !== TaskState.Scheduled) core.waiters.resolve(task.id, stored.task);
    } finally {
      core.ending.delete(run);
      core.settleIdle();
    }
  }

  /**
   * The store took `taskId`'s lease away: it expired and a claim took the task over, another
   * process's or, after a stall past the lease, this one's. The run is told through its signal and
   * ends here, reported once; its outcome is never written. It would be refused, and where this
   * process took the task over itself the write would carry the new attempt's token and land as
   * that attempt's outcome. A run whose outcome is being written already is left to that write.
   */
  lost(taskId: string, error: Error): void {
    const core = this.#core;
    const run = core.running.get(taskId);
    if (run === undefined || run.ended) return;
    run.ended = true;
    run.timer?.cancel();
    run.abort(error);
    core.running.delete(taskId);
    core.report(error, 'complete', taskId);
    core.settleIdle();
  }

  /** Disables a series whose schedule produced an unusable time, and says so with `series:failed`. */
  async endSeries(seriesId: string, error: InvalidScheduleError): Promise<void> {
    const core = this.#core;
    try {
      const reason = { name: error.name, message: error.message };
      const { series, task } = await core.repository.setSeriesEnabled(seriesId, false, core.clock.now(), undefined, reason);
      if (task !== undefined) core.waiters.resolve(task.id, task);
      core.events.emit('series:failed', { series, error });
    } catch (failure) {
      core.report(failure, 'complete');
    }
  }

  /**
   * After the outcome's first write failed with `firstError`: the write retried as the recovery hook
   * decides; undefined when it could not be stored.
   */
  async #store(task: Task, outcome: TaskOutcome, next: NewTask | undefined, firstError: unknown): Promise<Completion | undefined> {
    const core = this.#core;
    let error = firstError;
    for (let attempt = 1; ; attempt++) {
      core.report(error, 'complete', task.id);
      if (isDefinitive(error)) {
        await this.#settleConflict(task.id);
        return undefined;
      }
      const decision = await core.hooks.recover('onTaskEndedError', { error, task, outcome, attempt }, Recovery.retry(core.settings.retryDelay));
      if (decision.action === 'retry' && !core.forceSignal.aborted) {
        await core.sleep(decision.delay, core.forceSignal);
        if (!core.forceSignal.aborted) {
          try {
            return await core.repository.complete(task.id, outcome, core.clock.now(), next);
          } catch (again) {
            error = again;
            continue;
          }
        }
      }
      if (decision.action === 'stop') core.halt(error);
      core.waiters.reject(task.id, error);
      return undefined;
    }
  }

  /** Another write ended the task first: its stored outcome is the one its waiters get. */
  async #settleConflict(taskId: string): Promise<void> {
    const core = this.#core;
    const current = await core.repository.get(taskId).catch(() => undefined);
    if (current === undefined) core.waiters.reject(taskId, new TaskNotFoundError(taskId));
    else if (current.state !== TaskState.Scheduled && current.state !== TaskState.Dispatched) core.waiters.resolve(taskId, current);
  }

  /** Events for a stored outcome; a promise only when an onTaskEnded hook observes it (most runs have none). */
  #tell({ task: stored, next: added, dependents }: Completion, thrown: unknown): Promise<void> | undefined {
    const core = this.#core;
    if (stored.state === TaskState.Scheduled) {
      core.wakeIfDue([stored]);
      core.events.emit('task:retrying', { task: stored, error: thrown });
      return undefined;
    }
    if (stored.state === TaskState.Done) {
      if (core.events.has('task:done')) core.events.emit('task:done', { task: stored });
    } else if (stored.state === TaskState.Expired) core.events.emit('task:expired', { task: stored });
    else core.events.emit('task:failed', { task: stored, error: thrown });
    if (added !== undefined) {
      core.wakeIfDue([added]);
      core.events.emit('task:scheduled', { task: added });
    }
    if (dependents !== undefined) this.tellDependents(dependents);
    return core.hooks.has('onTaskEnded') ? core.hooks.observe('onTaskEnded', { task: stored }) : undefined;
  }

  /** Says what a write did to a flow's waiting steps: released ones are scheduled, others cancelled. */
  tellDependents(dependents: readonly Task[]): void {
    const core = this.#core;
    core.wakeIfDue(dependents);
    for (const task of dependents) {
      if (task.state === TaskState.Scheduled) {
        core.events.emit('task:scheduled', { task });
      } else {
        core.events.emit('task:cancelled', { task });
        core.waiters.resolve(task.id, task);
      }
    }
  }

  /**
   * After a write that ended `task` without returning what it did to its flow (cancel, crash
   * recovery): the steps that write settled, read back for events and waiters only — the write
   * itself settled them atomically.
   */
  async tellFlow(task: Task): Promise<void> {
    const core = this.#core;
    if (task.flowId === null || task.endedAt === null) return;
    try {
      const steps = await core.repository.find({ flowId: task.flowId, limit: Number.MAX_SAFE_INTEGER });
      // A step depending on `task` could be released only now, as `task` only now ended; a step
      // cancelled in turn (a chain's later ones) shares the reason's kind and the time.
      this.tellDependents(
        steps.filter(
          (step) =>
            step.id !== task.id &&
            (step.state === TaskState.Scheduled
              ? step.dependsOn?.parents.includes(task.id) === true
              : step.state === TaskState.Cancelled && step.endedAt === task.endedAt && step.error?.name === 'FlowCancelled'),
        ),
      );
    } catch (error) {
      core.report(error, 'complete', task.id);
    }
  }

  /** The next occurrence of the task's series, if it has one (a failed lookup is reported, not fatal). */
  async #successor(seriesId: string, task: Task, now: number): Promise<Successor | undefined> {
    const core = this.#core;
    try {
      const found = await core.series.lookup(seriesId);
      if (found === undefined || !found.series.enabled) return undefined;
      const at = nextOccurrenceAt(found.series, found.schedule, task, now);
      return at === undefined ? undefined : { next: occurrence(found.series, at, now) };
    } catch (error) {
      if (error instanceof InvalidScheduleError) return { failure: error };
      core.report(error, 'complete', task.id);
      return undefined;
    }
  }
}

/** A store's refusal that retrying cannot change: the write no longer applies (another attempt holds the task, or ended it), or never could. */
function isDefinitive(error: unknown): boolean {
  return error instanceof StateConflictError || error instanceof LeaseLostError || error instanceof InvalidArgumentError || error instanceof TaskNotFoundError;
}
