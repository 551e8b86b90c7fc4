import { AbortedError, InvalidArgumentError, ListenerFailedError, SeriesNotFoundError, TaskNotFoundError } from '../errors.js';
import { HookRunner } from '../hooks/hook-runner.js';
import { isEnded } from '../task/task.js';
import type { Task, TaskQuery } from '../task/task.js';
import type { Series } from '../schedule/series.js';
import { checkId, checkWriteOptions } from '../validation/validate.js';
import type { ScheduleInput, StepInput, UpdateInput, WriteOptions } from '../validation/validate.js';
import { refusedTaskWrite } from './caller-write.js';
import { Core } from './core.js';
import type { SchedulerState } from './core.js';
import { addSeries, addTasks } from './enqueue.js';
import { isErrorEvent, schedulerEventNames } from './events.js';
import type { SchedulerEventName, SchedulerEvents, SchedulerListener } from './events.js';
import { toChain, toGroup, toWithCallbacks } from './flow-input.js';
import type { ChainOptions, Flow, GroupOptions } from './flow-input.js';
import { Lifecycle } from './lifecycle.js';
import { SchedulerLog } from './logger.js';
import { Loop } from './loop.js';
import { noDispatcherError, readStats, retryTask, runTaskNow } from './operations.js';
import type { RetryTaskOptions, SchedulerStats } from './operations.js';
import { Outcomes } from './outcomes.js';
import { SafeEmitter } from './safe-emitter.js';
import { checkSchedulerOptions, checkStopOptions } from './scheduler-options.js';
import type { SchedulerOptions, StopOptions } from './scheduler-options.js';
import { SeriesBook } from './series-book.js';
import { disableSeries, enableSeries, removeStored } from './series-controls.js';
import { batchOnConflict, toNewSeries, toNewTask, toPatch, toQuery } from './task-input.js';
import type { InputContext } from './task-input.js';
import type { AnyWorks, ScheduleInputOf, StepInputOf, TaskId, TaskOf, TypedTask, WorkMap, WorkTypes } from './typed-works.js';

export { SchedulerState } from './core.js';
export type { SchedulerOptions, StopOptions } from './scheduler-options.js';
export type { RetryTaskOptions, SchedulerStats } from './operations.js';
export type { Logger } from './logger.js';

/**
 * The public face of a scheduler: checks every call at the edge, then hands it to the parts
 * behind it — the `Lifecycle` that starts and stops it, the `Loop` that claims and dispatches,
 * `Outcomes` that records how runs end, and the repository for callers' writes. All of them
 * share one `Core`.
 *
 * States: `idle` → `start()` → `running` → `stop()` → `stopping` (no new dispatches; running work
 * finishes, or is aborted with `force`) → `stopped` → `start()` again is allowed. Tasks can be
 * scheduled, updated and cancelled in any state; they run while the scheduler is running.
 *
 * `W` types the works (see `WorkTypes`): `schedule()` checks each work's param, `wait()` resolves
 * with its typed result. Without it, any work id and any JSON param are accepted, as before.
 */
export class Scheduler<W extends WorkMap<W> = AnyWorks> {
  readonly #core: Core;
  readonly #outcomes: Outcomes;
  readonly #lifecycle: Lifecycle;
  readonly #producerOnly: boolean;

