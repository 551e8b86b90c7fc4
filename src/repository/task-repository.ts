import type { Clock } from '../clock/clock.js';
import type { Series } from '../schedule/series.js';
import type { EndedState, NewTask, OnConflict, RecoveryPolicy, Task, TaskError, TaskOutcome, TaskPatch, TaskQuery, TaskState } from '../task/task.js';

/**
 * Where tasks live, and the timer that follows the next due one.
 *
 * Every method is one atomic step: the Scheduler serialises cancels, updates, claims and
 * completions by relying on each being a compare-and-set on the task's state, so a last-second
 * update either wins or fails with a typed error — in one process or, for a shared store, many.
 * All timestamps are epoch ms; the Scheduler passes `now` in so that repositories never read time.
 *
 * Implementations must pass `repositoryContract` from `kokugen/testing` unchanged.
 */
export interface TaskRepository {
  /**
   * Stores new tasks as `scheduled` (or `waiting`, those with `dependsOn`), all or none: if any id
   * exists (or repeats in the batch) it throws `ERR_DUPLICATE_ID` and stores nothing. Returns the
   * stored tasks in input order. A waiting task's parents are added in the same batch (or before).
   * With `options.transaction`, the tasks are written in the caller's open transaction and
   * commit or roll back with it (see `AddOptions`).
   */
  add(tasks: readonly NewTask[], options?: AddOptions): Promise<Task[]>;

  /** The task, or `undefined` if there is none with that id (or it aged out of retention). */
  get(id: string): Promise<Task | undefined>;

  /**
   * Changes a `scheduled` (or `waiting`) task. Throws `ERR_TASK_NOT_FOUND`, `ERR_ALREADY_DISPATCHED` (dispatched
   * or ended after running), or `ERR_TASK_CANCELLED`.
   */
  update(id: string, patch: TaskPatch): Promise<Task>;

  /**
   * Cancels a `scheduled` or `waiting` task and returns it. Returns `undefined` if it had already
   * ended; throws `ERR_TASK_NOT_FOUND`, or `ERR_ALREADY_DISPATCHED` while it runs. In a flow, the
   * same write settles the steps waiting for it (see `complete`).
   */
  cancel(id: string, now: number): Promise<Task | undefined>;

  /**
   * Moves up to `limit` due tasks (`scheduledAt <= now`) from `scheduled` to `dispatched`, in run
   * order (time, then priority descending, then seq), taking at most `workLimits.get(workId)` tasks
   * of a work listed there (others wait, later tasks of other works are taken) and, when `works` is
   * given, only tasks of those works (the ones the process can run; others are left for processes
   * that can), and returns them with `dispatchedAt` set (`now`, or the database's time where it
   * decides), `owner` set and `attempt` incremented.
   * A shared store may also return tasks taken over from an expired lease (another process's claim
   * whose holder stopped renewing it): `attempt` incremented, `recovered: true`, reported through
   * the watcher's `onRecovered` as they are handed out. It may claim more than `limit` and hand the
   * rest out on later calls (claim-ahead), holding them under its lease meanwhile.
   * A task whose time was moved past `now` is not due, so it is never taken early. With several
   * processes on one store, each task is claimed by one only. When due tasks were left waiting for
   * their work's capacity, the timer follows the first task due after `now` instead (the Scheduler
   * wakes itself when capacity frees).
   */
  claimDue(now: number, limit: number, owner: string, workLimits?: ReadonlyMap<string, number>, works?: ReadonlySet<string>): Promise<Task[]>;

  /**
   * Records how a `dispatched` task ended (or, for a `scheduled` outcome, puts it back for a retry,
   * appending the error to `errors`). When `next` is given and the outcome ends the task, `next`
   * (the series' next occurrence) is added in the same write — only if its series exists, is
   * enabled and has no other `scheduled` occurrence. Throws `ERR_TASK_NOT_FOUND` or, if the task
   * is not dispatched (another attempt, a cancel or a recovery ended it), `ERR_STATE_CONFLICT`:
   * a definitive refusal, which the caller must not retry. A store with leases also refuses, with
   * `ERR_LEASE_LOST` (equally definitive), the write of an attempt whose lease this process lost:
   * it expired and another claim took the task over. When the task ends and has a `flowId`,
   * the same write settles the flow's `waiting` steps as `settleFlow` (task/flow.ts) decides:
   * released to `scheduled`, or ended `cancelled` with the reason (returned as `dependents`).
   */
  complete(id: string, outcome: TaskOutcome, now: number, next?: NewTask): Promise<Completion>;

  /**
   * Crash recovery: tasks still `dispatched` by `owner` (a run that ended without recording their
   * outcomes) are marked `recovered` and either put back to `scheduled` (`rerun`, keeping their
   * time and attempt count) or ended `failed` with a `CrashRecovery` error (`fail`). Returns them. Flows of
   * tasks ended `failed` are settled in the same write, as by `complete`.
   */
  recover(owner: string, policy: RecoveryPolicy, now: number): Promise<Task[]>;

  /** Tasks matching the query: `scheduled` ones in run order, others by seq; paged. */
  find(query: TaskQuery): Promise<Task[]>;

  /**
   * Deletes a task that is not running; true if it existed. Throws `ERR_ALREADY_DISPATCHED` while
   * it runs.
   */
  remove(id: string): Promise<boolean>;

  /**
   * Stores a series with its first occurrence, both or neither, and returns the occurrence. When the
   * series id exists, `options.onConflict` decides: 'reject' (the default) throws
   * `ERR_DUPLICATE_ID`; 'keep' and 'replace' do what `planSeriesConflict` (series-conflict.ts)
   * decides, in the same write, and return the series' current occurrence.
   */
  addSeries(series: Series, first: NewTask, options?: AddOptions): Promise<Task>;

