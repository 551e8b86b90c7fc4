import { createdTask, noErrors, snapshot, TaskState } from '../task/task.js';
import type { AttemptError, Dependency, JsonValue, KeyHeld, RetryPolicy, Task, TaskError } from '../task/task.js';
import { packTime, unpackTime } from './packed-time.js';
import type { PackedTime } from './packed-time.js';

/**
 * The fields in which a scheduled task differs from a freshly created one without series, retry,
 * timeout or deadline, and the base of the record's packed times. Most pending tasks have none of
 * those fields, and then share their repository's fresh `PendingExtra` (see `freshExtra`): the base
 * lives here so that it costs those records nothing.
 */
export class PendingExtra {
  /** The base of the packed times of the records that point here (one per repository). */
  readonly base: number | undefined;
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
  readonly flowId: string | null;
  readonly dependsOn: Dependency | null;
  readonly key: string | null;
  readonly keyHeld: KeyHeld | null;

  constructor(task: Task, base: number | undefined) {
    this.base = base;
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
    this.flowId = task.flowId;
    this.dependsOn = task.dependsOn;
    this.key = task.key;
    this.keyHeld = task.keyHeld;
  }
}

const freshTask = createdTask({ id: '', workId: '', param: null, scheduledAt: 0, priority: 0, meta: {}, createdAt: 0, seriesId: null, retry: null, timeout: null, deadline: null }, 0);

/**
 * The extra fields of every fresh task, for a repository whose packed times have `base`: its fresh
 * records share it, so each costs one pointer for them.
 */
export function freshExtra(base: number | undefined): PendingExtra {
  return new PendingExtra(freshTask, base);
}

/** Whether every field `PendingExtra` would hold has the value `createdTask()` gives it. */
function isFresh(task: Task): boolean {
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
    task.errors === noErrors &&
    task.flowId === null &&
    task.dependsOn === null &&
    task.key === null
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
  /** The repository's fresh extra (shared) when the task has the fresh defaults (see `isFresh`). */
  readonly #extra: PendingExtra;

  /**
   * The compact form of `task`, which must be `scheduled`, with its times packed against the base
   * of `fresh`, its repository's `freshExtra`.
   */
  constructor(task: Task, fresh: PendingExtra) {
    this.id = task.id;
    this.workId = task.workId;
    this.param = task.param;
    this.priority = task.priority;
    this.seq = task.seq;
    this.meta = task.meta;
    this.#scheduledAt = packTime(task.scheduledAt, fresh.base);
    this.#createdAt = packTime(task.createdAt, fresh.base);
    this.#extra = isFresh(task) ? fresh : new PendingExtra(task, fresh.base);
  }

  /**
   * `compareTasks` for records of one repository, which the heap calls about 2 log n times per
   * claim: two offsets from the same base compare as they are (the difference is the same,
   * exactly), without the getters.
   */
  static compare(this: void, a: PendingTask, b: PendingTask): number {
    const x = a.#scheduledAt;
    const y = b.#scheduledAt;
    return (typeof x === 'number' && typeof y === 'number' ? x - y : unpackTime(x, a.#extra.base) - unpackTime(y, b.#extra.base)) || b.priority - a.priority || a.seq - b.seq;
  }

  get scheduledAt(): number {
    return unpackTime(this.#scheduledAt, this.#extra.base);
  }

  get createdAt(): number {
    return unpackTime(this.#createdAt, this.#extra.base);
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

  get flowId(): string | null {
    return this.#extra.flowId;
  }

  get dependsOn(): Dependency | null {
    return this.#extra.dependsOn;
  }

  get key(): string | null {
    return this.#extra.key;
  }

  get keyHeld(): KeyHeld | null {
    return this.#extra.keyHeld;
  }

  /** The frozen snapshot this record stands for, equal field by field to the one it was made from. */
  toTask(): Task {
    return snapshot(this, noChange);
  }
}

const noChange = Object.freeze({});

/** What leaves a repository: the snapshot a record stands for, or the stored snapshot itself. */
export function exposed(task: PendingTask | Task): Task {
  return task instanceof PendingTask ? task.toTask() : task;
}
