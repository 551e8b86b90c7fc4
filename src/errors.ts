/**
 * Every error kokugen throws is a `KokugenError` with a stable `code`. Callers match on `code`
 * (or `instanceof`), never on the message, which is for people and may change.
 */
export const ErrorCode = {
  InvalidArgument: 'ERR_INVALID_ARGUMENT',
  UnknownWork: 'ERR_UNKNOWN_WORK',
  TaskNotFound: 'ERR_TASK_NOT_FOUND',
  SeriesNotFound: 'ERR_SERIES_NOT_FOUND',
  AlreadyDispatched: 'ERR_ALREADY_DISPATCHED',
  TaskCancelled: 'ERR_TASK_CANCELLED',
  DuplicateId: 'ERR_DUPLICATE_ID',
  NotRunning: 'ERR_NOT_RUNNING',
  PoolFull: 'ERR_POOL_FULL',
  Aborted: 'ERR_ABORTED',
  HookTimeout: 'ERR_HOOK_TIMEOUT',
  HookFailed: 'ERR_HOOK_FAILED',
  ListenerFailed: 'ERR_LISTENER_FAILED',
  InvalidResult: 'ERR_INVALID_RESULT',
  NonErrorThrown: 'ERR_NON_ERROR_THROWN',
  Timeout: 'ERR_TIMEOUT',
  RetryLater: 'ERR_RETRY_LATER',
  StateConflict: 'ERR_STATE_CONFLICT',
  InvalidSchedule: 'ERR_INVALID_SCHEDULE',
  WorkModule: 'ERR_WORK_MODULE',
  StoreLost: 'ERR_STORE_LOST',
  DriverNotInstalled: 'ERR_DRIVER_NOT_INSTALLED',
  RouteNotFound: 'ERR_ROUTE_NOT_FOUND',
  MethodNotAllowed: 'ERR_METHOD_NOT_ALLOWED',
  Forbidden: 'ERR_FORBIDDEN',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class KokugenError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  // Each class names itself: a minifier renames classes, so `constructor.name` would not be stable.
  override get name(): string {
    return 'KokugenError';
  }
}

/**
 * Bad input at a public edge. The message says what was expected and what arrived; `got` is
 * described briefly (never echoed whole) unless `described` says it is already a description.
 */
export class InvalidArgumentError extends KokugenError {
  override get name(): string {
    return 'InvalidArgumentError';
  }

  constructor(what: string, expected: string, got: unknown, options?: { cause?: unknown; described?: boolean }) {
    const text = options?.described === true && typeof got === 'string' ? got : describe(got);
    super(ErrorCode.InvalidArgument, `${what}: expected ${expected}, got ${text}`, options);
  }
}

export class UnknownWorkError extends KokugenError {
  override get name(): string {
    return 'UnknownWorkError';
  }

  readonly workId: string;
  constructor(workId: string) {
    super(ErrorCode.UnknownWork, `no work is registered as ${JSON.stringify(workId)}`);
    this.workId = workId;
  }
}

export class TaskNotFoundError extends KokugenError {
  override get name(): string {
    return 'TaskNotFoundError';
  }

  readonly taskId: string;
  constructor(taskId: string) {
    super(ErrorCode.TaskNotFound, `no task has id ${JSON.stringify(taskId)}`);
    this.taskId = taskId;
  }
}

export class SeriesNotFoundError extends KokugenError {
  override get name(): string {
    return 'SeriesNotFoundError';
  }

  readonly seriesId: string;
  constructor(seriesId: string) {
    super(ErrorCode.SeriesNotFound, `no series has id ${JSON.stringify(seriesId)}`);
    this.seriesId = seriesId;
  }
}

/** An update or cancel lost the race: the task was already handed to a worker. */
export class AlreadyDispatchedError extends KokugenError {
  override get name(): string {
    return 'AlreadyDispatchedError';
  }

  readonly taskId: string;
  /**
   * The task's state when the write was refused: `dispatched`, or the state it ended in. An ended
   * task gets a message that says so (and, for one that did not succeed, points to `retry()`).
   */
  readonly state: string;
  constructor(taskId: string, state = 'dispatched') {
    super(ErrorCode.AlreadyDispatched, alreadyDispatchedMessage(taskId, state));
    this.taskId = taskId;
    this.state = state;
  }
}

export class TaskCancelledError extends KokugenError {
  override get name(): string {
    return 'TaskCancelledError';
  }

  readonly taskId: string;
  constructor(taskId: string) {
    super(ErrorCode.TaskCancelled, `task ${JSON.stringify(taskId)} was cancelled`);
    this.taskId = taskId;
  }
}

export class DuplicateIdError extends KokugenError {
  override get name(): string {
    return 'DuplicateIdError';
  }

