/**
 * The task model. A task is a plain, JSON-serialisable value: times are UTC epoch milliseconds,
 * `param` and `result` are JSON, errors are the name and message of what the work threw.
 * Repositories hand out frozen snapshots; a change is a new snapshot.
 *
 * States: `scheduled` → `dispatched` → `done` | `failed`, or back to `scheduled` for a retry;
 * `scheduled` → `cancelled`; `scheduled`/`dispatched` → `expired` when its deadline passed before it
 * started (or a misfired series occurrence was skipped). Ended states never change again.
 * A flow step that waits for other tasks (`dependsOn`) starts `waiting`: it is stored but never
 * claimed; the write that ends its last parent moves it to `scheduled`, or ends it `cancelled`
 * when a parent ended in a way its condition does not accept (see flow.ts).
 */
export const TaskState = {
  Scheduled: 'scheduled',
  Dispatched: 'dispatched',
  Done: 'done',
  Failed: 'failed',
  Cancelled: 'cancelled',
  Expired: 'expired',
  Waiting: 'waiting',
} as const;
export type TaskState = (typeof TaskState)[keyof typeof TaskState];

/** The states a task can end in; an ended task never changes again. */
export type EndedState = typeof TaskState.Done | typeof TaskState.Failed | typeof TaskState.Cancelled | typeof TaskState.Expired;

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export interface TaskError {
  readonly name: string;
  readonly message: string;
}

/** One failed attempt, kept in `Task.errors` (the latest `maxErrorHistory`). */
export interface AttemptError extends TaskError {
  readonly attempt: number;
  /** When the attempt ended (epoch ms). */
  readonly at: number;
}

/** How many failed attempts a task keeps in `errors`. */
export const maxErrorHistory = 20;

export const Backoff = {
  Fixed: 'fixed',
  Exponential: 'exponential',
  Fibonacci: 'fibonacci',
} as const;
export type Backoff = (typeof Backoff)[keyof typeof Backoff];

/** When and how often a failed task runs again. Stored with the task, so it survives restarts. */
export interface RetryPolicy {
  /** Total attempts, the first included: 1 means no retry. */
  readonly attempts: number;
  readonly backoff: Backoff;
  /** The base delay in ms: the fixed delay, or the first step of the growing ones. */
  readonly delay: number;
  /** No retry waits longer than this (ms). */
  readonly maxDelay: number;
  /** 0..1: each delay is spread uniformly over ±jitter of itself (then capped by maxDelay). */
  readonly jitter: number;
}

/** Which endings of its parents release a waiting task (any other ending cancels it). */
export const ReleaseWhen = {
  /** Every parent ended `done`: a chain step, a chord's callback, an `onSuccess` callback. */
  AllDone: 'done',
  /** Every parent ended, in any state: a chord's callback with `runOnFailure`. */
  AllEnded: 'ended',
  /** The parent ended `failed` or `expired`: an `onFailure` callback. */
  AnyFailed: 'failed',
} as const;
export type ReleaseWhen = (typeof ReleaseWhen)[keyof typeof ReleaseWhen];

/** What a waiting flow step waits for. Stored with the task, so it survives restarts. */
export interface Dependency {
  /** The ids of the tasks it waits for, in the order its work receives them. */
  readonly parents: readonly string[];
  readonly when: ReleaseWhen;
  /** Ms after its release at which it becomes due (never before its own `scheduledAt`). */
  readonly delay: number;
}

