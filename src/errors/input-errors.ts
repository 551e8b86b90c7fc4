import { ErrorCode, KokugenError } from './kokugen-error.js';
import { describe } from './describe.js';

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

function alreadyDispatchedMessage(taskId: string, state: string): string {
  const task = `task ${JSON.stringify(taskId)}`;
  if (state === 'dispatched') return `${task} was already dispatched`;
  if (state === 'done') return `${task} has ended (done): it can no longer change`;
  return `${task} has ended (${state}): use retry() to schedule it again`;
}
