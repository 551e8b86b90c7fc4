import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock/clock.js';
import { SystemClock } from '../clock/system-clock.js';
import type { Dispatcher, DispatchHandle, WorkOutcome } from '../dispatcher/dispatcher.js';
import { AbortedError, InvalidArgumentError, InvalidResultError, KokugenError, ListenerFailedError, NotRunningError, TaskNotFoundError, toError, UnknownWorkError } from '../errors.js';
import { composeHooks } from '../hooks/compose-hooks.js';
import { HookRunner } from '../hooks/hook-runner.js';
import { Recovery } from '../hooks/loop-hooks.js';
import type { LoopHooks, UpdateKind } from '../hooks/loop-hooks.js';
import type { TaskRepository } from '../repository/task-repository.js';
import { toFrozenJson } from '../task/json.js';
import { isEnded, RecoveryPolicy, TaskState } from '../task/task.js';
import type { NewTask, Task, TaskOutcome, TaskPatch } from '../task/task.js';
import type { LoopPhase, SchedulerEventName, SchedulerEvents, SchedulerListener } from './events.js';
import { SafeEmitter } from './safe-emitter.js';
import { checkId, checkKeys, checkMeta, checkObject, checkParam, checkPriority, checkTime } from './validate.js';
import type { ScheduleInput, UpdateInput } from './validate.js';
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
  /** One hook set, or several composed in order (see `composeHooks`). */
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
}

export interface StopOptions {
  /** Abort running work through its AbortSignal and record it failed (`ERR_ABORTED`) at once. @default false */
  readonly force?: boolean;
}

interface Running {
  readonly task: Task;
  readonly controller: AbortController;
  /** Set by whichever records the outcome first: the work settling, or a force stop. */
  ended: boolean;
  finished: Promise<void>;
}

