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
  /** `seriesId`: the id names a series, which the message then says, with what to call instead. */
  constructor(taskId: string, seriesId?: string) {
    super(
      ErrorCode.TaskNotFound,
      seriesId === undefined
        ? `no task has id ${JSON.stringify(taskId)}`
        : `no task has id ${JSON.stringify(taskId)}: it is a series; use disable() or remove() to stop it, or schedule() with onConflict: 'replace' to change it`,
    );
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

  /** The id taken (of a task, or of a series when `kind` is 'series'). */
  readonly taskId: string;
  readonly kind: 'task' | 'series';
  constructor(taskId: string, kind: 'task' | 'series' = 'task') {
    super(
      ErrorCode.DuplicateId,
      kind === 'task'
        ? `a task with id ${JSON.stringify(taskId)} already exists`
        : `a series with id ${JSON.stringify(taskId)} already exists: schedule it with onConflict: 'keep' (leave it) or 'replace' (apply this definition)`,
    );
    this.taskId = taskId;
    this.kind = kind;
  }
}

/** A task's dedup `key` is held by a pending task (see `ScheduleInput.key`), and `onConflict` said 'reject'. */
export class DuplicateKeyError extends KokugenError {
  override get name(): string {
    return 'DuplicateKeyError';
  }

  readonly key: string;
  /** The task that holds the key. */
  readonly taskId: string;
  constructor(key: string, taskId: string) {
    super(ErrorCode.DuplicateKey, `task ${JSON.stringify(taskId)} holds key ${JSON.stringify(key)}: schedule with onConflict: 'keep' (return it) or 'replace' (update it)`);
    this.key = key;
    this.taskId = taskId;
  }
}

/** A write was given a caller's transaction (`{ manager }`) that its repository cannot join. */
export class TransactionUnsupportedError extends KokugenError {
  override get name(): string {
    return 'TransactionUnsupportedError';
  }

  constructor(reason: string) {
    super(ErrorCode.TransactionUnsupported, reason);
  }
}

/** kokugen's tables are missing (or older than this version) in the store a repository was given. */
export class SchemaMissingError extends KokugenError {
  override get name(): string {
    return 'SchemaMissingError';
  }

  constructor(detail: string, options?: { cause?: unknown }) {
    super(
      ErrorCode.SchemaMissing,
      `kokugen's tables are missing (${detail}): add kokugenMigrations (from 'kokugen/typeorm') to your DataSource's migrations and run them, or use TypeOrmRepository.open(), which migrates`,
      options,
    );
  }
}

/** A SQLite DataSource that the application uses too was given to kokugen (see docs/typeorm-app.md). */
export class SharedDataSourceError extends KokugenError {
  override get name(): string {
    return 'SharedDataSourceError';
  }

  constructor(detail: string) {
    super(
      ErrorCode.SharedDataSource,
      `kokugen cannot share a SQLite DataSource with the application (${detail}): TypeORM runs every query of one on a single connection, where the application's transactions and kokugen's interleave. Give kokugen its own: TypeOrmRepository.open({ type: 'sqlite', database: <the same file> }), and pass the application's EntityManager as schedule(input, { manager }) to enqueue inside its transactions`,
    );
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
