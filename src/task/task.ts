/**
 * The task model. A task is a plain, JSON-serialisable value: times are UTC epoch milliseconds,
 * `param` and `result` are JSON, `error` is the name and message of what the work threw.
 * Repositories hand out frozen snapshots; a change is a new snapshot.
 */
export const TaskState = {
  Scheduled: 'scheduled',
  Dispatched: 'dispatched',
  Done: 'done',
  Failed: 'failed',
  Cancelled: 'cancelled',
} as const;
export type TaskState = (typeof TaskState)[keyof typeof TaskState];

/** The states a task can end in; an ended task never changes again. */
export type EndedState = typeof TaskState.Done | typeof TaskState.Failed | typeof TaskState.Cancelled;

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

export interface TaskError {
  readonly name: string;
  readonly message: string;
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
  readonly error: TaskError | null;
  /** How many times the task was dispatched (claimed); 0 until it first runs. */
  readonly attempt: number;
  /** Which scheduler instance claimed it last (`SchedulerOptions.owner`), null until then. */
  readonly owner: string | null;
  /** True once crash recovery took it over from a run that never recorded an outcome. */
  readonly recovered: boolean;
}

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
}

/** The fields an update may change, only while the task is still `scheduled`. */
export interface TaskPatch {
  readonly scheduledAt?: number;
  readonly param?: JsonValue;
  readonly priority?: number;
  readonly meta?: Readonly<Record<string, string>>;
}

/** How a dispatched task ended, as the repository records it. */
export type TaskOutcome =
  | { readonly state: typeof TaskState.Done; readonly result: JsonValue }
  | { readonly state: typeof TaskState.Failed; readonly error: TaskError };

export function isEnded(state: TaskState): state is EndedState {
  return state === TaskState.Done || state === TaskState.Failed || state === TaskState.Cancelled;
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
