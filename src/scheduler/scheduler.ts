import { newId } from '../task/id.js';
import type { Clock } from '../clock/clock.js';
import { SystemClock } from '../clock/system-clock.js';
import type { Dispatcher, DispatchHandle, WorkOutcome } from '../dispatcher/dispatcher.js';
import { AbortedError, InvalidArgumentError, KokugenError, ListenerFailedError, NotRunningError, TaskNotFoundError, WorkTimeoutError, UnknownWorkError } from '../errors.js';
import { HookRunner } from '../hooks/hook-runner.js';
import { Recovery } from '../hooks/loop-hooks.js';
import type { LoopHooks, UpdateKind } from '../hooks/loop-hooks.js';
import type { TaskRepository } from '../repository/task-repository.js';
import type { ScheduleReviver } from '../schedule/schedule.js';
import type { Series } from '../schedule/series.js';
import { toRetryPolicy } from '../task/retry.js';
import { toFrozenJson } from '../task/json.js';
import { isEnded, RecoveryPolicy, TaskState } from '../task/task.js';
import type { NewTask, Task, TaskPatch, TaskQuery } from '../task/task.js';
import { countMissed, deadlineExpiry, isMisfire, nextOccurrenceAt, occurrence, planOutcome } from './plan.js';
import type { Expiry } from './plan.js';
import { Run } from './run.js';
import { SeriesBook } from './series-book.js';
import type { LoopPhase, SchedulerEventName, SchedulerEvents, SchedulerListener } from './events.js';
import { SafeEmitter } from './safe-emitter.js';
import { checkDeadline, checkGrace, checkId, checkKeys, checkMeta, checkMisfire, checkObject, checkParam, checkPriority, checkSchedule, checkTime, checkTimeout } from '../validation/validate.js';
import type { ScheduleInput, UpdateInput } from '../validation/validate.js';
import { Waiters } from './waiters.js';
import { Wake } from './wake.js';

export const SchedulerState = {
  Idle: 'idle',
  Running: 'running',
  Stopping: 'stopping',
  Stopped: 'stopped',
} as const;
export type SchedulerState = (typeof SchedulerState)[keyof typeof SchedulerState];

export interface SchedulerOptions {
  readonly repository: TaskRepository;
  readonly dispatcher: Dispatcher;
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
   * This scheduler's name in the store: tasks it claims carry it, and at start it recovers the tasks
   * a previous run under the same name left dispatched. Processes sharing one store need distinct,
   * stable names. @default 'default'
   */
  readonly owner?: string;
  /** What start-up does with tasks a previous run left dispatched. @default 'rerun' */
  readonly recovery?: RecoveryPolicy;
  /** Rebuilders of custom Schedule kinds by `toJSON().kind`, for series stored by an earlier run. */
  readonly schedules?: Readonly<Record<string, ScheduleReviver>>;
  /** The source of retry jitter, in [0, 1). @default Math.random */
  readonly random?: () => number;
}

export interface StopOptions {
  /** Abort running work through its AbortSignal and record it failed (`ERR_ABORTED`) at once. @default false */
  readonly force?: boolean;
}


const scheduleKeys = ['id', 'workId', 'param', 'at', 'delay', 'priority', 'meta', 'retry', 'timeout', 'deadline', 'schedule', 'misfire', 'grace'] as const;
const updateKeys = ['at', 'delay', 'param', 'priority', 'meta'] as const;

/**
 * The loop: wait for a free worker, claim the due tasks from the repository, hand them to the
 * dispatcher, record each outcome; sleep on the repository timer when nothing is due.
 *
 * States: `idle` → `start()` → `running` → `stop()` → `stopping` (no new dispatches; running work
 * finishes, or is aborted with `force`) → `stopped` → `start()` again is allowed. Tasks can be
 * scheduled, updated and cancelled in any state; they run while the scheduler is running.
 */