export interface Task {
  readonly id: string;
  readonly workId: string;
  readonly param: JsonValue;
  /** When the task is due (epoch ms). It never starts before this. */
  readonly scheduledAt: number;
  /** Higher runs first among tasks due at the same time. */
  readonly priority: number;
  /** Creation order, assigned by the repository: breaks ties between equal times and priorities (FIFO). */
  readonly seq: number;
  readonly meta: Readonly<Record<string, string>>;
  readonly state: TaskState;
  readonly createdAt: number;
  readonly dispatchedAt: number | null;
  readonly endedAt: number | null;
  readonly result: JsonValue;
  /** The error the task ended with (failed or expired), null otherwise. */
  readonly error: TaskError | null;
  /** How many times the task was dispatched (claimed); 0 until it first runs. */
  readonly attempt: number;
  /** Which scheduler instance claimed it last (`SchedulerOptions.owner`), null until then. */
  readonly owner: string | null;
  /** True once crash recovery took it over from a run that never recorded an outcome. */
  readonly recovered: boolean;
  /** The recurring series this task is an occurrence of, or null for a one-off task. */
  readonly seriesId: string | null;
  /** Null: a failure is final. */
  readonly retry: RetryPolicy | null;
  /** Ms a single attempt may run before its signal aborts and the attempt fails; null: no limit. */
  readonly timeout: number | null;
  /** Epoch ms after which the task must not start any more (it ends `expired`); null: none. */
  readonly deadline: number | null;
  /** Errors of failed attempts, oldest first, the latest `maxErrorHistory` kept. */
  readonly errors: readonly AttemptError[];
  /** The flow (chain, group, callbacks) this task is a step of, or null for a task outside a flow. */
  readonly flowId: string | null;
  /** What a flow step waits for before it may run; null: nothing. */
  readonly dependsOn: Dependency | null;
  /**
   * The dedup key: while this task holds it, no other task is scheduled with it (see `KeyHeld`).
   * A running task that gave its key to a newer one has null here.
   */
  readonly key: string | null;
  /** How long the task holds `key`; null without a key. */
  readonly keyHeld: KeyHeld | null;
}

/**
 * How long a task holds its dedup key: while `scheduled` (a second schedule with the key while it
 * runs adds a new task, which takes the key over), or until it ends (none is added while it runs).
 */
export const KeyHeld = {
  WhileScheduled: 'scheduled',
  UntilEnded: 'ended',
} as const;
export type KeyHeld = (typeof KeyHeld)[keyof typeof KeyHeld];

/** What crash recovery does with tasks a previous run left `dispatched`. */
export const RecoveryPolicy = {
  /** Run them again (at-least-once delivery). */
  Rerun: 'rerun',
  /** End them `failed` with a `CrashRecovery` error (at-most-once delivery). */
  Fail: 'fail',
} as const;
export type RecoveryPolicy = (typeof RecoveryPolicy)[keyof typeof RecoveryPolicy];

/** What a repository needs to store a new task; it assigns `seq` and the initial state. */
export interface NewTask {
  readonly id: string;
  readonly workId: string;
  readonly param: JsonValue;
  readonly scheduledAt: number;
  readonly priority: number;
  readonly meta: Readonly<Record<string, string>>;
  readonly createdAt: number;
  readonly seriesId: string | null;
  readonly retry: RetryPolicy | null;
  readonly timeout: number | null;
  readonly deadline: number | null;
  /** @default null */
  readonly flowId?: string | null;
  /** A task with parents is stored `waiting`. @default null */
  readonly dependsOn?: Dependency | null;
  /** @default null */
  readonly key?: string | null;
  /** @default null, or 'scheduled' with a key */
  readonly keyHeld?: KeyHeld | null;
}

/** The fields an update may change, only while the task is still `scheduled`. */
export interface TaskPatch {
  readonly scheduledAt?: number;
  readonly param?: JsonValue;
  readonly priority?: number;
  readonly meta?: Readonly<Record<string, string>>;
}

/**
 * How a dispatched task ended, as the repository records it: an end state, or back to
 * `scheduled` at a later time for a retry (its error goes to the history).
 */
export type TaskOutcome =
  | { readonly state: typeof TaskState.Done; readonly result: JsonValue }
  | { readonly state: typeof TaskState.Failed; readonly error: AttemptError }
  | { readonly state: typeof TaskState.Expired; readonly error: TaskError }
  | { readonly state: typeof TaskState.Scheduled; readonly scheduledAt: number; readonly error: AttemptError };

/** What `find()` filters on. Results: scheduled tasks in run order, others by seq; paged by limit/offset. */
export interface TaskQuery {
  readonly state?: TaskState;
  readonly workId?: string;
  readonly seriesId?: string;
  readonly flowId?: string;
  /** @default 100 */
  readonly limit?: number;
  /** @default 0 */
  readonly offset?: number;
}

export function isEnded(state: TaskState): state is EndedState {
  return state === TaskState.Done || state === TaskState.Failed || state === TaskState.Cancelled || state === TaskState.Expired;
}

/**
 * The order in which due tasks run: earlier time first, then higher priority, then creation order.
 * Negative when `a` runs before `b`.
 */
export function compareTasks(a: Task, b: Task): number {
  return a.scheduledAt - b.scheduledAt || b.priority - a.priority || a.seq - b.seq;
}