  readonly taskId: string;
  constructor(taskId: string) {
    super(ErrorCode.DuplicateId, `a task with id ${JSON.stringify(taskId)} already exists`);
    this.taskId = taskId;
  }
}

export class NotRunningError extends KokugenError {
  override get name(): string {
    return 'NotRunningError';
  }

  constructor(message = 'the scheduler is not running') {
    super(ErrorCode.NotRunning, message);
  }
}

/** A dispatcher was handed a task while none of its workers was free. */
export class PoolFullError extends KokugenError {
  override get name(): string {
    return 'PoolFullError';
  }

  constructor() {
    super(ErrorCode.PoolFull, 'no worker is free: wait for ready() before dispatch()');
  }
}

/** The reason given to an AbortSignal when kokugen aborts running work (force stop). */
export class AbortedError extends KokugenError {
  override get name(): string {
    return 'AbortedError';
  }

  constructor(message = 'the work was aborted') {
    super(ErrorCode.Aborted, message);
  }
}

export class HookTimeoutError extends KokugenError {
  override get name(): string {
    return 'HookTimeoutError';
  }

  readonly hook: string;
  constructor(hook: string, ms: number) {
    super(ErrorCode.HookTimeout, `hook ${hook} did not settle within ${ms} ms`);
    this.hook = hook;
  }
}

export class HookFailedError extends KokugenError {
  override get name(): string {
    return 'HookFailedError';
  }

  readonly hook: string;
  constructor(hook: string, cause: unknown) {
    super(ErrorCode.HookFailed, `hook ${hook} threw: ${messageOf(cause)}`, { cause });
    this.hook = hook;
  }
}

export class ListenerFailedError extends KokugenError {
  override get name(): string {
    return 'ListenerFailedError';
  }

  readonly event: string;
  constructor(event: string, cause: unknown) {
    super(ErrorCode.ListenerFailed, `a listener of ${event} threw: ${messageOf(cause)}`, { cause });
    this.event = event;
  }
}

/** A work function returned a value that does not survive JSON, so it cannot be kept as the result. */
export class InvalidResultError extends KokugenError {
  override get name(): string {
    return 'InvalidResultError';
  }

  constructor(reason: string) {
    super(ErrorCode.InvalidResult, `the work returned a value that is not JSON: ${reason}`);
  }
}

/** Stands in for a thrown value that was not an Error (a string, a number, undefined...). */
export class NonErrorThrownError extends KokugenError {
  override get name(): string {
    return 'NonErrorThrownError';
  }

  readonly thrown: unknown;
  constructor(thrown: unknown) {
    super(ErrorCode.NonErrorThrown, `the work threw a non-Error value: ${describe(thrown)}`);
    this.thrown = thrown;
  }
}

/**
 * The reason a running attempt's signal aborts when it ran longer than its `timeout`. Not called
 * `TimeoutError`, which is DOMException's name for `AbortSignal.timeout()`.
 */
export class WorkTimeoutError extends KokugenError {
  override get name(): string {
    return 'WorkTimeoutError';
  }

  constructor(ms: number) {
    super(ErrorCode.Timeout, `the attempt ran longer than its timeout of ${ms} ms`);
  }
}

/**
 * Thrown by a work function to ask for another attempt after `delay` ms, whatever the back-off
 * says. It counts as a failed attempt; with a retry policy, never beyond `retry.attempts`.
 */
export class RetryLaterError extends KokugenError {
  override get name(): string {
    return 'RetryLaterError';
  }

  readonly delay: number;
  constructor(delay: number, message = `retry in ${delay} ms`) {
    if (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0) throw new InvalidArgumentError('RetryLaterError delay', 'a finite number of ms >= 0', delay);
    super(ErrorCode.RetryLater, message);
    this.delay = delay;
  }
}

/**
 * A store's definitive refusal of a write that no longer applies: the task is not in the state the
 * write expects (another attempt, a cancel or a recovery ended it first). Reported once, never retried.
 */
export class StateConflictError extends KokugenError {
  override get name(): string {
    return 'StateConflictError';
  }

