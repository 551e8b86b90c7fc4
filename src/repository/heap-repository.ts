import { AlreadyDispatchedError, DuplicateIdError, StateConflictError, TaskCancelledError, TaskNotFoundError, TransactionUnsupportedError } from '../errors.js';
import type { Series } from '../schedule/series.js';
import { settleFlow } from '../task/flow.js';
import { appendError, createdTask, isEnded, snapshot, TaskState } from '../task/task.js';
import type { NewTask, RecoveryPolicy, Task, TaskError, TaskOutcome, TaskPatch, TaskQuery } from '../task/task.js';
import { checkKeys, checkObject, checkOnConflict } from '../validation/validate.js';
import { DueTimer } from './due-timer.js';
import { EndingWatches } from './ending-watches.js';
import { addKeyedTo, addSeriesTo } from './heap-conflicts.js';
import { findIn, purgeIn, removeIn, retryIn, statsOf } from './heap-operations.js';
import { recoverIn } from './heap-recovery.js';
import { removeSeriesIn, setSeriesEnabledIn } from './heap-series.js';
import type { HeapStore } from './heap-store.js';
import { TaskIndex } from './id-index.js';
import { baseFor } from './packed-time.js';
import { PendingHeap } from './pending-heap.js';
import { exposed, freshExtra, PendingTask } from './pending-task.js';
import type { PendingExtra } from './pending-task.js';
import { Retention } from './retention.js';
import type { RetentionOptions } from './retention.js';
import type { AddOptions, Completion, EndingWatcher, PurgeFilter, RepositoryStats, RepositoryWatcher, SeriesChange, TaskRepository } from './task-repository.js';

export interface HeapRepositoryOptions {
  /** How long ended tasks are kept. */
  readonly retention?: RetentionOptions;
}

const optionKeys = Object.keys({ retention: 0 } satisfies Record<keyof HeapRepositoryOptions, 0>);
const retentionKeys = Object.keys({ maxEnded: 0, maxAge: 0 } satisfies Record<keyof RetentionOptions, 0>);

/**
 * The in-memory repository: a Map of tasks and a binary heap of the scheduled ones. A scheduled task
 * is kept as a compact `PendingTask` record (most of the memory of a repository with many pending
 * tasks), any other as its frozen snapshot; reads hand out snapshots only (`exposed`).
 *
 * Records and snapshots are replaced, never mutated, so a heap entry is live exactly while the Map
 * still holds that same record (`PendingHeap` drops the others lazily).
 *
 * The loop's path (add, claim, complete) is written here; the rarer operations live in the
 * heap-*.ts modules and reach the same Map, heap and indexes through `HeapStore`.
 */