/** The error recorded on tasks that crash recovery ends `failed`. */
export const crashError: TaskError = Object.freeze({
  name: 'CrashRecovery',
  message: 'the process running this task stopped before recording its outcome',
});

/** The history after one more failed attempt: appended, the oldest dropped beyond the bound. */
export function appendError(errors: readonly AttemptError[], error: AttemptError): readonly AttemptError[] {
  const next = errors.length >= maxErrorHistory ? errors.slice(errors.length - maxErrorHistory + 1) : errors.slice();
  next.push(error);
  return Object.freeze(next);
}

/** Whether `task` matches `query`'s filters (not its paging). */
export function matchesQuery(task: Task, query: TaskQuery): boolean {
  return (
    (query.state === undefined || task.state === query.state) &&
    (query.workId === undefined || task.workId === query.workId) &&
    (query.seriesId === undefined || task.seriesId === query.seriesId) &&
    (query.flowId === undefined || task.flowId === query.flowId)
  );
}

/** The fields a repository changes when it writes a new snapshot of a task. */
export type TaskChange = { -readonly [K in keyof Task]?: Task[K] };

/**
 * A new frozen snapshot: `task` with `change` applied. Written field by field on purpose: V8
 * copies a frozen object with spread (`{ ...task }`) on a slow path, about ten times slower than
 * these plain reads, and repositories make one snapshot per state change on the hot path.
 */
export function snapshot(task: Task, change: TaskChange): Task {
  return Object.freeze({
    id: task.id,
    workId: task.workId,
    param: change.param === undefined ? task.param : change.param,
    scheduledAt: change.scheduledAt === undefined ? task.scheduledAt : change.scheduledAt,
    priority: change.priority === undefined ? task.priority : change.priority,
    seq: task.seq,
    meta: change.meta === undefined ? task.meta : change.meta,
    state: change.state === undefined ? task.state : change.state,
    createdAt: task.createdAt,
    dispatchedAt: change.dispatchedAt === undefined ? task.dispatchedAt : change.dispatchedAt,
    endedAt: change.endedAt === undefined ? task.endedAt : change.endedAt,
    result: change.result === undefined ? task.result : change.result,
    error: change.error === undefined ? task.error : change.error,
    attempt: change.attempt === undefined ? task.attempt : change.attempt,
    owner: change.owner === undefined ? task.owner : change.owner,
    recovered: change.recovered === undefined ? task.recovered : change.recovered,
    seriesId: task.seriesId,
    retry: task.retry,
    timeout: task.timeout,
    deadline: task.deadline,
    errors: change.errors === undefined ? task.errors : change.errors,
    flowId: task.flowId,
    dependsOn: task.dependsOn,
    key: change.key === undefined ? task.key : change.key,
    keyHeld: task.keyHeld,
  });
}

/** The error history of a task that never failed: one shared frozen array. */
export const noErrors: readonly AttemptError[] = Object.freeze([]);

/** The first snapshot of a new task, as every repository stores it: `scheduled` (or `waiting`), never run. */
export function createdTask(t: NewTask, seq: number): Task {
  return Object.freeze({
    id: t.id,
    workId: t.workId,
    param: t.param,
    scheduledAt: t.scheduledAt,
    priority: t.priority,
    seq,
    meta: t.meta,
    state: t.dependsOn === undefined || t.dependsOn === null ? TaskState.Scheduled : TaskState.Waiting,
    createdAt: t.createdAt,
    dispatchedAt: null,
    endedAt: null,
    result: null,
    error: null,
    attempt: 0,
    owner: null,
    recovered: false,
    seriesId: t.seriesId,
    retry: t.retry,
    timeout: t.timeout,
    deadline: t.deadline,
    errors: noErrors,
    flowId: t.flowId ?? null,
    dependsOn: t.dependsOn ?? null,
    key: t.key ?? null,
    keyHeld: t.key === undefined || t.key === null ? null : (t.keyHeld ?? KeyHeld.WhileScheduled),
  });
}

/**
 * What adding a series whose id exists (or a task whose `key` a pending task holds) does: refuse
 * with a typed error, keep what is stored (and return it), or replace it with the new definition.
 */
export const OnConflict = {
  Reject: 'reject',
  Keep: 'keep',
  Replace: 'replace',
} as const;
export type OnConflict = (typeof OnConflict)[keyof typeof OnConflict];
