import { createdTask, noErrors, snapshot, TaskState } from '../task/task.js';
import type { AttemptError, JsonValue, RetryPolicy, Task, TaskError } from '../task/task.js';
import { packTime, unpackTime } from './packed-time.js';
import type { PackedTime } from './packed-time.js';

/**
 * The fields in which a scheduled task differs from a freshly created one without series, retry,
 * timeout or deadline. Most pending tasks have none of them, and then share one `PendingExtra`.
 */
class PendingExtra {
  readonly seriesId: string | null;
  readonly retry: RetryPolicy | null;
  readonly timeout: number | null;
  readonly deadline: number | null;
  readonly dispatchedAt: number | null;
  readonly endedAt: number | null;
  readonly result: JsonValue;
  readonly error: TaskError | null;
  readonly attempt: number;
  readonly owner: string | null;
  readonly recovered: boolean;
  readonly errors: readonly AttemptError[];

  constructor(task: Task) {
    this.seriesId = task.seriesId;
    this.retry = task.retry;
    this.timeout = task.timeout;
    this.deadline = task.deadline;
    this.dispatchedAt = task.dispatchedAt;
    this.endedAt = task.endedAt;
    this.result = task.result;
    this.error = task.error;
    this.attempt = task.attempt;
    this.owner = task.owner;
    this.recovered = task.recovered;
    this.errors = task.errors;
  }
}

/** The extra fields of every fresh task, shared: a fresh record costs one pointer for them. */
const freshExtra = new PendingExtra(createdTask({ id: '', workId: '', param: null, scheduledAt: 0, priority: 0, meta: {}, createdAt: 0, seriesId: null, retry: null, timeout: null, deadline: null }, 0));

/** Whether every field `PendingExtra` would hold has the value `createdTask()` gives it. */
function fresh(task: Task): boolean {
  return (
    task.seriesId === null &&
    task.retry === null &&
    task.timeout === null &&
    task.deadline === null &&
    task.dispatchedAt === null &&
    task.endedAt === null &&
    task.result === null &&
    task.error === null &&
    task.attempt === 0 &&
    task.owner === null &&
    task.recovered === false &&
    task.errors === noErrors
  );
}

/**
 * How HeapRepository keeps a `scheduled` task: what a pending task needs most of the time (9 fields,
 * times as Smi offsets) instead of the 21 fields and two boxed times of a frozen snapshot, which is
 * most of the memory a scheduler with many pending tasks holds. It reads as a `Task` (getters), so the
 * repository checks states and filters records and snapshots alike; but it is neither frozen nor a
 * plain object, so it never leaves the repository, which hands out `toTask()` instead.
 */
export class PendingTask implements Task {
  readonly id: string;
  readonly workId: string;
  readonly param: JsonValue;
  readonly priority: number;
  readonly seq: number;
  readonly meta: Readonly<Record<string, string>>;
  readonly #scheduledAt: PackedTime;
  readonly #createdAt: PackedTime;
  /** `freshExtra` (shared) when the task has the fresh defaults (see `fresh`). */
  readonly #extra: PendingExtra;

  /** The compact form of `task`, which must be `scheduled`. */
  constructor(task: Task) {
    this.id = task.id;
    this.workId = task.workId;
    this.param = task.param;
    this.priority = task.priority;
    this.seq = task.seq;
    this.meta = task.meta;
    this.#scheduledAt = packTime(task.scheduledAt);
    this.#createdAt = packTime(task.createdAt);
    this.#extra = fresh(task) ? freshExtra : new PendingExtra(task);
  }

  /**
   * `compareTasks` for records, which the heap calls about 2 log n times per claim: two offsets from
   * the same base compare as they are (the difference is the same, exactly), without the getters.
   */
  static compare(this: void, a: PendingTask, b: PendingTask): number {
    const x = a.#scheduledAt;
    const y = b.#scheduledAt;
    return (typeof x === 'number' && typeof y === 'number' ? x - y : unpackTime(x) - unpackTime(y)) || b.priority - a.priority || a.seq - b.seq;
  }

  get scheduledAt(): number {
    return unpackTime(this.#scheduledAt);
  }

  get createdAt(): number {
    return unpackTime(this.#createdAt);
  }

  get state(): TaskState {
    return TaskState.Scheduled;
  }

  get seriesId(): string | null {
    return this.#extra.seriesId;
  }

  get retry(): RetryPolicy | null {
    return this.#extra.retry;
  }

  get timeout(): number | null {
    return this.#extra.timeout;
  }

  get deadline(): number | null {
    return this.#extra.deadline;
  }

  get dispatchedAt(): number | null {
    return this.#extra.dispatchedAt;
  }

  get endedAt(): number | null {
    return this.#extra.endedAt;
  }

  get result(): JsonValue {
    return this.#extra.result;
  }

  get error(): TaskError | null {
    return this.#extra.error;
  }

  get attempt(): number {
    return this.#extra.attempt;
  }

  get owner(): string | null {
    return this.#extra.owner;
  }

  get recovered(): boolean {
    return this.#extra.recovered;
  }

  get errors(): readonly AttemptError[] {
    return this.#extra.errors;
  }

  /** The frozen snapshot this record stands for, equal field by field to the one it was made from. */
  toTask(): Task {
    return snapshot(this, noChange);
  }
}

const noChange = Object.freeze({});
