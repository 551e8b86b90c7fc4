import { AbortedError, NotRunningError } from '../errors.js';
import { isEnded } from '../task/task.js';
import { SchedulerState } from './core.js';
import type { Core } from './core.js';
import type { SchedulerLog } from './logger.js';
import type { Loop } from './loop.js';
import type { Outcomes } from './outcomes.js';
import { repairSeries } from './repair-series.js';

/**
 * How a scheduler starts and stops, behind the facade's `start()` and `stop()` (which check their
 * input first) and `Core.halt`.
 *
 * `start()`: `idle`/`stopped` → recovery and series repair → `running` (the repository watched,
 * `onStart` observed, the loop run). A start while a stop finishes waits for it first; two starts
 * share one promise. `stop()`: `running` → `stopping` (no new claims; with `force` the running
 * work is aborted and recorded failed) → every run and ending settled → `stopped`. A stop during
 * a start waits for the start, so the loop is never left running behind it.
 */
export class Lifecycle {
  readonly #core: Core;
  readonly #outcomes: Outcomes;
  readonly #loop: Loop;
  readonly #log: SchedulerLog;
  #looping: Promise<void> = Promise.resolve();
  #stopController = new AbortController();
  #forceController = new AbortController();
  #unwatch: (() => void) | undefined;
  #stopping: Promise<void> | undefined;
  #starting: Promise<void> | undefined;
  #stopError: unknown;

  constructor(core: Core, outcomes: Outcomes, loop: Loop, log: SchedulerLog) {
    this.#core = core;
    this.#outcomes = outcomes;
    this.#loop = loop;
    this.#log = log;
  }

  start(): Promise<void> {
    if (this.#core.state === SchedulerState.Running) return Promise.resolve();
    this.#starting ??= this.#start().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  stop(force: boolean): Promise<void> {
    // A start still recovering would otherwise finish after this stop and leave the loop running.
    if (this.#starting !== undefined) return this.#starting.then(() => this.stop(force));
    if (force) {
      this.#forceController.abort(new AbortedError('the scheduler was force-stopped'));
      this.#abortRunning();
    }
    if (this.#stopping !== undefined) return this.#stopping;
    if (this.#core.state !== SchedulerState.Running) return Promise.resolve();
    this.#core.state = SchedulerState.Stopping;
    this.#stopController.abort(new NotRunningError('the scheduler is stopping'));
    this.#unwatch?.();
    this.#unwatch = undefined;
    this.#stopping = this.#finishStop();
    return this.#stopping;
  }

  /** Stops from inside the loop (a recovery said `stop`) without awaiting itself. */
  halt(error: unknown): void {
    if (this.#core.state !== SchedulerState.Running) return;
    this.#stopError = error;
    void this.stop(false);
  }

  async #start(): Promise<void> {
    if (this.#stopping !== undefined) await this.#stopping;
    const core = this.#core;
    const recovered = await core.repository.recover(core.settings.owner, core.settings.recovery, core.clock.now());
    for (const task of recovered) {
      core.events.emit('task:recovered', { task });
      if (isEnded(task.state)) core.waiters.resolve(task.id, task);
      if (isEnded(task.state) && task.flowId !== null) await this.#outcomes.tellFlow(task);
    }
    await repairSeries(core, this.#outcomes);
    core.state = SchedulerState.Running;
    this.#stopError = undefined;
    this.#stopController = new AbortController();
    this.#forceController = new AbortController();
    core.stopSignal = this.#stopController.signal;
    core.forceSignal = this.#forceController.signal;
    this.#unwatch = core.repository.watch({
      clock: core.clock,
      keepAlive: core.settings.keepAlive,
      onDue: core.wake.notify,
      onLeaseLost: (taskId, error) => this.#outcomes.lost(taskId, error),
      onRecovered: (task) => core.events.emit('task:recovered', { task }),
    });
    this.#log.started(core.settings.owner);
    await core.hooks.observe('onStart', {});
    this.#looping = this.#loop.run(this.#stopController.signal);
  }

  #abortRunning(): void {
    const reason = new AbortedError('the scheduler was force-stopped');
    for (const run of this.#core.running.values()) {
      if (run.ended) continue;
      run.abort(reason);
      run.finished = this.#outcomes.finish(run, { kind: 'stopped', error: reason });
    }
  }

  async #finishStop(): Promise<void> {
    const core = this.#core;
    await this.#looping;
    while (core.running.size > 0 || core.ending.size > 0) await Promise.all([...core.running.values(), ...core.ending.list()].map((r) => r.finished));
    core.waiters.rejectAll(new NotRunningError('the scheduler stopped before the task ended'));
    core.state = SchedulerState.Stopped;
    this.#stopping = undefined;
    core.settleIdle();
    const error = this.#stopError;
    this.#log.stopped(core.settings.owner, error);
    await core.hooks.observe('onStop', error === undefined ? {} : { error });
    core.events.emit('loop:stopped', error === undefined ? {} : { error });
  }
}