  getSeries(id: string): Promise<Series | undefined>;

  /** Every series, by creation. */
  listSeries(): Promise<Series[]>;

  /**
   * Disables or enables a series in one write. Disabling cancels its `scheduled` occurrence (a
   * running one finishes, but creates no successor) and records `error` as the reason when given
   * (kokugen gives one when the series' schedule failed). Enabling clears the reason and adds
   * `next` if the series has no `scheduled` or `dispatched` occurrence. Throws `ERR_SERIES_NOT_FOUND`.
   */
  setSeriesEnabled(id: string, enabled: boolean, now: number, next?: NewTask, error?: TaskError): Promise<SeriesChange>;

  /**
   * Deletes a series and its tasks that are not running; a running occurrence finishes and is kept,
   * with no successor. True if the series existed.
   */
  removeSeries(id: string): Promise<boolean>;

  /**
   * Starts the timer side: `onDue` is called (asynchronously) whenever the earliest scheduled task
   * is due, and the timer is re-armed whenever the earliest task or its time changes. Returns a
   * function that stops watching. One watcher at a time.
   */
  watch(watcher: RepositoryWatcher): () => void;

  /**
   * Optional capability: calls `watcher.onEnded` once for each of `ids` when that task ends —
   * `done`, `failed`, `cancelled` or `expired` — whoever ended it: a write through this repository,
   * or, for a store that processes share, another process (noticed through the watcher's Clock,
   * without `watch()` or a running scheduler). A task that had already ended may be reported too;
   * a removed one never is. Returns a function that stops watching. The Scheduler's `wait()` uses
   * it, so that a producer-only process learns of endings it did not write.
   */
  watchEndings?(ids: readonly string[], watcher: EndingWatcher): () => void;

  // ---- operations: counts and manual control, for people and tools that run the scheduler ----

  /**
   * Counts of tasks by state and by work, and the earliest due time, read in one pass (a GROUP BY
   * on SQL). Its cost grows with the tasks the store holds, which retention bounds.
   */
  stats(now: number): Promise<RepositoryStats>;

  /**
   * A `failed`, `expired` or `cancelled` task back to `scheduled` at `scheduledAt`, same id: its
   * attempt count and error history are kept, its result, error and end time cleared. Throws
   * `ERR_TASK_NOT_FOUND`, or `ERR_STATE_CONFLICT` in any other state (a `done` task is not retried).
   */
  retry(id: string, scheduledAt: number, now: number): Promise<Task>;

  /**
   * Deletes up to `limit` tasks in the ended state `state` whose `endedAt < endedBefore`, oldest
   * created first (seq order, which an index serves); returns how many.
   * Never touches scheduled or dispatched tasks, nor series.
   */
  purge(filter: PurgeFilter): Promise<number>;
}

/** How `add` and `addSeries` write. */
export interface AddOptions {
  /**
   * The caller's open transaction, opaque to kokugen (the TypeORM repository takes the
   * `EntityManager` of a `dataSource.transaction()`): the write joins it, and commits or rolls back
   * with the caller's own rows. A repository that cannot join one throws
   * `ERR_TRANSACTION_UNSUPPORTED` and stores nothing.
   */
  readonly transaction?: unknown;
  /** What an existing series id does (see `addSeries`). @default 'reject' */
  readonly onConflict?: OnConflict;
}

export interface RepositoryStats {
  /** Tasks per state (every TaskState key present, 0 when none). */
  readonly byState: Readonly<Record<TaskState, number>>;
  /** Per work id, tasks per state (only states with tasks). */
  readonly byWork: Readonly<Record<string, Readonly<Partial<Record<TaskState, number>>>>>;
  /** The earliest scheduledAt among scheduled tasks due at `now` (scheduledAt <= now), or null. */
  readonly oldestDueAt: number | null;
}

/** Which ended tasks `purge` deletes. */
export interface PurgeFilter {
  readonly state: EndedState;
  /** Only tasks that ended strictly before this time (epoch ms). */
  readonly endedBefore: number;
  /** At most this many, so one call is a bounded write. */
  readonly limit: number;
}

export interface Completion {
  readonly task: Task;
  /** The series' next occurrence, when one was added. */
  readonly next?: Task;
  /** Flow steps this ending released (now `scheduled`) or cancelled, in the same write. */
  readonly dependents?: readonly Task[];
}

export interface SeriesChange {
  readonly series: Series;
  /** The occurrence cancelled by disabling, or added by enabling. */
  readonly task?: Task;
}

export interface EndingWatcher {
  /** Drives any polling the repository needs to notice other processes' endings. */
  readonly clock: Clock;
  /** Called with the ended task, at most once per watched id; must not throw. */
  readonly onEnded: (task: Task) => void;
}

export interface RepositoryWatcher {
  readonly clock: Clock;
  readonly onDue: () => void;
  /** Whether the armed timer keeps the process alive. */
  readonly keepAlive: boolean;
  /**
   * A store with leases found that this process lost the lease of a task it holds (it expired and
   * another process took the task over): the task's work should stop, with `error` (`ERR_LEASE_LOST`)
   * as the reason. Its outcome will be refused. Optional.
   */
  readonly onLeaseLost?: (taskId: string, error: Error) => void;
  /** A claim handed out a task it took over from an expired lease (see `claimDue`). Optional. */
  readonly onRecovered?: (task: Task) => void;
}
