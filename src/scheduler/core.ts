import type { Clock } from '../clock/clock.js';
import type { Dispatcher } from '../dispatcher/dispatcher.js';
import type { HookRunner } from '../hooks/hook-runner.js';
import type { TaskRepository } from '../repository/task-repository.js';
import type { RecoveryPolicy, Task } from '../task/task.js';
import type { LoopPhase, SchedulerEvents } from './events.js';
import { EndingRuns } from './ending-runs.js';
import { HandOff } from './hand-off.js';
import type { Run } from './run.js';
import type { SafeEmitter } from './safe-emitter.js';
import type { SeriesBook } from './series-book.js';
import { Waiters } from './waiters.js';
import { Wake } from './wake.js';

export const SchedulerState = {
  Idle: 'idle',
  Running: 'running',
  Stopping: 'stopping',
  Stopped: 'stopped',
} as const;
export type SchedulerState = (typeof SchedulerState)[keyof typeof SchedulerState];

/** The checked options the parts of a scheduler read. */
export interface Settings {
  readonly maxParamBytes: number;
  readonly retryDelay: number;
  readonly keepAlive: boolean;
  readonly owner: string;
  readonly recovery: RecoveryPolicy;
  readonly random: () => number;
}

export interface Services {
  readonly repository: TaskRepository;
  readonly dispatcher: Dispatcher;
  readonly clock: Clock;
  readonly hooks: HookRunner;
  readonly events: SafeEmitter<SchedulerEvents>;
  readonly series: SeriesBook;
  readonly settings: Settings;
}

/**
 * What the parts of one scheduler share — the facade, the loop and the outcome recorder: its
 * services, its lifecycle state, the tasks running now, and the latches that connect them.
 */
export class Core implements Services {
  readonly repository: TaskRepository;
  readonly dispatcher: Dispatcher;
  readonly clock: Clock;
  readonly hooks: HookRunner;
  readonly events: SafeEmitter<SchedulerEvents>;
  readonly series: SeriesBook;
  readonly settings: Settings;
  readonly wake = new Wake();
  /** The loop handing a batch over: callers' adds resolve after it (see HandOff). */
  readonly handOff = new HandOff();
  readonly waiters = new Waiters();
  /** Runs from dispatch until their outcome is stored. */
  readonly running = new Map<string, Run>();
  /** Runs whose outcome is being stored and observed (hooks included): a graceful stop waits for them. */
  readonly ending = new EndingRuns();
  /** Set when a claim skipped works at their concurrency limit: a finishing task must wake the loop. */
  skippedWorks = false;
  state: SchedulerState = SchedulerState.Idle;
  paused = false;
  /** The loop sleeps on `wake`: with nothing running either, the scheduler is idle. */
  loopWaiting = false;
  /** Aborted by stop(): no new claims or dispatches. */
  stopSignal: AbortSignal = AbortSignal.abort();
  /** Aborted by a forced stop: cuts off outcome-write retries and starts of tasks claimed meanwhile. */
  forceSignal: AbortSignal = AbortSignal.abort();
  /** Stops from inside (a recovery said `stop`); set by the facade. */
  halt: (error: unknown) => void = () => undefined;
  #idleWaiters: Array<() => void> = [];

  constructor(services: Services) {
    ({ repository: this.repository, dispatcher: this.dispatcher, clock: this.clock, hooks: this.hooks, events: this.events, series: this.series, settings: this.settings } = services);
  }

  report(error: unknown, phase: LoopPhase, taskId?: string): void {
    this.events.emit('loop:error', taskId === undefined ? { error, phase } : { error, phase, taskId });
  }

  /** Waits `ms` of monotonic time; returns early when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted === true) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        timer.cancel();
        signal?.removeEventListener('abort', done);
        resolve();
      };
      // Kept alive as the repository timer is: a write waiting for its retry is work in progress.
      const timer = this.clock.after(ms, done, this.settings.keepAlive);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * The repository timer would wake the loop for due tasks too, but a turn later; waking it now
   * keeps `idle()` from resolving in between.
   */
  wakeIfDue(tasks: readonly Task[]): boolean {
    const now = this.clock.now();
    for (const task of tasks) {
      if (task.scheduledAt <= now) {
        this.wake.notify();
        return true;
      }
    }
    return false;
  }

  /** `wakeIfDue` for tasks a caller wrote (not the loop's own outcomes): a due one also ends the loop's yield. */
  callerMadeDue(tasks: readonly Task[]): void {
    if (this.wakeIfDue(tasks)) this.wake.callerAdded();
  }

  /**
   * `wait()`'s watch of an ending written elsewhere (another process on a shared store), through the
   * repository's optional `watchEndings`. A task this scheduler runs is settled by its own outcome,
   * after listeners and hooks, never by the watch.
   */
  readonly watchEnding = (id: string): (() => void) | undefined =>
    this.repository.watchEndings?.([id], {
      clock: this.clock,
      onEnded: (task) => {
        if (!this.runsHere(task.id)) this.waiters.endedElsewhere(task);
      },
    });

  /** Whether this scheduler runs the task now, or is storing and telling its outcome. */
  runsHere(id: string): boolean {
    return this.running.has(id) || this.ending.has(id);
  }

  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  settleIdle(): void {
    if (this.#idleWaiters.length === 0 || !this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  #isIdle(): boolean {
    return this.state !== SchedulerState.Running || (this.loopWaiting && !this.wake.isSet && this.running.size === 0 && this.ending.size === 0);
  }
}
