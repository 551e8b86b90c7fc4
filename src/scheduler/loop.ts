import type { DispatchHandle } from '../dispatcher/dispatcher.js';
import { WorkTimeoutError } from '../errors.js';
import { Recovery } from '../hooks/loop-hooks.js';
import type { Task } from '../task/task.js';
import type { Core } from './core.js';
import type { Outcomes } from './outcomes.js';
import { countMissed, deadlineExpiry, isMisfire } from './plan.js';
import type { Expiry } from './plan.js';
import { Run } from './run.js';

/**
 * How long the loop may hand out due work without letting timers and I/O in. A backlog drains in
 * microtasks (claims, hand-offs, completions), which would otherwise starve the macrotask queue
 * until it is empty.
 */
const busyBudget = 8;

/**
 * The loop: wait for a free worker, claim the due tasks from the repository, hand them to the
 * dispatcher; sleep on the repository timer when nothing is due. Outcomes are recorded by
 * `Outcomes` as runs end. Runs until `signal` (the scheduler's stop) aborts.
 */
export class Loop {
  readonly #core: Core;
  readonly #outcomes: Outcomes;
  /** Consecutive failures of the dispatcher's ready(), for onDispatchError's attempt count. */
  #readyFailures = 0;

  constructor(core: Core, outcomes: Outcomes) {
    this.#core = core;
    this.#outcomes = outcomes;
  }

  async run(signal: AbortSignal): Promise<void> {
    const core = this.#core;
    let busySince = core.clock.monotonic();
    while (!signal.aborted) {
      let free = core.paused ? 0 : await this.#ready(signal);
      // pause() may have come while the loop waited for a worker.
      if (core.paused) free = 0;
      if (free > 0) {
        core.wake.clear();
        const tasks = await this.#claim(free, signal);
        if (tasks.length > 0) {
          core.handOff.begin();
          try {
            for (const task of tasks) await this.#take(task);
          } finally {
            core.handOff.end();
          }
          if (core.clock.monotonic() - busySince >= busyBudget) {
            await core.wake.yieldTurn();
            busySince = core.clock.monotonic();
          }
          continue;
        }
      } else if (core.paused) {
        // Due work is ignored until resume(), which wakes the loop itself.
        core.wake.clear();
      } else {
        continue;
      }
      core.loopWaiting = true;
      core.settleIdle();
      await core.wake.wait(signal);
      core.loopWaiting = false;
      busySince = core.clock.monotonic();
    }
  }

  /** Starts the bookkeeping of a task that leaves the store for a worker (or to end without one). */
  track(task: Task, parents?: readonly Task[]): Run {
    const run = new Run(task, parents);
    this.#core.running.set(task.id, run);
    return run;
  }

  /** How many workers are free; 0 after a stop or a failed wait (the loop then re-checks). */
  async #ready(signal: AbortSignal): Promise<number> {
    const core = this.#core;
    try {
      const free = await core.dispatcher.ready(signal);
      this.#readyFailures = 0;
      return free;
    } catch (error) {
      if (signal.aborted) return 0;
      core.report(error, 'dispatch');
      const decision = await core.hooks.recover('onDispatchError', { error, attempt: ++this.#readyFailures }, Recovery.retry(core.settings.retryDelay));
      if (decision.action === 'stop') core.halt(error);
      else await core.sleep(decision.action === 'retry' ? decision.delay : core.settings.retryDelay, signal);
      return 0;
    }
  }

  async #claim(limit: number, signal: AbortSignal): Promise<Task[]> {
    const core = this.#core;
    for (let attempt = 1; !signal.aborted; attempt++) {
      let tasks: Task[];
      try {
        const workLimits = core.dispatcher.capacities?.();
        core.skippedWorks = workLimits !== undefined;
        tasks = await core.repository.claimDue(core.clock.now(), limit, core.settings.owner, workLimits, core.dispatcher.claimableWorks?.());
      } catch (error) {
        core.report(error, 'claim');
        const decision = await core.hooks.recover('onGetNextError', { error, attempt }, Recovery.retry(core.settings.retryDelay));
        if (decision.action === 'stop') {
          core.halt(error);
          return [];
        }
        if (decision.action === 'retry') {
          await core.sleep(decision.delay, signal);
          continue;
        }
        // continue: wait for the next wake-up, but never longer than retryDelay, so no wake-up is lost.
        const timer = core.clock.after(core.settings.retryDelay, core.wake.notify);
        core.loopWaiting = true;
        await core.wake.wait(signal);
        core.loopWaiting = false;
        timer.cancel();
        core.wake.clear();
        continue;
      }
      if (core.hooks.has('onGetNext')) for (const task of tasks) await core.hooks.observe('onGetNext', { task });
      return tasks;
    }
    return [];
  }

