import { Heap } from '@datastructures-js/heap';
import {
  AlreadyDispatchedError,
  DuplicateIdError,
  InvalidArgumentError,
  TaskCancelledError,
  TaskNotFoundError,
} from '../errors.js';
import { compareTasks, crashError, isEnded, RecoveryPolicy, TaskState } from '../task/task.js';
import type { NewTask, Task, TaskOutcome, TaskPatch } from '../task/task.js';
import { DueTimer } from './due-timer.js';
import { Retention } from './retention.js';
import type { RetentionOptions } from './retention.js';
import type { RepositoryWatcher, TaskRepository } from './task-repository.js';

export interface HeapRepositoryOptions {
  /** How long ended tasks are kept. */
  readonly retention?: RetentionOptions;
}

/**
 * The in-memory repository: a Map of frozen task snapshots and a binary heap of scheduled ones.
 *
 * Snapshots are replaced, never mutated, so a heap entry is live exactly while the Map still holds
 * that same object (and it is scheduled). Cancels and updates therefore cost O(1) plus one O(log n)
 * push; the entries they leave behind are dropped lazily when they reach the top, and the heap is
 * rebuilt once stale entries outnumber live ones, which keeps memory and every operation O(log n)
 * amortised without index bookkeeping on each swap.
 */
export class HeapRepository implements TaskRepository {
  readonly #tasks = new Map<string, Task>();
  #heap = new Heap<Task>(compareTasks);
  #stale = 0;
  #seq = 0;
  readonly #timer = new DueTimer();
  readonly #retention: Retention;
  readonly #forget = (id: string): void => {
    this.#tasks.delete(id);
  };

  constructor(options: HeapRepositoryOptions = {}) {
    this.#retention = new Retention(options.retention);
  }

  /** How many tasks (of any state) the repository holds. */
  get size(): number {
    return this.#tasks.size;
  }

  add(tasks: readonly NewTask[]): Promise<Task[]> {
    const seen = new Set<string>();
    for (const t of tasks) {
      if (this.#tasks.has(t.id) || seen.has(t.id)) return Promise.reject(new DuplicateIdError(t.id));
      seen.add(t.id);
    }
    const stored = tasks.map((t) => {
      const task: Task = Object.freeze({
        id: t.id,
        workId: t.workId,
        param: t.param,
        scheduledAt: t.scheduledAt,
        priority: t.priority,
        seq: this.#seq++,
        meta: t.meta,
        state: TaskState.Scheduled,
        createdAt: t.createdAt,
        dispatchedAt: null,
        endedAt: null,
        result: null,
        error: null,
        attempt: 0,
        owner: null,
        recovered: false,
      });
      this.#tasks.set(task.id, task);
      this.#heap.push(task);
      return task;
    });
    this.#follow();
    return Promise.resolve(stored);
  }

  get(id: string): Promise<Task | undefined> {
    return Promise.resolve(this.#tasks.get(id));
  }

  update(id: string, patch: TaskPatch): Promise<Task> {
    const current = this.#tasks.get(id);
    if (current === undefined) return Promise.reject(new TaskNotFoundError(id));
    if (current.state !== TaskState.Scheduled) return Promise.reject(notScheduled(current));
    const next = Object.freeze({ ...current, ...patch });
    this.#replace(next);
    this.#heap.push(next);
    this.#follow();
    return Promise.resolve(next);
  }

  cancel(id: string, now: number): Promise<Task | undefined> {
    const current = this.#tasks.get(id);
    if (current === undefined) return Promise.reject(new TaskNotFoundError(id));
    if (current.state === TaskState.Dispatched) return Promise.reject(new AlreadyDispatchedError(id));
    if (isEnded(current.state)) return Promise.resolve(undefined);
    const cancelled = Object.freeze({ ...current, state: TaskState.Cancelled, endedAt: now });
    this.#replace(cancelled);
    this.#retention.ended(id, now, this.#forget);
    this.#follow();
    return Promise.resolve(cancelled);
  }

  claimDue(now: number, limit: number, owner: string): Promise<Task[]> {
    const claimed: Task[] = [];
    while (claimed.length < limit) {
      const top = this.#liveTop();
      if (top === undefined || top.scheduledAt > now) break;
      this.#heap.pop();
      const dispatched = Object.freeze({ ...top, state: TaskState.Dispatched, dispatchedAt: now, owner, attempt: top.attempt + 1 });
      this.#tasks.set(top.id, dispatched);
      claimed.push(dispatched);
    }
    if (claimed.length > 0) this.#follow();
    return Promise.resolve(claimed);
  }

  complete(id: string, outcome: TaskOutcome, now: number): Promise<Task> {
    const current = this.#tasks.get(id);
    if (current === undefined) return Promise.reject(new TaskNotFoundError(id));
    if (current.state !== TaskState.Dispatched) {
      return Promise.reject(new InvalidArgumentError(`complete(${JSON.stringify(id)})`, 'a dispatched task', `a ${current.state} task`));
    }
    const ended = Object.freeze(
      outcome.state === TaskState.Done
        ? { ...current, state: outcome.state, endedAt: now, result: outcome.result }
        : { ...current, state: outcome.state, endedAt: now, error: outcome.error },
    );
    this.#tasks.set(id, ended);
    this.#retention.ended(id, now, this.#forget);
    return Promise.resolve(ended);
  }

  recover(owner: string, policy: RecoveryPolicy, now: number): Promise<Task[]> {
    const recovered: Task[] = [];
    for (const task of this.#tasks.values()) {
      if (task.state !== TaskState.Dispatched || task.owner !== owner) continue;
      const next = Object.freeze(
        policy === RecoveryPolicy.Rerun
          ? { ...task, state: TaskState.Scheduled, recovered: true }
          : { ...task, state: TaskState.Failed, recovered: true, endedAt: now, error: crashError },
      );
      recovered.push(next);
    }
    recovered.sort((a, b) => a.seq - b.seq);
    for (const task of recovered) {
      this.#tasks.set(task.id, task);
      if (task.state === TaskState.Scheduled) this.#heap.push(task);
      else this.#retention.ended(task.id, now, this.#forget);
    }
    this.#follow();
    return Promise.resolve(recovered);
  }

  findByState(state: TaskState, limit = Infinity): Promise<Task[]> {
    const found: Task[] = [];
    for (const task of this.#tasks.values()) if (task.state === state) found.push(task);
    found.sort(state === TaskState.Scheduled ? compareTasks : (a, b) => a.seq - b.seq);
    return Promise.resolve(found.length > limit ? found.slice(0, limit) : found);
  }

  watch(watcher: RepositoryWatcher): () => void {
    return this.#timer.watch(watcher, this.#liveTop()?.scheduledAt);
  }

  /** Swaps in a new snapshot of a scheduled task; its old heap entry becomes stale. */
  #replace(next: Task): void {
    this.#tasks.set(next.id, next);
    this.#stale++;
    if (this.#stale > 1024 && this.#stale * 2 > this.#heap.size()) this.#compact();
  }

  /** The earliest live heap entry, dropping stale ones on the way. */
  #liveTop(): Task | undefined {
    for (;;) {
      const top = this.#heap.top();
      if (top === null) return undefined;
      if (this.#tasks.get(top.id) === top) return top;
      this.#heap.pop();
      this.#stale--;
    }
  }

  #compact(): void {
    const live = this.#heap.toArray().filter((t) => this.#tasks.get(t.id) === t);
    this.#heap = new Heap<Task>(compareTasks, live);
    this.#stale = 0;
  }

  #follow(): void {
    this.#timer.follow(this.#liveTop()?.scheduledAt);
  }
}

function notScheduled(task: Task): Error {
  return task.state === TaskState.Cancelled ? new TaskCancelledError(task.id) : new AlreadyDispatchedError(task.id);
}