  readonly taskId: string;
  readonly expected: string;
  readonly actual: string | undefined;
  constructor(taskId: string, expected: string, actual: string | undefined) {
    super(ErrorCode.StateConflict, `task ${JSON.stringify(taskId)} is ${actual === undefined ? 'gone' : actual}, not ${expected}: the write no longer applies`);
    this.taskId = taskId;
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * A schedule produced a time kokugen cannot use: not a Date, not a finite time, not later than the
 * previous occurrence, or beyond the latest time a Date can hold. It ends the series.
 */
export class InvalidScheduleError extends KokugenError {
  override get name(): string {
    return 'InvalidScheduleError';
  }

  readonly seriesId: string | undefined;
  constructor(reason: string, seriesId?: string) {
    super(ErrorCode.InvalidSchedule, `${seriesId === undefined ? 'the schedule' : `the schedule of series ${JSON.stringify(seriesId)}`} produced ${reason}`);
    this.seriesId = seriesId;
  }
}

/**
 * A worker thread's works module (`WorkerThreadDispatcher`) did not load, or its default export is
 * not a map of works. `problem` completes the sentence "the works module <module> ...".
 */
export class WorkModuleError extends KokugenError {
  override get name(): string {
    return 'WorkModuleError';
  }

  readonly module: string;
  constructor(module: string, problem: string, options?: { cause?: unknown }) {
    super(ErrorCode.WorkModule, `the works module ${module} ${problem}`, options);
    this.module = module;
  }
}

/**
 * The store's data is no longer where the repository opened it: the SQLite file, or its directory,
 * was removed or replaced while open. What is written from then on would be lost when the
 * connection closes, so the repository refuses every call instead, for good.
 */
export class StoreLostError extends KokugenError {
  override get name(): string {
    return 'StoreLostError';
  }

  /** The path of the store that was lost. */
  readonly location: string;
  constructor(location: string, reason: string) {
    super(ErrorCode.StoreLost, `the store ${JSON.stringify(location)} is lost (${reason}): nothing more is read from or written to it`);
    this.location = location;
  }
}

/**
 * `TypeOrmRepository.open()` found no database driver that the installed TypeORM can load. The
 * message names the packages to install; `packages` lists them, the first being the one to pick.
 */
export class DriverNotInstalledError extends KokugenError {
  override get name(): string {
    return 'DriverNotInstalledError';
  }

  /** The packages that would do, e.g. `['better-sqlite3']` under TypeORM 1.x. */
  readonly packages: readonly string[];
  constructor(database: string, packages: readonly string[], options?: { cause?: unknown }) {
    const choice = packages.length === 1 ? `the ${packages[0]} package` : `one of the packages ${packages.join(', ')}`;
    super(ErrorCode.DriverNotInstalled, `no ${database} driver that the installed TypeORM can use is installed: install ${choice} (npm install ${packages[0] ?? ''})`, options);
    this.packages = Object.freeze([...packages]);
  }
}

/** A dashboard request for a path that no page or action answers. */
export class RouteNotFoundError extends KokugenError {
  override get name(): string {
    return 'RouteNotFoundError';
  }

  readonly path: string;
  constructor(path: string) {
    super(ErrorCode.RouteNotFound, `no dashboard page or action at ${describe(path)}`);
    this.path = path;
  }
}

/** A dashboard request with a method its route does not take; `allowed` lists the ones it does. */
export class MethodNotAllowedError extends KokugenError {
  override get name(): string {
    return 'MethodNotAllowedError';
  }

  readonly method: string;
  readonly allowed: readonly string[];
  constructor(method: string, allowed: readonly string[]) {
    super(ErrorCode.MethodNotAllowed, `method ${describe(method)} is not allowed here: expected ${allowed.join(' or ')}`);
    this.method = method;
    this.allowed = allowed;
  }
}

/**
 * A dashboard action refused: the dashboard is read-only (no token), the token or session is
 * missing or wrong, or the request came from another site.
 */
export class ForbiddenError extends KokugenError {
  override get name(): string {
    return 'ForbiddenError';
  }

  constructor(reason: string) {
    super(ErrorCode.Forbidden, reason);
  }
}

function alreadyDispatchedMessage(taskId: string, state: string): string {
  const task = `task ${JSON.stringify(taskId)}`;
  if (state === 'dispatched') return `${task} was already dispatched`;
  if (state === 'done') return `${task} has ended (done): it can no longer change`;
  return `${task} has ended (${state}): use retry() to schedule it again`;
}

/** Coerces anything thrown into an Error, so that outcomes always carry a name and a message. */
export function toError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new NonErrorThrownError(thrown);
}

function messageOf(thrown: unknown): string {
  return thrown instanceof Error ? thrown.message : describe(thrown);
}

/** A short, safe description of a value for error messages (never the whole value). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return value.length > 60 ? `a string of length ${value.length}` : JSON.stringify(value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof value} ${String(value)}`;
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    default:
      // Never throws, whatever the object: a Proxy's traps or a fake Date's methods may.
      try {
        if (Array.isArray(value)) return `an array of length ${value.length}`;
        const time = value instanceof Date ? Date.prototype.getTime.call(value) : undefined;
        if (time !== undefined) return `Date ${Number.isNaN(time) ? 'Invalid Date' : new Date(time).toISOString()}`;
        return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
      } catch {
        return 'an object';
      }
  }
}