export class Scheduler {
  readonly #repository: TaskRepository;
  readonly #dispatcher: Dispatcher;
  readonly #clock: Clock;
  readonly #hooks: HookRunner;
  readonly #events: SafeEmitter<SchedulerEvents>;
  readonly #maxParamBytes: number;
  readonly #retryDelay: number;
  readonly #keepAlive: boolean;
  readonly #owner: string;
  readonly #recovery: RecoveryPolicy;
  readonly #random: () => number;
  readonly #series: SeriesBook;
  #paused = false;
  /** Set when a claim skipped works at their concurrency limit: a finishing task must wake the loop. */
  #skippedWorks = false;
  readonly #wake = new Wake();
  readonly #waiters = new Waiters();
  readonly #running = new Map<string, Run>();
  #idleWaiters: Array<() => void> = [];
  #state: SchedulerState = SchedulerState.Idle;
  #stopController = new AbortController();
  /** Aborted by a forced stop: cuts off outcome-write retries and starts of tasks claimed meanwhile. */
  #forceController = new AbortController();
  /** Consecutive failures of the dispatcher's ready(), for onDispatchError's attempt count. */
  #readyFailures = 0;
  #loop: Promise<void> = Promise.resolve();
  #loopWaiting = false;
  #unwatch: (() => void) | undefined;
  #stopping: Promise<void> | undefined;
  #starting: Promise<void> | undefined;
  #stopError: unknown;