const scheduleKeys = ['id', 'workId', 'param', 'at', 'delay', 'priority', 'meta'] as const;
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
  readonly #wake = new Wake();
  readonly #waiters = new Waiters();
  readonly #running = new Map<string, Running>();
  #idleWaiters: Array<() => void> = [];
  #state: SchedulerState = SchedulerState.Idle;
  #stopController = new AbortController();
  #loop: Promise<void> = Promise.resolve();
  #loopWaiting = false;
  #unwatch: (() => void) | undefined;
  #stopping: Promise<void> | undefined;
  #starting: Promise<void> | undefined;
  #stopError: unknown;

  constructor(options: SchedulerOptions) {
    const { repository, dispatcher, hooks = {}, clock = new SystemClock() } = checkObject(options, 'Scheduler options') as unknown as SchedulerOptions;
    const { maxParamBytes = 1_048_576, hookTimeout = 10_000, retryDelay = 1_000, keepAlive = true, owner = 'default', recovery = RecoveryPolicy.Rerun } = options;
    if (typeof repository?.claimDue !== 'function') throw new InvalidArgumentError('Scheduler repository', 'a TaskRepository', repository);
    if (typeof dispatcher?.dispatch !== 'function') throw new InvalidArgumentError('Scheduler dispatcher', 'a Dispatcher', dispatcher);
    if (typeof clock?.setTimer !== 'function') throw new InvalidArgumentError('Scheduler clock', 'a Clock', clock);
    positive(maxParamBytes, 'maxParamBytes');
    positive(hookTimeout, 'hookTimeout');
    positive(retryDelay, 'retryDelay', 0);
    if (typeof keepAlive !== 'boolean') throw new InvalidArgumentError('keepAlive', 'a boolean', keepAlive);
    checkId(owner, 'owner');
    if (recovery !== RecoveryPolicy.Rerun && recovery !== RecoveryPolicy.Fail) throw new InvalidArgumentError('recovery', "'rerun' or 'fail'", recovery);
    this.#owner = owner;
    this.#recovery = recovery;
    this.#repository = repository;
    this.#dispatcher = dispatcher;
    this.#clock = clock;
    this.#maxParamBytes = maxParamBytes;
    this.#retryDelay = retryDelay;
    this.#keepAlive = keepAlive;
    const hookSet = Array.isArray(hooks) ? composeHooks(...(hooks as readonly LoopHooks[])) : (hooks as LoopHooks);
    this.#hooks = new HookRunner(hookSet, clock, hookTimeout, (error) => this.#report(error, 'hook'));
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
    this.#state = SchedulerState.Running;
    this.#stopError = undefined;
    this.#stopController = new AbortController();
    this.#unwatch = this.#repository.watch({ clock: this.#clock, keepAlive: this.#keepAlive, onDue: this.#wake.notify });
    await this.#hooks.observe('onStart', {});
    this.#loop = this.#run(this.#stopController.signal);
  }

  /**
   * Stops dispatching at once and waits for running work to finish; with `force`, aborts it.
   * Pending `wait()` calls for tasks that did not end reject with `ERR_NOT_RUNNING`.
   */
  stop(options: StopOptions = {}): Promise<void> {
    const { force = false } = checkObject(options, 'stop options') as StopOptions;
    if (force) this.#abortRunning();
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

  async schedule(input: ScheduleInput): Promise<Task> {
    const [task] = await this.#add([this.#newTask(input)]);
    return task as Task;
  }

  /** Schedules many tasks in one repository write: all are stored, or none. */
  async scheduleMany(inputs: readonly ScheduleInput[]): Promise<Task[]> {
    if (!Array.isArray(inputs)) throw new InvalidArgumentError('scheduleMany', 'an array of schedule inputs', inputs);
    return this.#add(inputs.map((input) => this.#newTask(input)));
  }

  /** The task, or `ERR_TASK_NOT_FOUND`. */
  async get(id: string): Promise<Task> {
    const task = await this.#repository.get(checkId(id));
    if (task === undefined) throw new TaskNotFoundError(id);
    return task;
  }

  /** Resolves with the task once it has ended: `done`, `failed` or `cancelled`. */
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
    this.#events.emit('task:cancelled', { task });
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

  /** Resolves when the loop has nothing due to dispatch and no work is running (at once unless running). */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  // ---- the loop ----

  async #run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const free = await this.#ready(signal);
      if (free === 0) continue;
      this.#wake.clear();
      const tasks = await this.#claim(free, signal);
      if (tasks.length > 0) {
        for (const task of tasks) await this.#dispatch(task);
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
      return await this.#dispatcher.ready(signal);
    } catch (error) {
      if (signal.aborted) return 0;
      this.#report(error, 'dispatch');
      const decision = await this.#hooks.recover('onDispatchError', { error, attempt: 1 }, Recovery.retry(this.#retryDelay));
      if (decision.action === 'stop') this.#halt(error);
      else await this.#sleep(decision.action === 'retry' ? decision.delay : this.#retryDelay, signal);
      return 0;
    }
  }

  async #claim(limit: number, signal: AbortSignal): Promise<Task[]> {
    for (let attempt = 1; !signal.aborted; attempt++) {
      let tasks: Task[];
      try {
        tasks = await this.#repository.claimDue(this.#clock.now(), limit, this.#owner);
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

  /** Hands a claimed task to the dispatcher; a refused task is recorded failed, never dropped. */
  async #dispatch(task: Task): Promise<void> {
    const controller = new AbortController();
    let handle: DispatchHandle;
    for (let attempt = 1; ; attempt++) {
      try {
        const accepted = this.#dispatcher.dispatch(task, controller.signal);
        handle = accepted instanceof Promise ? await accepted : accepted;
        break;
      } catch (error) {
        this.#report(error, 'dispatch', task.id);
        const decision = await this.#hooks.recover('onDispatchError', { error, task, attempt }, Recovery.continue);
        if (decision.action === 'retry' && !this.#stopController.signal.aborted) {
          await this.#sleep(decision.delay, this.#stopController.signal);
          continue;
        }
        const running = this.#track(task, controller);
        running.finished = this.#finish(running, { ok: false, error });
        if (decision.action === 'stop') this.#halt(error);
        return;
      }
    }
    const running = this.#track(task, controller);
    running.finished = handle.done.then(
      (outcome) => this.#finish(running, outcome),
      (error: unknown) => this.#finish(running, { ok: false, error }),
    );
    this.#events.emit('task:dispatched', { task });
    if (this.#hooks.has('onDispatch')) await this.#hooks.observe('onDispatch', { task });
  }

  #track(task: Task, controller: AbortController): Running {
    const running: Running = { task, controller, ended: false, finished: Promise.resolve() };
    this.#running.set(task.id, running);
    return running;
  }

  /** Stores the outcome (first one wins), then tells listeners, hooks and waiters, in that order. */
  async #finish(running: Running, work: WorkOutcome): Promise<void> {
    if (running.ended) return;
    running.ended = true;
    const { task } = running;
    const outcome = this.#toOutcome(work);
    let stored: Task | undefined;
    let failure: unknown;
    for (let attempt = 1; stored === undefined; attempt++) {
      try {
        stored = await this.#repository.complete(task.id, outcome.outcome, this.#clock.now());
      } catch (error) {
        this.#report(error, 'complete', task.id);
        const decision = await this.#hooks.recover('onTaskEndedError', { error, task, outcome: outcome.outcome, attempt }, Recovery.retry(this.#retryDelay));
        if (decision.action === 'retry') {
          await this.#sleep(decision.delay, undefined);
          continue;
        }
        failure = error;
        if (decision.action === 'stop') this.#halt(error);
        break;
      }
    }
    this.#running.delete(task.id);
    if (stored === undefined) {
      this.#waiters.reject(task.id, failure);
    } else {
      if (stored.state === TaskState.Done) this.#events.emit('task:done', { task: stored });
      else this.#events.emit('task:failed', { task: stored, error: outcome.thrown });
      if (this.#hooks.has('onTaskEnded')) await this.#hooks.observe('onTaskEnded', { task: stored });
      this.#waiters.resolve(task.id, stored);
    }
    this.#settleIdle();
  }

  #toOutcome(work: WorkOutcome): { outcome: TaskOutcome; thrown?: unknown } {
    if (work.ok) {
      try {
        const result = work.result === undefined ? null : toFrozenJson(work.result, this.#maxParamBytes, 'result');
        return { outcome: { state: TaskState.Done, result } };
      } catch (error) {
        const invalid = new InvalidResultError(error instanceof Error ? error.message : String(error));
        return { outcome: { state: TaskState.Failed, error: { name: invalid.name, message: invalid.message } }, thrown: invalid };
      }
    }
    const error = toError(work.error);
    return { outcome: { state: TaskState.Failed, error: { name: error.name, message: error.message.slice(0, 10_000) } }, thrown: work.error };
  }

  // ---- writes from callers ----

  #newTask(input: ScheduleInput): NewTask {
    const object = checkObject(input, 'schedule');
    checkKeys(object, scheduleKeys, 'schedule');
    const now = this.#clock.now();
    const workId = object['workId'];
    if (typeof workId !== 'string' || workId.length === 0) throw new InvalidArgumentError('workId', 'a non-empty string', workId);
    if (!this.#dispatcher.supports(workId)) throw new UnknownWorkError(workId);
    return {
      id: object['id'] === undefined ? randomUUID() : checkId(object['id']),
      workId,
      param: checkParam(object['param'], this.#maxParamBytes),
      scheduledAt: checkTime(object, now, true) as number,
      priority: checkPriority(object['priority']),
      meta: checkMeta(object['meta']),
      createdAt: now,
    };
  }

  async #add(tasks: NewTask[]): Promise<Task[]> {
    const stored = await this.#write('schedule', tasks[0]?.id ?? '', () => this.#repository.add(tasks));
    this.#wakeIfDue(stored);
    const observe = this.#hooks.has('onUpdate');
    for (const task of stored) {
      this.#events.emit('task:scheduled', { task });
      if (observe) await this.#hooks.observe('onUpdate', { task, kind: 'schedule' });
    }
    return stored;
  }

  /** A repository write on a caller's behalf; repository failures (not typed refusals) go to onUpdateError. */
  async #write<T>(kind: UpdateKind, taskId: string, write: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (error) {
        if (error instanceof KokugenError) throw error;
        this.#report(error, 'update', taskId);
        const decision = await this.#hooks.recover('onUpdateError', { error, taskId, kind, attempt }, Recovery.continue);
        if (decision.action !== 'retry') {
          if (decision.action === 'stop') this.#halt(error);
          throw error;
        }
        await this.#sleep(decision.delay, undefined);
      }
    }
  }

  // ---- stopping ----

  #abortRunning(): void {
    const reason = new AbortedError('the scheduler was force-stopped');
    for (const running of this.#running.values()) {
      if (running.ended) continue;
      running.controller.abort(reason);
      running.finished = this.#finish(running, { ok: false, error: reason });
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

function positive(value: unknown, what: string, min = 1): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) throw new InvalidArgumentError(what, `a finite number >= ${min}`, value);
}