  /**
   * A claimed task runs unless it must not: its deadline passed, or it is a misfired occurrence
   * of a series whose policy is `skip`. Those end `expired` without running.
   */
  #take(task: Task): Promise<void> {
    return task.deadline === null && task.seriesId === null && task.dependsOn === null ? this.#dispatch(task) : this.#takeChecked(task);
  }

  async #takeChecked(task: Task): Promise<void> {
    const core = this.#core;
    // Reads of the store follow: an add waiting for the hand-off may hold what they need.
    core.handOff.end();
    const now = core.clock.now();
    let expiry: Expiry | undefined = deadlineExpiry(task, now);
    if (expiry === undefined && task.seriesId !== null) {
      const found = await core.series.lookup(task.seriesId).catch((error: unknown) => void core.report(error, 'claim', task.id));
      if (found !== undefined && isMisfire(found.series, task, now)) {
        const missed = countMissed(found.schedule, task.scheduledAt, now);
        core.events.emit('series:misfired', { series: found.series, task, missed, policy: found.series.misfire });
        if (found.series.misfire === 'skip') {
          expiry = { error: { name: 'Misfire', message: `missed by ${now - task.scheduledAt} ms (${missed} occurrences); skipped by misfire policy` }, missed };
        }
      }
    }
    if (expiry === undefined) return this.#dispatch(task, task.dependsOn === null ? undefined : await this.#parents(task.dependsOn.parents, task.id));
    const run = this.track(task);
    run.finished = this.#outcomes.finish(run, { kind: 'expired', expiry });
  }

  /** A step's parents as stored now; one retention dropped is left out, a failed read reported. */
  async #parents(ids: readonly string[], taskId: string): Promise<Task[]> {
    const core = this.#core;
    const found = await Promise.all(ids.map((id) => core.repository.get(id).catch((error: unknown) => void core.report(error, 'claim', taskId))));
    return found.filter((task): task is Task => task !== undefined);
  }

  /**
   * Hands a claimed task to the dispatcher; a refused task is recorded failed, never dropped.
   */
  async #dispatch(task: Task, parents?: readonly Task[]): Promise<void> {
    const core = this.#core;
    const run = this.track(task, parents);
    if (core.forceSignal.aborted) {
      // Claimed in the batch a forced stop interrupted: record it aborted rather than start it.
      run.finished = this.#outcomes.finish(run, { kind: 'stopped', error: core.forceSignal.reason });
      return undefined;
    }
    let handle: DispatchHandle;
    try {
      const accepted = core.dispatcher.dispatch(task, run);
      // A dispatcher's promise is its own code's to settle: adds do not wait for it.
      if (isThenable(accepted)) core.handOff.end();
      handle = await accepted;
    } catch (error) {
      core.handOff.end();
      return this.#refused(run, error, 1);
    }
    const observing = this.#started(run, handle);
    if (observing !== undefined) await observing;
  }

  /** The dispatcher refused: ask onDispatchError; retry, or record the task failed with the error. */
  async #refused(run: Run, error: unknown, attempt: number): Promise<void> {
    const core = this.#core;
    const { task } = run;
    core.report(error, 'dispatch', task.id);
    const decision = await core.hooks.recover('onDispatchError', { error, task, attempt }, Recovery.continue);
    if (decision.action === 'retry' && !core.stopSignal.aborted) {
      await core.sleep(decision.delay, core.stopSignal);
      try {
        const handle = await core.dispatcher.dispatch(task, run);
        return await this.#started(run, handle);
      } catch (again) {
        return this.#refused(run, again, attempt + 1);
      }
    }
    run.finished = this.#outcomes.finish(run, { kind: 'settled', work: { ok: false, error } });
    if (decision.action === 'stop') core.halt(error);
  }

  /**
   * Follows the started work to its outcome. A promise only when an onDispatch hook observes the
   * start: most dispatches have none, and each async frame is an allocation the drain of a backlog
   * pays per task.
   */
  #started(run: Run, handle: DispatchHandle): Promise<void> | undefined {
    const core = this.#core;
    const { task } = run;
    run.finished = handle.done.then(
      (work) => this.#outcomes.finish(run, { kind: 'settled', work }),
      (error: unknown) => this.#outcomes.finish(run, { kind: 'settled', work: { ok: false, error } }),
    );
    if (task.timeout !== null) {
      const timeout = task.timeout;
      // A duration on monotonic time: a wall-clock change neither cuts it short nor stretches it.
      run.timer = core.clock.after(timeout, () => {
        if (run.ended) return;
        const reason = new WorkTimeoutError(timeout);
        run.abort(reason);
        run.finished = this.#outcomes.finish(run, { kind: 'settled', work: { ok: false, error: reason } });
      });
    }
    if (core.events.has('task:dispatched')) core.events.emit('task:dispatched', { task });
    if (!core.hooks.has('onDispatch')) return undefined;
    core.handOff.end();
    return core.hooks.observe('onDispatch', { task });
  }
}

/** A dispatcher may answer with any promise-like (another library's included), not only a native one. */
function isThenable(value: DispatchHandle | PromiseLike<DispatchHandle>): value is PromiseLike<DispatchHandle> {
  return typeof (value as Partial<PromiseLike<DispatchHandle>>).then === 'function';
}