  constructor(options: SchedulerOptions) {
    const { repository, dispatcher, hooks = {}, clock = new SystemClock() } = checkObject(options, 'Scheduler options') as unknown as SchedulerOptions;
    const { maxParamBytes = 1_048_576, hookTimeout = 10_000, retryDelay = 1_000, keepAlive = true, owner = 'default', recovery = RecoveryPolicy.Rerun, schedules = {}, random = Math.random } = options;
    if (typeof repository?.claimDue !== 'function') throw new InvalidArgumentError('Scheduler repository', 'a TaskRepository', repository);
    if (typeof dispatcher?.dispatch !== 'function') throw new InvalidArgumentError('Scheduler dispatcher', 'a Dispatcher', dispatcher);
    if (typeof clock?.setTimer !== 'function') throw new InvalidArgumentError('Scheduler clock', 'a Clock', clock);
    positive(maxParamBytes, 'maxParamBytes');
    positive(hookTimeout, 'hookTimeout');
    positive(retryDelay, 'retryDelay', 0);
    if (typeof keepAlive !== 'boolean') throw new InvalidArgumentError('keepAlive', 'a boolean', keepAlive);
    checkId(owner, 'owner');
    if (recovery !== RecoveryPolicy.Rerun && recovery !== RecoveryPolicy.Fail) throw new InvalidArgumentError('recovery', "'rerun' or 'fail'", recovery);
    if (typeof random !== 'function') throw new InvalidArgumentError('random', 'a function returning [0, 1)', random);
    checkObject(schedules, 'schedules');
    this.#owner = owner;
    this.#recovery = recovery;
    this.#random = random;
    this.#series = new SeriesBook(repository, schedules);
    this.#repository = repository;
    this.#dispatcher = dispatcher;
    this.#clock = clock;
    this.#maxParamBytes = maxParamBytes;
    this.#retryDelay = retryDelay;
    this.#keepAlive = keepAlive;
    const hookSets = Array.isArray(hooks) ? (hooks as readonly LoopHooks[]) : [hooks as LoopHooks];
    for (const set of hookSets) checkObject(set, 'hooks');
    this.#hooks = new HookRunner(hookSets, clock, hookTimeout, (error) => this.#report(error, 'hook'));
    this.#events = new SafeEmitter<SchedulerEvents>((event, error) => {
      // A failing loop:error listener must not report itself forever.
      if (event !== 'loop:error') this.#report(new ListenerFailedError(String(event), error), 'listener');
    });
  }

  get state(): SchedulerState {
    return this.#state;
  }

  /** How many tasks are running now. */
  get running(): number {
    return this.#running.size;
  }

  on<E extends SchedulerEventName>(event: E, listener: SchedulerListener<E>): this {
    this.#events.on(event, listener);
    return this;
  }

  once<E extends SchedulerEventName>(event: E, listener: SchedulerListener<E>): this {
    this.#events.on(event, listener, true);
    return this;
  }

  off<E extends SchedulerEventName>(event: E, listener: SchedulerListener<E>): this {
    this.#events.off(event, listener);
    return this;
  }

  /**
   * Recovers what a previous run left dispatched, then starts the loop; tasks already overdue run
   * at once, in order. Resolves once the loop runs. A failing recovery rejects and starts nothing.
   */
  start(): Promise<void> {
    if (this.#state === SchedulerState.Running) return Promise.resolve();
    this.#starting ??= this.#start().finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  async #start(): Promise<void> {
    if (this.#stopping !== undefined) await this.#stopping;
    const recovered = await this.#repository.recover(this.#owner, this.#recovery, this.#clock.now());
    for (const task of recovered) {
      this.#events.emit('task:recovered', { task });
      if (isEnded(task.state)) this.#waiters.resolve(task.id, task);
    }
    await this.#repairSeries();
    this.#state = SchedulerState.Running;
    this.#stopError = undefined;
    this.#stopController = new AbortController();
    this.#forceController = new AbortController();
    this.#unwatch = this.#repository.watch({ clock: this.#clock, keepAlive: this.#keepAlive, onDue: this.#wake.notify });
    await this.#hooks.observe('onStart', {});
    this.#loop = this.#run(this.#stopController.signal);
  }

  /**
   * Stops dispatching at once and waits for running work to finish; with `force`, aborts it.
   * Pending `wait()` calls for tasks that did not end reject with `ERR_NOT_RUNNING`.
   */
  stop(options: StopOptions = {}): Promise<void> {
    let force: boolean;
    try {
      force = (checkObject(options, 'stop options') as StopOptions).force ?? false;
    } catch (error) {
      return Promise.reject(error);
    }
    // A start still recovering would otherwise finish after this stop and leave the loop running.
    if (this.#starting !== undefined) return this.#starting.then(() => this.stop(options));
    if (force) {
      this.#forceController.abort(new AbortedError('the scheduler was force-stopped'));
      this.#abortRunning();
    }
    if (this.#stopping !== undefined) return this.#stopping;
    if (this.#state !== SchedulerState.Running) return Promise.resolve();
    this.#state = SchedulerState.Stopping;
    this.#stopController.abort(new NotRunningError('the scheduler is stopping'));
    this.#unwatch?.();
    this.#unwatch = undefined;
    this.#stopping = this.#finishStop();
    return this.#stopping;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /**
   * Schedules a task, or with `schedule` a recurring series (resolving with its first occurrence).
   * Rejects with `ERR_INVALID_ARGUMENT`, `ERR_UNKNOWN_WORK` or `ERR_DUPLICATE_ID` and stores nothing.
   */
  async schedule(input: ScheduleInput): Promise<Task> {
    if (typeof input === 'object' && input !== null && input.schedule !== undefined) return this.#addSeries(input);
    return (await this.#add([this.#newTask(input)]))[0] as Task;
  }

  /** Schedules many tasks in one repository write: all are stored, or none. */
  async scheduleMany(inputs: readonly ScheduleInput[]): Promise<Task[]> {
    if (!Array.isArray(inputs)) throw new InvalidArgumentError('scheduleMany', 'an array of schedule inputs', inputs);
    return this.#add(inputs.map((input: ScheduleInput) => this.#newTask(input, false)));
  }

  /** The task, or `ERR_TASK_NOT_FOUND`. */
  async get(id: string): Promise<Task> {
    const task = await this.#repository.get(checkId(id));
    if (task === undefined) throw new TaskNotFoundError(id);
    return task;
  }

  /**
   * Resolves with the task once it has ended: `done`, `failed`, `cancelled` or `expired`. Rejects
   * with `ERR_TASK_NOT_FOUND` (unknown or removed) or `ERR_NOT_RUNNING` (the scheduler stopped first).
   */
  async wait(id: string): Promise<Task> {
    checkId(id);
    const ended = this.#waiters.add(id);
    const task = await this.#repository.get(id).catch((error: unknown) => {
      this.#waiters.reject(id, error);
      return undefined;
    });
    if (task === undefined) this.#waiters.reject(id, new TaskNotFoundError(id));
    else if (isEnded(task.state)) this.#waiters.resolve(id, task);
    return ended;
  }

  /**
   * Cancels a scheduled task: true if it was cancelled now, false if it had already ended or been
   * cancelled. Rejects with `ERR_ALREADY_DISPATCHED` when the task is running.
   */
  async cancel(id: string): Promise<boolean> {
    checkId(id);
    const task = await this.#write('cancel', id, () => this.#repository.cancel(id, this.#clock.now()));
    if (task === undefined) return false;
    if (this.#events.has('task:cancelled')) this.#events.emit('task:cancelled', { task });
    if (this.#hooks.has('onUpdate')) await this.#hooks.observe('onUpdate', { task, kind: 'cancel' });
    this.#waiters.resolve(id, task);
    return true;
  }

  /** Changes a scheduled task. Rejects with `ERR_ALREADY_DISPATCHED` once it was dispatched. */
  async update(id: string, input: UpdateInput): Promise<Task> {
    checkId(id);
    const object = checkObject(input, 'update');
    checkKeys(object, updateKeys, 'update');
    const scheduledAt = checkTime(object, this.#clock.now(), false);
    const patch: { -readonly [K in keyof TaskPatch]: TaskPatch[K] } = {};
    if (scheduledAt !== undefined) patch.scheduledAt = scheduledAt;
    if ('param' in object) patch.param = checkParam(object['param'], this.#maxParamBytes);
    if (object['priority'] !== undefined) patch.priority = checkPriority(object['priority']);
    if (object['meta'] !== undefined) patch.meta = checkMeta(object['meta']);
    if (Object.keys(patch).length === 0) throw new InvalidArgumentError('update', 'at least one of at, delay, param, priority, meta', input);
    const task = await this.#write('update', id, () => this.#repository.update(id, patch));
    this.#wakeIfDue([task]);
    this.#events.emit('task:updated', { task });
    if (this.#hooks.has('onUpdate')) await this.#hooks.observe('onUpdate', { task, kind: 'update' });
    return task;
  }

  /** Tasks by state, work, series; scheduled ones in run order, others by creation. @default limit 100 */
  async find(query: TaskQuery = {}): Promise<Task[]> {
    const object = checkObject(query, 'find');
    checkKeys(object, ['state', 'workId', 'seriesId', 'limit', 'offset'], 'find');
    const { state, workId, seriesId, limit = 100, offset = 0 } = query;
    if (state !== undefined && !Object.values(TaskState).includes(state)) throw new InvalidArgumentError('find state', Object.values(TaskState).join(', '), state);
    if (workId !== undefined) checkId(workId, 'find workId');
    if (seriesId !== undefined) checkId(seriesId, 'find seriesId');
    for (const [name, value, min] of [['limit', limit, 1], ['offset', offset, 0]] as const) {
      if (!Number.isSafeInteger(value) || value < min) throw new InvalidArgumentError(`find ${name}`, `an integer >= ${min}`, value);
    }
    return this.#repository.find({ ...query, limit, offset });
  }

  /** Dispatches nothing until `resume()`; running work goes on and timers keep their state. */
  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#wake.notify();
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Stops a series: its pending occurrence is cancelled, a running one finishes without a successor. */
  async disable(seriesId: string): Promise<void> {
    checkId(seriesId, 'seriesId');
    const { series, task } = await this.#repository.setSeriesEnabled(seriesId, false, this.#clock.now());
    if (task !== undefined) {
      this.#events.emit('task:cancelled', { task });
      this.#waiters.resolve(task.id, task);
    }
    this.#events.emit('series:disabled', { series });
  }

  /** Restarts a disabled series at its first time after now. */
  async enable(seriesId: string): Promise<void> {
    checkId(seriesId, 'seriesId');
    const { series: current, schedule } = await this.#series.require(seriesId);
    const now = this.#clock.now();
    const at = schedule.next(new Date(now))?.getTime();
    const { series, task } = await this.#repository.setSeriesEnabled(seriesId, true, now, at === undefined ? undefined : occurrence(current, at, now));
    if (task !== undefined) this.#events.emit('task:scheduled', { task });
    this.#events.emit('series:enabled', { series });
  }

  /**
   * Aborts a running task through its signal and records it failed (`ERR_ABORTED`, no retry) at once.
   * False when the task is not running here.
   */
  async abort(taskId: string): Promise<boolean> {
    checkId(taskId);
    const running = this.#running.get(taskId);
    if (running === undefined || running.ended) return false;
    const reason = new AbortedError('the task was aborted');
    running.abort(reason);
    running.finished = this.#finish(running, { ok: false, error: reason }, true);
    await running.finished;
    return true;
  }

  /**
   * Deletes a series (with its tasks that are not running) or a task from the store. True if it
   * existed. A running task cannot be removed (`ERR_ALREADY_DISPATCHED`): abort it first.
   */
  async remove(id: string): Promise<boolean> {
    checkId(id);
    const occurrences = await this.#repository.find({ seriesId: id, limit: Number.MAX_SAFE_INTEGER });
    if (await this.#repository.removeSeries(id)) {
      this.#series.forget(id);
      for (const task of occurrences) if (task.state !== TaskState.Dispatched) this.#waiters.reject(task.id, new TaskNotFoundError(task.id));
      this.#events.emit('series:removed', { seriesId: id });
      return true;
    }
    if (!(await this.#repository.remove(id))) return false;
    this.#waiters.reject(id, new TaskNotFoundError(id));
    this.#events.emit('task:removed', { taskId: id });
    return true;
  }

  /** Resolves when the loop has nothing due to dispatch and no work is running (at once unless running). */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  // ---- the loop ----

  async #run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      let free = this.#paused ? 0 : await this.#ready(signal);
      // pause() may have come while the loop waited for a worker.
      if (this.#paused) free = 0;
      if (free > 0) {
        this.#wake.clear();
        const tasks = await this.#claim(free, signal);
        if (tasks.length > 0) {
          for (const task of tasks) {
            const taking = this.#take(task);
            if (taking !== undefined) await taking;
          }
          continue;
        }
      } else if (this.#paused) {
        // Due work is ignored until resume(), which wakes the loop itself.
        this.#wake.clear();
      } else {
        continue;
      }
      this.#loopWaiting = true;
      this.#settleIdle();
      await this.#wake.wait(signal);
      this.#loopWaiting = false;
    }
  }

  /** How many workers are free; 0 after a stop or a failed wait (the loop then re-checks). */
  async #ready(signal: AbortSignal): Promise<number> {
    try {
      const free = await this.#dispatcher.ready(signal);
      this.#readyFailures = 0;
      return free;
    } catch (error) {
      if (signal.aborted) return 0;
      this.#report(error, 'dispatch');
      const decision = await this.#hooks.recover('onDispatchError', { error, attempt: ++this.#readyFailures }, Recovery.retry(this.#retryDelay));
      if (decision.action === 'stop') this.#halt(error);
      else await this.#sleep(decision.action === 'retry' ? decision.delay : this.#retryDelay, signal);
      return 0;
    }
  }

  async #claim(limit: number, signal: AbortSignal): Promise<Task[]> {
    for (let attempt = 1; !signal.aborted; attempt++) {
      let tasks: Task[];
      try {
        const workLimits = this.#dispatcher.capacities?.();
        this.#skippedWorks = workLimits !== undefined;
        tasks = await this.#repository.claimDue(this.#clock.now(), limit, this.#owner, workLimits);
      } catch (error) {
        this.#report(error, 'claim');
        const decision = await this.#hooks.recover('onGetNextError', { error, attempt }, Recovery.retry(this.#retryDelay));
        if (decision.action === 'stop') {
          this.#halt(error);
          return [];
        }
        if (decision.action === 'retry') {
          await this.#sleep(decision.delay, signal);
          continue;
        }
        // continue: wait for the next wake-up, but never longer than retryDelay, so no wake-up is lost.
        const timer = this.#clock.setTimer(this.#clock.now() + this.#retryDelay, this.#wake.notify);
        this.#loopWaiting = true;
        await this.#wake.wait(signal);
        this.#loopWaiting = false;
        timer.cancel();
        this.#wake.clear();
        continue;
      }
      if (this.#hooks.has('onGetNext')) for (const task of tasks) await this.#hooks.observe('onGetNext', { task });
      return tasks;
    }
    return [];
  }

  /**
   * A claimed task runs unless it must not: its deadline passed, or it is a misfired occurrence
   * of a series whose policy is `skip`. Those end `expired` without running.
   */
  #take(task: Task): Promise<void> | undefined {
    // Most tasks have neither a deadline nor a series: hand them over without an async frame.
    return task.deadline === null && task.seriesId === null ? this.#dispatch(task) : this.#takeChecked(task);
  }

  async #takeChecked(task: Task): Promise<void> {
    const now = this.#clock.now();
    let expiry: Expiry | undefined = deadlineExpiry(task, now);
    if (expiry === undefined && task.seriesId !== null) {
      const found = await this.#series.lookup(task.seriesId).catch((error: unknown) => void this.#report(error, 'claim', task.id));
      if (found !== undefined && isMisfire(found.series, task, now)) {
        const missed = countMissed(found.schedule, task.scheduledAt, now);
        this.#events.emit('series:misfired', { series: found.series, task, missed, policy: found.series.misfire });
        if (found.series.misfire === 'skip') {
          expiry = { error: { name: 'Misfire', message: `missed by ${now - task.scheduledAt} ms (${missed} occurrences); skipped by misfire policy` }, missed };
        }
      }
    }
    if (expiry === undefined) return this.#dispatch(task);
    const running = this.#track(task);
    running.finished = this.#finish(running, { ok: false, error: undefined }, true, expiry);
  }

  /**
   * Hands a claimed task to the dispatcher; a refused task is recorded failed, never dropped.
   * Synchronous when the dispatcher accepts synchronously and no hook observes: the hot path.
   */
  #dispatch(task: Task): Promise<void> | undefined {
    const run = this.#track(task);
    if (this.#forceController.signal.aborted) {
      // Claimed in the batch a forced stop interrupted: record it aborted rather than start it.
      run.finished = this.#finish(run, { ok: false, error: this.#forceController.signal.reason }, true);
      return undefined;
    }
    let accepted: DispatchHandle | Promise<DispatchHandle>;
    try {
      accepted = this.#dispatcher.dispatch(task, run);
    } catch (error) {
      return this.#refused(run, error, 1);
    }
    if (accepted instanceof Promise) {
      return accepted.then(
        (handle) => this.#started(run, handle),
        (error: unknown) => this.#refused(run, error, 1),
      );
    }
    return this.#started(run, accepted);
  }

  /** The dispatcher refused: ask onDispatchError; retry, or record the task failed with the error. */
  async #refused(run: Run, error: unknown, attempt: number): Promise<void> {
    const { task } = run;
    this.#report(error, 'dispatch', task.id);
    const decision = await this.#hooks.recover('onDispatchError', { error, task, attempt }, Recovery.continue);
    if (decision.action === 'retry' && !this.#stopController.signal.aborted) {
      await this.#sleep(decision.delay, this.#stopController.signal);
      try {
        const handle = await this.#dispatcher.dispatch(task, run);
        return await this.#started(run, handle);
      } catch (again) {
        return this.#refused(run, again, attempt + 1);
      }
    }
    run.finished = this.#finish(run, { ok: false, error });
    if (decision.action === 'stop') this.#halt(error);
  }

  #started(run: Run, handle: DispatchHandle): Promise<void> | undefined {
    const { task } = run;
    run.finished = handle.done.then(
      (outcome) => this.#finish(run, outcome),
      (error: unknown) => this.#finish(run, { ok: false, error }),
    );
    if (task.timeout !== null) {
      const timeout = task.timeout;
      run.timer = this.#clock.setTimer(this.#clock.now() + timeout, () => {
        if (run.ended) return;
        const reason = new WorkTimeoutError(timeout);
        run.abort(reason);
        run.finished = this.#finish(run, { ok: false, error: reason });
      });
    }
    if (this.#events.has('task:dispatched')) this.#events.emit('task:dispatched', { task });
    return this.#hooks.has('onDispatch') ? this.#hooks.observe('onDispatch', { task }) : undefined;
  }

  #track(task: Task): Run {
    const running = new Run(task);
    this.#running.set(task.id, running);
    return running;
  }

  /**
   * Stores the outcome (first one wins): done, failed, a retry, or expired; for a series occurrence
   * that ends, its successor in the same write. Then tells listeners, hooks and waiters, in that order.
   */
  async #finish(running: Run, work: WorkOutcome, final = false, expiry?: Expiry): Promise<void> {
    if (running.ended) return;
    running.ended = true;
    running.timer?.cancel();
    const { task } = running;
    const now = this.#clock.now();
    const planned = expiry === undefined ? planOutcome(task, work, { now, maxResultBytes: this.#maxParamBytes, random: this.#random, final }) : { outcome: { state: TaskState.Expired, error: expiry.error } as const };
    const next = task.seriesId === null || planned.outcome.state === TaskState.Scheduled ? undefined : await this.#successor(task.seriesId, task, now);
    let stored: Task | undefined;
    let added: Task | undefined;
    let failure: unknown;
    for (let attempt = 1; stored === undefined; attempt++) {
      try {
        ({ task: stored, next: added } = await this.#repository.complete(task.id, planned.outcome, this.#clock.now(), next));
      } catch (error) {
        this.#report(error, 'complete', task.id);
        const decision = await this.#hooks.recover('onTaskEndedError', { error, task, outcome: planned.outcome, attempt }, Recovery.retry(this.#retryDelay));
        if (decision.action === 'retry' && !this.#forceController.signal.aborted) {
          await this.#sleep(decision.delay, this.#forceController.signal);
          if (!this.#forceController.signal.aborted) continue;
        }
        failure = error;
        if (decision.action === 'stop') this.#halt(error);
        break;
      }
    }
    this.#running.delete(task.id);
    if (this.#skippedWorks) this.#wake.notify();
    if (stored === undefined) {
      this.#waiters.reject(task.id, failure);
    } else if (stored.state === TaskState.Scheduled) {
      this.#wakeIfDue([stored]);
      this.#events.emit('task:retrying', { task: stored, error: planned.thrown });
    } else {
      if (stored.state === TaskState.Done) {
        if (this.#events.has('task:done')) this.#events.emit('task:done', { task: stored });
      } else if (stored.state === TaskState.Expired) this.#events.emit('task:expired', { task: stored });
      else this.#events.emit('task:failed', { task: stored, error: planned.thrown });
      if (added !== undefined) {
        this.#wakeIfDue([added]);
        this.#events.emit('task:scheduled', { task: added });
      }
      if (this.#hooks.has('onTaskEnded')) await this.#hooks.observe('onTaskEnded', { task: stored });
      this.#waiters.resolve(task.id, stored);
    }
    this.#settleIdle();
  }

  /** The next occurrence of the task's series, if it has one (a failed lookup is reported, not fatal). */
  async #successor(seriesId: string, task: Task, now: number): Promise<NewTask | undefined> {
    try {
      const found = await this.#series.lookup(seriesId);
      if (found === undefined || !found.series.enabled) return undefined;
      const at = nextOccurrenceAt(found.series, found.schedule, task, now);
      return at === undefined ? undefined : occurrence(found.series, at, now);
    } catch (error) {
      this.#report(error, 'complete', task.id);
      return undefined;
    }
  }

  /** At start: every enabled series without a pending or running occurrence gets one (heals a crash between writes). */
  async #repairSeries(): Promise<void> {
    const now = this.#clock.now();
    for (const series of await this.#repository.listSeries()) {
      if (!series.enabled) continue;
      try {
        const { schedule } = await this.#series.require(series.id);
        const at = schedule.next(new Date(now))?.getTime();
        if (at === undefined) continue;
        const { task } = await this.#repository.setSeriesEnabled(series.id, true, now, occurrence(series, at, now));
        if (task !== undefined) this.#events.emit('task:scheduled', { task });
      } catch (error) {
        this.#report(error, 'claim');
      }
    }
  }

  // ---- writes from callers ----

  /** Checks a one-off task input (or, with `series`, the task part of a series input). */
  #newTask(input: ScheduleInput, series = false): NewTask {
    const object = checkObject(input, 'schedule');
    checkKeys(object, series ? scheduleKeys : scheduleKeys.filter((key) => key !== 'misfire' && key !== 'grace'), 'schedule');
    if (!series && object['schedule'] !== undefined) throw new InvalidArgumentError('scheduleMany', 'one-off tasks (schedule a series with schedule())', input);
    const now = this.#clock.now();
    const workId = checkId(object['workId'], 'workId');
    if (!this.#dispatcher.supports(workId)) throw new UnknownWorkError(workId);
    const defaults = this.#dispatcher.workDefaults?.(workId);
    const scheduledAt = checkTime(object, now, !series);
    if (series && object['deadline'] !== undefined) throw new InvalidArgumentError('deadline', 'no deadline on a series (use timeout or misfire)', object['deadline']);
    const retry = object['retry'] === undefined ? (defaults?.retry ?? null) : toRetryPolicy(object['retry'], defaults?.retry ?? undefined);
    return {
      id: object['id'] === undefined ? newId() : checkId(object['id']),
      workId,
      param: checkParam(object['param'], this.#maxParamBytes),
      scheduledAt: scheduledAt ?? Number.NaN,
      priority: checkPriority(object['priority']),
      meta: checkMeta(object['meta']),
      createdAt: now,
      seriesId: null,
      retry,
      timeout: checkTimeout(object['timeout']) ?? defaults?.timeout ?? null,
      deadline: scheduledAt === undefined ? null : checkDeadline(object['deadline'], scheduledAt),
    };
  }

  async #addSeries(input: ScheduleInput): Promise<Task> {
    const base = this.#newTask(input, true);
    const schedule = checkSchedule(input.schedule);
    const now = this.#clock.now();
    const series: Series = {
      id: base.id,
      workId: base.workId,
      param: base.param,
      schedule: checkSpec(schedule),
      misfire: checkMisfire(input.misfire),
      grace: checkGrace(input.grace),
      priority: base.priority,
      meta: base.meta,
      retry: base.retry,
      timeout: base.timeout,
      enabled: true,
      createdAt: now,
    };
    const at = Number.isNaN(base.scheduledAt) ? schedule.next(new Date(now))?.getTime() : base.scheduledAt;
    if (at === undefined) throw new InvalidArgumentError('schedule', 'a schedule with a time after now', 'one that has ended');
    const first = occurrence(series, at, now);
    const task = await this.#write('schedule', series.id, () => this.#repository.addSeries(series, first));
    this.#series.remember(series.id, schedule);
    this.#wakeIfDue([task]);
    this.#events.emit('task:scheduled', { task });
    if (this.#hooks.has('onUpdate')) await this.#hooks.observe('onUpdate', { task, kind: 'schedule' });
    return task;
  }

  async #add(tasks: NewTask[]): Promise<Task[]> {
    const stored = await this.#write('schedule', tasks[0]?.id ?? '', () => this.#repository.add(tasks));
    this.#wakeIfDue(stored);
    const observe = this.#hooks.has('onUpdate');
    const emit = this.#events.has('task:scheduled');
    for (const task of stored) {
      if (emit) this.#events.emit('task:scheduled', { task });
      if (observe) await this.#hooks.observe('onUpdate', { task, kind: 'schedule' });
    }
    return stored;
  }

  /**
   * A repository write on a caller's behalf; repository failures (not typed refusals) go to
   * onUpdateError. The first try goes straight to the store without an async frame of its own (the
   * hot path of schedule() and cancel()); only a failure enters the recovery loop.
   */
  #write<T>(kind: UpdateKind, taskId: string, write: () => Promise<T>): Promise<T> {
    let first: Promise<T>;
    try {
      first = write();
    } catch (error) {
      // A store that throws instead of rejecting still gets the recovery path.
      return this.#recoverWrite(kind, taskId, write, error);
    }
    return first.catch((error: unknown) => this.#recoverWrite(kind, taskId, write, error));
  }

  async #recoverWrite<T>(kind: UpdateKind, taskId: string, write: () => Promise<T>, error: unknown): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      if (error instanceof KokugenError) throw error;
      this.#report(error, 'update', taskId);
      const decision = await this.#hooks.recover('onUpdateError', { error, taskId, kind, attempt }, Recovery.continue);
      if (decision.action !== 'retry') {
        if (decision.action === 'stop') this.#halt(error);
        throw error;
      }
      await this.#sleep(decision.delay, undefined);
      try {
        return await write();
      } catch (again) {
        error = again;
      }
    }
  }

  // ---- stopping ----

  #abortRunning(): void {
    const reason = new AbortedError('the scheduler was force-stopped');
    for (const running of this.#running.values()) {
      if (running.ended) continue;
      running.abort(reason);
      running.finished = this.#finish(running, { ok: false, error: reason }, true);
    }
  }

  async #finishStop(): Promise<void> {
    await this.#loop;
    while (this.#running.size > 0) await Promise.all([...this.#running.values()].map((r) => r.finished));
    this.#waiters.rejectAll(new NotRunningError('the scheduler stopped before the task ended'));
    this.#state = SchedulerState.Stopped;
    this.#stopping = undefined;
    this.#settleIdle();
    const error = this.#stopError;
    await this.#hooks.observe('onStop', error === undefined ? {} : { error });
    this.#events.emit('loop:stopped', error === undefined ? {} : { error });
  }

  /** Stops from inside the loop (a recovery said `stop`) without awaiting itself. */
  #halt(error: unknown): void {
    if (this.#state !== SchedulerState.Running) return;
    this.#stopError = error;
    void this.stop();
  }

  // ---- helpers ----

  #report(error: unknown, phase: LoopPhase, taskId?: string): void {
    this.#events.emit('loop:error', taskId === undefined ? { error, phase } : { error, phase, taskId });
  }

  /** Waits `ms` on the clock; returns early when `signal` aborts. */
  #sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted === true) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        timer.cancel();
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = this.#clock.setTimer(this.#clock.now() + ms, done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * The repository timer would wake the loop for due tasks too, but a turn later; waking it now
   * keeps `idle()` from resolving in between.
   */
  #wakeIfDue(tasks: readonly Task[]): void {
    const now = this.#clock.now();
    for (const task of tasks) {
      if (task.scheduledAt <= now) {
        this.#wake.notify();
        return;
      }
    }
  }

  #isIdle(): boolean {
    return this.#state !== SchedulerState.Running || (this.#loopWaiting && !this.#wake.isSet && this.#running.size === 0);
  }

  #settleIdle(): void {
    if (this.#idleWaiters.length === 0 || !this.#isIdle()) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** The stored form of a schedule: JSON with a string kind, or the schedule cannot outlive this process. */
function checkSpec(schedule: { toJSON(): unknown }): Series['schedule'] {
  const spec = schedule.toJSON() as Series['schedule'];
  if (typeof spec !== 'object' || spec === null || typeof spec.kind !== 'string') throw new InvalidArgumentError('schedule.toJSON()', 'an object with a string kind', spec);
  return toFrozenJson(spec, 65_536, 'schedule.toJSON()') as Series['schedule'];
}

function positive(value: unknown, what: string, min = 1): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) throw new InvalidArgumentError(what, `a finite number >= ${min}`, value);
}