  constructor(options: SchedulerOptions) {
    const checked = checkSchedulerOptions(options);
    const { repository, dispatcher, clock } = checked;
    const events = new SafeEmitter<SchedulerEvents>((event, error) => {
      // A failing loop:error listener must not report itself forever.
      if (event !== 'loop:error') this.#core.report(new ListenerFailedError(String(event), error), 'listener');
    }, schedulerEventNames);
    this.#core = new Core({
      repository,
      dispatcher,
      clock,
      hooks: new HookRunner(checked.hookSets, clock, checked.hookTimeout, (error) => this.#core.report(error, 'hook')),
      events,
      series: new SeriesBook(repository, checked.schedules),
      settings: checked.settings,
    });
    this.#outcomes = new Outcomes(this.#core);
    const log = new SchedulerLog(checked.logger, clock);
    this.#lifecycle = new Lifecycle(this.#core, this.#outcomes, new Loop(this.#core, this.#outcomes), log);
    this.#core.halt = (error) => this.#lifecycle.halt(error);
    this.#producerOnly = checked.producerOnly;
    events.on('loop:error', ({ error, phase, taskId }) => log.loopError(error, phase, taskId));
  }

  get state(): SchedulerState {
    return this.#core.state;
  }

  /** How many tasks are running now. */
  get running(): number {
    return this.#core.running.size;
  }

  on<E extends SchedulerEventName>(event: E, listener: SchedulerListener<E>): this {
    if (!isErrorEvent(event)) this.#core.events.on(event, listener);
    return this;
  }

  once<E extends SchedulerEventName>(event: E, listener: SchedulerListener<E>): this {
    if (!isErrorEvent(event)) this.#core.events.on(event, listener, true);
    return this;
  }

  off<E extends SchedulerEventName>(event: E, listener: SchedulerListener<E>): this {
    if (!isErrorEvent(event)) this.#core.events.off(event, listener);
    return this;
  }

  /** `on`, under the name node:events' `on()` and `once()` helpers call. */
  addListener<E extends SchedulerEventName>(event: E, listener: SchedulerListener<E>): this {
    return this.on(event, listener);
  }

  /** `off`, under the name node:events' helpers call when a loop breaks or their signal aborts. */
  removeListener<E extends SchedulerEventName>(event: E, listener: SchedulerListener<E>): this {
    return this.off(event, listener);
  }

  /**
   * Recovers what a previous run left dispatched, then starts the loop; tasks already overdue run
   * at once, in order. Resolves once the loop runs. A failing recovery rejects and starts nothing.
   */
  start(): Promise<void> {
    if (this.#producerOnly) return Promise.reject(noDispatcherError());
    return this.#lifecycle.start();
  }

  /**
   * Stops dispatching at once and waits for running work to finish; with `force`, aborts it.
   * Pending `wait()` calls for tasks that did not end reject with `ERR_NOT_RUNNING`.
   */
  stop(options: StopOptions = {}): Promise<void> {
    let force: boolean;
    try {
      force = checkStopOptions(options);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#lifecycle.stop(force);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /**
   * Schedules a task, or with `schedule` a recurring series (resolving with its first occurrence,
   * or with `onConflict` 'keep'/'replace' on an existing series, its current one). With
   * `{ manager }` the write joins your open TypeORM transaction. Rejects with
   * `ERR_INVALID_ARGUMENT`, `ERR_UNKNOWN_WORK` or `ERR_DUPLICATE_ID` and stores nothing.
   */
  schedule<K extends keyof W & string>(input: ScheduleInputOf<W, K>, options?: WriteOptions): Promise<TaskOf<W, K>> {
    return this.#schedule(input as ScheduleInput, options) as Promise<TaskOf<W, K>>;
  }

  /**
   * Schedules steps that run one after another: each becomes due when the one before ended `done`;
   * when one fails for good, the later ones end `cancelled`. All are stored in one write.
   */
  async chain(steps: readonly StepInputOf<W>[], options: ChainOptions = {}): Promise<Flow> {
    const { id, tasks } = toChain(steps as readonly StepInput[], options, this.#inputContext());
    return { id, tasks: await addTasks(this.#core, tasks, undefined) };
  }

  /**
   * Schedules members that run independently and, with `then`, a chord's callback due once every
   * member ended `done` (or, with `runOnFailure`, ended at all); otherwise it ends `cancelled`.
   */
  async group(members: readonly StepInputOf<W>[], options: GroupOptions = {}): Promise<Flow> {
    const { id, tasks } = toGroup(members as readonly StepInput[], options, this.#inputContext());
    return { id, tasks: await addTasks(this.#core, tasks, undefined) };
  }

  /** Schedules many tasks in one repository write: all are stored, or none. `{ manager }` as for `schedule()`. */
  async scheduleMany(inputs: readonly ScheduleInputOf<W>[], options?: WriteOptions): Promise<TaskOf<W, keyof W & string>[]> {
    if (!Array.isArray(inputs)) throw new InvalidArgumentError('scheduleMany', 'an array of schedule inputs', inputs);
    const { transaction } = checkWriteOptions(options);
    const context = this.#inputContext();
    const tasks = (inputs as readonly ScheduleInput[]).map((input) => toNewTask(input, context, 'scheduleMany'));
    return addTasks(this.#core, tasks, transaction, batchOnConflict(inputs as readonly ScheduleInput[], 'scheduleMany')) as Promise<TaskOf<W, keyof W & string>[]>;
  }

  /** Every series, by creation. */
  async listSeries(): Promise<Series[]> {
    return this.#core.repository.listSeries();
  }

  /** The series, or `ERR_SERIES_NOT_FOUND`. */
  async getSeries(id: string): Promise<Series> {
    const series = await this.#core.repository.getSeries(checkId(id, 'seriesId'));
    if (series === undefined) throw new SeriesNotFoundError(id);
    return series;
  }

  /** The task, or `ERR_TASK_NOT_FOUND`. */
  async get(id: string): Promise<Task> {
    const task = await this.#core.repository.get(checkId(id));
    if (task === undefined) throw new TaskNotFoundError(id);
    return task;
  }

  /**
   * Resolves with the task once it has ended: `done`, `failed`, `cancelled` or `expired`. Rejects
   * with `ERR_TASK_NOT_FOUND` (unknown or removed) or `ERR_NOT_RUNNING` (the scheduler stopped first).
   */
  wait<T extends WorkTypes>(id: TaskId<T>): Promise<TypedTask<T>>;
  wait(id: string): Promise<Task>;
  async wait(id: string): Promise<Task | TypedTask<WorkTypes>> {
    checkId(id);
    const { waiters, repository } = this.#core;
    const ended = waiters.add(id, this.#core.watchEnding);
    const task = await repository.get(id).catch((error: unknown) => {
      waiters.reject(id, error);
      return undefined;
    });
    if (task === undefined) waiters.reject(id, new TaskNotFoundError(id));
    else if (isEnded(task.state)) waiters.resolve(id, task);
    return ended;
  }

  /**
   * Cancels a scheduled task: true if it was cancelled now, false if it had already ended or been
   * cancelled. Rejects with `ERR_ALREADY_DISPATCHED` when the task is running.
   */
  async cancel(id: string): Promise<boolean> {
    checkId(id);
    const core = this.#core;
    // Its waiters (those waiting as it starts) hear of this cancel after its listeners and hooks, not from the repository's watch.
    const release = core.waiters.hold(id);
    try {
      const write = (): Promise<Task | undefined> => core.repository.cancel(id, core.clock.now());
      let task: Task | undefined;
      try {
        task = await write();
      } catch (error) {
        task = await refusedTaskWrite(core, 'cancel', id, write, error);
      }
      if (task === undefined) return false;
      if (core.events.has('task:cancelled')) core.events.emit('task:cancelled', { task });
      if (core.hooks.has('onUpdate')) await core.hooks.observe('onUpdate', { task, kind: 'cancel' });
      core.waiters.resolve(id, task);
      if (task.flowId !== null) await this.#outcomes.tellFlow(task);
      return true;
    } finally {
      release();
    }
  }

  /** Changes a scheduled task. Rejects with `ERR_ALREADY_DISPATCHED` once it was dispatched. */
  async update(id: string, input: UpdateInput): Promise<Task> {
    checkId(id);
    const core = this.#core;
    const patch = toPatch(input, { now: core.clock.now(), maxParamBytes: core.settings.maxParamBytes });
    const write = (): Promise<Task> => core.repository.update(id, patch);
    let task: Task;
    try {
      task = await write();
    } catch (error) {
      task = await refusedTaskWrite(core, 'update', id, write, error);
    }
    core.callerMadeDue([task]);
    core.events.emit('task:updated', { task });
    if (core.hooks.has('onUpdate')) await core.hooks.observe('onUpdate', { task, kind: 'update' });
    return task;
  }

  /** Tasks by state, work, series; scheduled ones in run order, others by creation. @default limit 100 */
  async find(query: TaskQuery = {}): Promise<Task[]> {
    return this.#core.repository.find(toQuery(query));
  }

  /** Counts by state and work, the most overdue task, and what runs here: one store read. */
  stats(): Promise<SchedulerStats> {
    return readStats(this.#core);
  }

  /**
   * Schedules a `failed`, `expired` or `cancelled` task again under its id (default: now), keeping
   * its attempts and errors; emits `task:retried`. `ERR_STATE_CONFLICT` in any other state.
   */
  retry(id: string, options?: RetryTaskOptions): Promise<Task> {
    return retryTask(this.#core, id, options);
  }

  /** Makes a scheduled task due now; refused as `update()` is (`ERR_ALREADY_DISPATCHED`...). */
  runNow(id: string): Promise<Task> {
    return runTaskNow(this.#core, id);
  }

  /** Dispatches nothing until `resume()`; running work goes on and timers keep their state. */
  pause(): void {
    this.#core.paused = true;
  }

  resume(): void {
    if (!this.#core.paused) return;
    this.#core.paused = false;
    this.#core.wake.notify();
  }

  get paused(): boolean {
    return this.#core.paused;
  }

  /** Stops a series: its pending occurrence is cancelled, a running one finishes without a successor. */
  async disable(seriesId: string): Promise<void> {
    await disableSeries(this.#core, seriesId);
  }

  /**
   * Restarts a disabled series at its first time after now. Rejects with `ERR_INVALID_SCHEDULE`
   * (the series stays disabled) when its schedule produces an unusable time.
   */
  async enable(seriesId: string): Promise<void> {
    await enableSeries(this.#core, seriesId);
  }

  /**
   * Aborts a running task through its signal and records it failed (`ERR_ABORTED`, no retry) at once.
   * False when the task is not running here.
   */
  async abort(taskId: string): Promise<boolean> {
    checkId(taskId);
    const run = this.#core.running.get(taskId);
    if (run === undefined || run.ended) return false;
    const reason = new AbortedError('the task was aborted');
    run.abort(reason);
    run.finished = this.#outcomes.finish(run, { kind: 'stopped', error: reason });
    await run.finished;
    return true;
  }

  /**
   * Deletes a series (with its tasks that are not running) or a task from the store. True if it
   * existed. A running task cannot be removed (`ERR_ALREADY_DISPATCHED`): abort it first.
   */
  remove(id: string): Promise<boolean> {
    return removeStored(this.#core, id);
  }

  /** Resolves when the loop has nothing due to dispatch and no work is running (at once unless running). */
  idle(): Promise<void> {
    return this.#core.idle();
  }

  // ---- writes from callers ----

  async #schedule(input: ScheduleInput, options: WriteOptions | undefined): Promise<Task> {
    const { transaction } = checkWriteOptions(options);
    if (typeof input === 'object' && input !== null && input.schedule !== undefined) return addSeries(this.#core, toNewSeries(input, this.#inputContext()), transaction);
    const plain = typeof input === 'object' && input !== null && input.onSuccess === undefined && input.onFailure === undefined;
    const tasks = plain ? [toNewTask(input, this.#inputContext())] : toWithCallbacks(input, this.#inputContext());
    return (await addTasks(this.#core, tasks, transaction, batchOnConflict([input], 'schedule')))[0] as Task;
  }

  #inputContext(): InputContext {
    const core = this.#core;
    return { now: core.clock.now(), maxParamBytes: core.settings.maxParamBytes, dispatcher: core.dispatcher };
  }
}