export class HeapRepository implements TaskRepository {
  /** A `PendingTask` for each scheduled task, the frozen snapshot for the others. */
  readonly #tasks = new Map<string, PendingTask | Task>();
  readonly #heap = new PendingHeap((record) => this.#tasks.get(record.id) === record);
  #seq = 0;
  /** What fresh records share, with the base of this repository's packed times (see `#enqueue`). */
  #fresh: PendingExtra = freshExtra(undefined);
  readonly #series = new Map<string, Series>();
  /** Task ids by series and by flow. */
  readonly #index = new TaskIndex();
  readonly #timer = new DueTimer();
  readonly #endings = new EndingWatches();
  /** What the heap-*.ts modules read and write through. */
  readonly #store: HeapStore = {
    tasks: this.#tasks,
    index: this.#index,
    series: this.#series,
    insert: (task) => this.#insert(task),
    replace: (task) => {
      this.#enqueue(task);
      this.#heap.staled();
    },
    enqueue: (task) => this.#enqueue(task),
    cancelPending: (task, now) => this.#cancelPending(task, now),
    delete: (task) => this.#delete(task),
    ended: (task, now) => this.#ended(task, now),
    settleFlow: (flowId, now) => this.#settleFlow(flowId, now),
    mayAddOccurrence: (seriesId, strict) => this.#mayAddOccurrence(seriesId, strict),
    earliest: () => this.#heap.top()?.scheduledAt,
    follow: () => this.#follow(),
  };
  readonly #retention: Retention;
  /** Retention's callback: forgets the task only if it is still the one that ended then (ids can be reused after remove()). */
  readonly #forget = (id: string, endedAt: number): void => {
    const task = this.#tasks.get(id);
    if (task !== undefined && isEnded(task.state) && task.endedAt === endedAt) {
      this.#tasks.delete(id);
      this.#index.forgotten(task);
    }
  };

  constructor(options: HeapRepositoryOptions = {}) {
    checkKeys(checkObject(options, 'HeapRepository options'), optionKeys, 'HeapRepository options');
    const { retention } = options;
    if (retention !== undefined) checkKeys(checkObject(retention, 'HeapRepository retention'), retentionKeys, 'HeapRepository retention');
    this.#retention = new Retention(retention);
  }

  /** How many tasks (of any state) the repository holds. */
  get size(): number {
    return this.#tasks.size;
  }

  add(tasks: readonly NewTask[], options?: AddOptions): Promise<Task[]> {
    if (options?.transaction !== undefined) return Promise.reject(noTransactions());
    const seen = tasks.length > 1 ? new Set<string>() : undefined;
    for (const t of tasks) {
      if (this.#tasks.has(t.id) || seen?.has(t.id) === true) return Promise.reject(new DuplicateIdError(t.id));
      seen?.add(t.id);
    }
    if (tasks.some((t) => t.key !== undefined && t.key !== null)) {
      let stored: Task[];
      try {
        stored = addKeyedTo(this.#store, tasks, checkOnConflict(options?.onConflict));
      } catch (error) {
        return Promise.reject(error);
      }
      this.#follow();
      return Promise.resolve(stored);
    }
    const stored = tasks.map((t) => this.#insert(t));
    this.#follow();
    return Promise.resolve(stored);
  }

  get(id: string): Promise<Task | undefined> {
    const task = this.#tasks.get(id);
    return Promise.resolve(task === undefined ? undefined : exposed(task));
  }

  update(id: string, patch: TaskPatch): Promise<Task> {
    const current = this.#tasks.get(id);
    if (current === undefined) return Promise.reject(new TaskNotFoundError(id));
    if (current.state === TaskState.Waiting) {
      const next = snapshot(current, patch);
      this.#tasks.set(id, next);
      return Promise.resolve(next);
    }
    if (current.state !== TaskState.Scheduled) return Promise.reject(notScheduled(current));
    const next = snapshot(current, patch);
    this.#enqueue(next);
    this.#heap.staled();
    this.#follow();
    return Promise.resolve(next);
  }

  cancel(id: string, now: number): Promise<Task | undefined> {
    const current = this.#tasks.get(id);
    if (current === undefined) return Promise.reject(new TaskNotFoundError(id));
    if (current.state === TaskState.Dispatched) return Promise.reject(new AlreadyDispatchedError(id));
    if (isEnded(current.state)) return Promise.resolve(undefined);
    const cancelled = this.#cancelPending(current, now);
    if (cancelled.flowId !== null) this.#settleFlow(cancelled.flowId, now);
    this.#follow();
    return Promise.resolve(cancelled);
  }

  claimDue(now: number, limit: number, owner: string, workLimits?: ReadonlyMap<string, number>, works?: ReadonlySet<string>): Promise<Task[]> {
    const claimed: Task[] = [];
    const left = workLimits === undefined ? undefined : new Map(workLimits);
    let skipped: PendingTask[] | undefined;
    let future: PendingTask | undefined;
    while (claimed.length < limit) {
      const top = this.#heap.top();
      if (top === undefined) break;
      if (top.scheduledAt > now) {
        future = top;
        break;
      }
      this.#heap.pop();
      const room = works !== undefined && !works.has(top.workId) ? 0 : left?.get(top.workId);
      if (room !== undefined) {
        if (room <= 0) {
          (skipped ??= []).push(top);
          continue;
        }
        left?.set(top.workId, room - 1);
      }
      const dispatched = snapshot(top, { state: TaskState.Dispatched, dispatchedAt: now, owner, attempt: top.attempt + 1 });
      this.#tasks.set(top.id, dispatched);
      claimed.push(dispatched);
    }
    if (skipped === undefined) {
      if (claimed.length > 0) this.#follow();
    } else {
      for (const task of skipped) this.#heap.push(task);
      // The skipped tasks are due but wait for their work's capacity (the Scheduler wakes itself when
      // it frees); the timer must follow the first task due after now, or that one would be missed.
      this.#timer.follow(claimed.length < limit ? future?.scheduledAt : this.#heap.top()?.scheduledAt);
    }
    return Promise.resolve(claimed);
  }

  complete(id: string, outcome: TaskOutcome, now: number, next?: NewTask): Promise<Completion> {
    const current = this.#tasks.get(id);
    if (current === undefined) return Promise.reject(new TaskNotFoundError(id));
    if (current.state !== TaskState.Dispatched) return Promise.reject(new StateConflictError(id, TaskState.Dispatched, current.state));
    if (next !== undefined && this.#tasks.has(next.id)) return Promise.reject(new DuplicateIdError(next.id));
    if (outcome.state === TaskState.Scheduled) {
      const retry = snapshot(current, { state: TaskState.Scheduled, scheduledAt: outcome.scheduledAt, errors: appendError(current.errors, outcome.error) });
      this.#enqueue(retry);
      this.#follow();
      return Promise.resolve({ task: retry });
    }
    const ended = snapshot(
      current,
      outcome.state === TaskState.Done
        ? { state: outcome.state, endedAt: now, result: outcome.result }
        : outcome.state === TaskState.Failed
          ? { state: outcome.state, endedAt: now, error: { name: outcome.error.name, message: outcome.error.message }, errors: appendError(current.errors, outcome.error) }
          : { state: outcome.state, endedAt: now, error: outcome.error },
    );
    this.#tasks.set(id, ended);
    this.#index.deactivated(ended);
    this.#ended(ended, now);
    const added = next !== undefined && this.#mayAddOccurrence(next.seriesId, false) ? this.#insert(next) : undefined;
    // Only a flow's tasks can have dependents: an ordinary task pays this one null check.
    const dependents = ended.flowId === null ? undefined : this.#settleFlow(ended.flowId, now);
    if (added !== undefined || dependents !== undefined) this.#follow();
    const completion: { -readonly [K in keyof Completion]: Completion[K] } = { task: ended };
    if (added !== undefined) completion.next = added;
    if (dependents !== undefined && dependents.length > 0) completion.dependents = dependents;
    return Promise.resolve(completion);
  }

  recover(owner: string, policy: RecoveryPolicy, now: number): Promise<Task[]> {
    return recoverIn(this.#store, owner, policy, now);
  }

  find(query: TaskQuery): Promise<Task[]> {
    return findIn(this.#store, query);
  }

  remove(id: string): Promise<boolean> {
    return removeIn(this.#store, id);
  }

  addSeries(series: Series, first: NewTask, options?: AddOptions): Promise<Task> {
    if (options?.transaction !== undefined) return Promise.reject(noTransactions());
    if (this.#tasks.has(first.id)) return Promise.reject(new DuplicateIdError(first.id));
    let added: Task;
    try {
      added = addSeriesTo(this.#store, series, first, checkOnConflict(options?.onConflict));
    } catch (error) {
      return Promise.reject(error);
    }
    this.#follow();
    return Promise.resolve(added);
  }

  getSeries(id: string): Promise<Series | undefined> {
    return Promise.resolve(this.#series.get(id));
  }

  listSeries(): Promise<Series[]> {
    return Promise.resolve([...this.#series.values()]);
  }

  setSeriesEnabled(id: string, enabled: boolean, now: number, next?: NewTask, error?: TaskError): Promise<SeriesChange> {
    return setSeriesEnabledIn(this.#store, id, enabled, now, next, error);
  }

  removeSeries(id: string): Promise<boolean> {
    return removeSeriesIn(this.#store, id);
  }

  watch(watcher: RepositoryWatcher): () => void {
    return this.#timer.watch(watcher, this.#heap.top()?.scheduledAt);
  }

  /** In one process every ending is a write through here: nothing to poll. */
  watchEndings(ids: readonly string[], watcher: EndingWatcher): () => void {
    return this.#endings.add(ids, watcher);
  }

  // ---- operations (in heap-operations.ts) ----

  stats(now: number): Promise<RepositoryStats> {
    return statsOf(this.#store, now);
  }

  retry(id: string, scheduledAt: number, now: number): Promise<Task> {
    return retryIn(this.#store, id, scheduledAt, now);
  }

  purge(filter: PurgeFilter): Promise<number> {
    return purgeIn(this.#store, filter);
  }

  /** Stores a new task; returns its first snapshot (the caller's to hand out, the repository keeps a record). */
  #insert(t: NewTask): Task {
    const task = createdTask(t, this.#seq++);
    // A waiting step is not claimable: it stays out of the heap until its parents release it.
    if (task.state === TaskState.Waiting) this.#tasks.set(task.id, task);
    else this.#enqueue(task);
    this.#index.added(task);
    return task;
  }

  /** Releases or cancels the flow's waiting steps that the ending of one of its tasks decided; returns them. */
  #settleFlow(flowId: string, now: number): Task[] {
    const members: Task[] = [];
    for (const id of this.#index.byFlow.get(flowId) ?? []) members.push(this.#tasks.get(id) as Task);
    const changed: Task[] = [];
    for (const change of settleFlow(members, now)) {
      const current = this.#tasks.get(change.id) as Task;
      if (change.state === TaskState.Scheduled) {
        const released = snapshot(current, { state: TaskState.Scheduled, scheduledAt: change.scheduledAt });
        this.#enqueue(released);
        changed.push(released);
      } else {
        const cancelled = snapshot(current, { state: TaskState.Cancelled, endedAt: now, error: change.error });
        this.#tasks.set(cancelled.id, cancelled);
        this.#ended(cancelled, now);
        changed.push(cancelled);
      }
    }
    return changed;
  }

  /** Whether a series may get a new occurrence: it exists, is enabled, and has no scheduled (or, `strict`, running) one. */
  #mayAddOccurrence(seriesId: string | null, strict: boolean): boolean {
    if (seriesId === null || this.#series.get(seriesId)?.enabled !== true) return false;
    for (const taskId of this.#index.active.get(seriesId) ?? []) {
      const state = this.#tasks.get(taskId)?.state;
      if (state === TaskState.Scheduled || (strict && state === TaskState.Dispatched)) return false;
    }
    return true;
  }

  /** Cancels a scheduled or waiting task (only a scheduled one has a heap entry to stale). */
  #cancelPending(current: Task, now: number): Task {
    const cancelled = snapshot(current, { state: TaskState.Cancelled, endedAt: now });
    this.#tasks.set(cancelled.id, cancelled);
    if (current.state === TaskState.Scheduled) this.#heap.staled();
    this.#index.deactivated(cancelled);
    this.#ended(cancelled, now);
    return cancelled;
  }

  #delete(task: Task): void {
    this.#tasks.delete(task.id);
    if (task.state === TaskState.Scheduled) this.#heap.staled();
    this.#index.deactivated(task);
    this.#index.forgotten(task);
  }

  /** Keeps a scheduled task as its record, in the Map and in the heap. */
  #enqueue(task: Task): void {
    // The base is taken from the first time that can be one, then fixed. Records made before hold
    // no time that could be an offset, so they never need it.
    if (this.#fresh.base === undefined) {
      const base = baseFor(task.scheduledAt) ?? baseFor(task.createdAt);
      if (base !== undefined) this.#fresh = freshExtra(base);
    }
    const record = new PendingTask(task, this.#fresh);
    this.#tasks.set(task.id, record);
    this.#heap.push(record);
  }

  /** A task ended: retention counts it, and its watchers hear of it. */
  #ended(task: Task, now: number): void {
    this.#retention.ended(task.id, now, this.#forget);
    this.#endings.ended(task);
  }

  #follow(): void {
    this.#timer.follow(this.#heap.top()?.scheduledAt);
  }
}

function noTransactions(): Error {
  return new TransactionUnsupportedError('the heap repository has no transactions to join: schedule without { manager }, or use the TypeORM repository');
}

function notScheduled(task: Task): Error {
  return task.state === TaskState.Cancelled ? new TaskCancelledError(task.id) : new AlreadyDispatchedError(task.id, task.state);
}
