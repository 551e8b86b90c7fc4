import { ErrorCode, KokugenError } from './kokugen-error.js';
import { describe, messageOf } from './describe.js';
import { InvalidArgumentError } from './input-errors.js';

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

/** Coerces anything thrown into an Error, so that outcomes always carry a name and a message. */
export function toError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new NonErrorThrownError(thrown);
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
