import type { DataSource } from 'typeorm';
import { AlreadyDispatchedError, DuplicateIdError, InvalidArgumentError, TaskCancelledError, TaskNotFoundError } from '../../errors.js';
import type { Series } from '../../schedule/series.js';
import { toJsonText } from '../../task/json.js';
import { checkCount, checkEpochMs, checkText, isStorableText } from '../../validation/validate.js';
import { isEnded, RecoveryPolicy, TaskState } from '../../task/task.js';
import type { NewTask, Task, TaskError, TaskOutcome, TaskPatch, TaskQuery } from '../../task/task.js';
import { checkPurgeFilter } from '../operations.js';
import type { AddOptions, Completion, EndingWatcher, PurgeFilter, RepositoryStats, RepositoryWatcher, SeriesChange, TaskRepository } from '../task-repository.js';
import { checkAddOptions, checkNewTask, checkOutcome, checkPatch, checkWorkLimits, checkWorks } from './checks.js';
import type { DuePoller } from './due-poller.js';
import { findTasks } from './find-sql.js';
import type { LeaseClaims } from './lease-claims.js';
import { checkOptions, repositoryOptionsOf } from './repository-options.js';
import { completeTask, recoverTasks } from './ending-sql.js';
import { runMigrations } from './migrate.js';
import { purgeTasks, readStats, retryTask } from './operations-sql.js';
import { checkEndingWatch, dataSourceFor } from './open-options.js';
import type { TypeOrmOpenOptions, TypeOrmRepositoryOptions } from './open-options.js';
import { buildParts, closeParts, watchParts } from './repository-parts.js';
import type { RepositoryParts } from './repository-parts.js';
import { taskColumns } from './task-columns.js';
import { toTask } from './task-row.js';
import type { Ending, TaskStore } from './task-store.js';
import type { StoreGate } from './store-gate.js';
import type { TaskTables } from './task-tables.js';
import { insertKeyed, takenAsTyped } from './key-sql.js';
import type { Wakeups } from './wakeups.js';
import { earliestScheduled } from './pg-notifier.js';

/**
 * A durable TaskRepository on TypeORM: SQLite (one process, one file) or PostgreSQL (processes
 * sharing one store). Every method is one transaction that reads the rows it changes under a lock
 * (the whole file on SQLite, the rows on PostgreSQL) and compare-and-sets their state, so the
 * Scheduler's ordering guarantees hold across processes. A claim commits before its work starts
 * and an outcome before its events fire, so `kill -9` loses nothing that was acknowledged.
 *
 * States: open → `close()` → closed: every method then rejects with `ERR_NOT_RUNNING`; a
 * DataSource that `open()` created is destroyed, one passed to the constructor is left open.
 */
export class TypeOrmRepository implements TaskRepository {
  /** Creates the DataSource, runs kokugen's migrations, and returns a ready repository that owns the DataSource. */
  static async open(options: TypeOrmOpenOptions): Promise<TypeOrmRepository> {
    const { dataSource, synchronous } = dataSourceFor(options);
    const repositoryOptions = checkOptions(repositoryOptionsOf(options));
    await dataSource.initialize();
    try {
      // The value is one of a fixed pair, checked above; PRAGMA takes no parameters.
      if (synchronous !== undefined) await dataSource.query(`PRAGMA synchronous = ${synchronous}`);
      await runMigrations(dataSource);
      const repository = new TypeOrmRepository(dataSource, repositoryOptions);
      repository.#ownsDataSource = true;
      await repository.#poller.refresh();
      return repository;
    } catch (error) {
      await dataSource.destroy().catch(() => undefined);
      throw error;
    }
  }

  readonly #dataSource: DataSource;
  /** Every part, for the calls that hand them on; the hot paths read the ones they use from their own fields. */
  readonly #parts: RepositoryParts;
  readonly #store: TaskStore;
  readonly #tables: TaskTables;
  readonly #tasks: string;
  readonly #poller: DuePoller;
  readonly #wakeups: Wakeups;
  readonly #claims: LeaseClaims;
  readonly #gate: StoreGate;
  #ownsDataSource = false;
  #closing: Promise<void> | undefined;

  /**
   * A repository on your own initialised DataSource, on which `kokugenMigrations` have run. On
   * SQLite, give kokugen a DataSource of its own (on the same file if you like): TypeORM runs
   * every query of a SQLite DataSource on one connection, where the application's transactions and
   * kokugen's would interleave, so a DataSource with entities other than kokugen's is refused
   * with `ERR_SHARED_DATA_SOURCE`. Enqueue in the application's transactions with
   * `schedule(input, { manager })`.
   */
  constructor(dataSource: DataSource, options: TypeOrmRepositoryOptions = {}) {
    const parts = buildParts(dataSource, options, (filter) => this.purge(filter));
    this.#dataSource = dataSource;
    this.#parts = parts;
    this.#store = parts.store;
    this.#tables = parts.tables;
    this.#tasks = parts.tasks;
    this.#gate = parts.gate;
    this.#claims = parts.claims;
    this.#poller = parts.poller;
    this.#wakeups = parts.wakeups;
  }

  /** The DataSource the repository runs on, e.g. for `dataSource.getRepository(TaskEntity)`. */
  get dataSource(): DataSource {
    return this.#dataSource;
  }

  async add(tasks: readonly NewTask[], options: AddOptions = {}): Promise<Task[]> {
    if (!Array.isArray(tasks)) throw new InvalidArgumentError('add', 'an array of new tasks', tasks);
    const { transaction, onConflict } = checkAddOptions(options);
    const checked = tasks.map(checkNewTask);
    const seen = new Set<string>();
    for (const task of checked) {
      if (seen.has(task.id)) throw new DuplicateIdError(task.id);
      seen.add(task.id);
    }
    if (checked.length === 0) return [];
    if (!checked.some((t) => t.key !== null)) {
      const alone = transaction === undefined && checked.length <= this.#tables.insertsAlone;
      return takenAsTyped(this.#gate, this.#tables, this.#store, 
        checked.map((t) => t.id),
        alone
          ? () => this.#insertAlone(checked)
          : transaction === undefined
            ? () => this.#insertOwn(checked)
            : () => this.#gate.writeIn(transaction, (sql) => this.#tables.insert(sql, checked), (added) => added),
      );
    }
    const write = (): Promise<Task[]> => this.#gate.writeIn(transaction, (sql) => insertKeyed(sql, this.#tables, checked, onConflict, this.#store.forUpdate), (added) => added);
    // A key another process took meanwhile: the write again sees its holder (not in a caller's transaction, which the failure aborted).
    const once = transaction === undefined ? () => write().catch((error: unknown) => (this.#store.isUniqueViolation(error) ? write() : Promise.reject(error))) : write;
    return takenAsTyped(this.#gate, this.#tables, this.#store, 
      checked.map((t) => t.id),
      once,
      checked.flatMap((t) => (t.key === null || t.key === undefined ? [] : [t.key])),
    );
  }

  /**
   * New tasks in one statement (see `TaskTables.insertAlone`). Adding can only bring the earliest
   * scheduled time forward, so the timer follows the earliest added one without reading the store.
   */
  #insertAlone(tasks: readonly NewTask[]): Promise<Task[]> {
    this.#gate.checkOpen();
    return this.#gate.track(async () => {
      const added = await this.#store.read((sql) => this.#tables.insertAlone(sql, tasks, (created) => this.#wakeups.notice(created)));
      await this.#followAdded(added);
      return added;
    });
  }

  /**
   * New tasks in a transaction of kokugen's own (where the store has no sequence for `#insertAlone`).
   * As there, the timer follows the earliest added one without reading the store.
   */
  async #insertOwn(tasks: readonly NewTask[]): Promise<Task[]> {
    const added = await this.#gate.write((sql) => this.#tables.insertOwn(sql, tasks), () => false, (created) => created);
    await this.#followAdded(added);
    return added;
  }

  /** The timer after an add of kokugen's own: the earliest added task, if before what it follows. */
  #followAdded(added: readonly Task[]): Promise<void> {
    const earliest = earliestScheduled(added);
    return earliest === undefined ? Promise.resolve() : this.#poller.sooner(earliest - this.#claims.offset);
  }

  async get(id: string): Promise<Task | undefined> {
    this.#gate.checkOpen();
    if (!isStorableText(id)) return undefined;
    return this.#gate.read(async (sql) => {
      const [row] = (await sql(`SELECT ${taskColumns} FROM ${this.#tasks} WHERE id = $1`, [id])).rows;
      return row === undefined ? undefined : toTask(row);
    });
  }

  async update(id: string, patch: TaskPatch): Promise<Task> {
    const changes = checkPatch(patch);
    return this.#gate.write(async (sql) => {
      const current = await this.#tables.lockTask(sql, id);
      if (current === undefined) throw new TaskNotFoundError(id);
      if (current.state !== TaskState.Scheduled && current.state !== TaskState.Waiting) throw current.state === TaskState.Cancelled ? new TaskCancelledError(id) : new AlreadyDispatchedError(id, current.state);
      return this.#tables.save(sql, { ...current, ...changes });
    }, undefined, (task) => [task]);
  }

  async cancel(id: string, now: number): Promise<Task | undefined> {
    const at = checkEpochMs(now, 'now', 'down');
    const changed = await this.#gate.write(async (sql) => {
      const current = await this.#tables.lockTaskAndFlow(sql, id);
      if (current === undefined) throw new TaskNotFoundError(id);
      if (current.state === TaskState.Dispatched) throw new AlreadyDispatchedError(id);
      if (isEnded(current.state)) return [];
      const cancelled = await this.#tables.save(sql, { ...current, state: TaskState.Cancelled, endedAt: at });
      return [cancelled, ...(cancelled.flowId === null ? [] : await this.#tables.settleFlow(sql, cancelled.flowId, at))];
    });
    return this.#told(changed[0], changed);
  }

  async claimDue(now: number, limit: number, owner: string, workLimits?: ReadonlyMap<string, number>, works?: ReadonlySet<string>): Promise<Task[]> {
    const at = checkEpochMs(now, 'now', 'down');
    const count = Math.min(checkCount(limit, 'claimDue limit', 0), maxClaim);
    const by = checkText(owner, 'owner');
    checkWorkLimits(workLimits, count);
    const only = checkWorks(works);
    this.#gate.checkOpen();
    if (count === 0) return [];
    return this.#gate.track(async () => {
      const note = this.#poller.note();
      const { tasks, asked, next, later } = await this.#claims.claim(at, count, by, workLimits, only).finally(() => this.#poller.forget(note));
      // A short claim left only due tasks that wait for their work's capacity (the Scheduler wakes
      // itself when it frees) or that another process holds: follow the first one due after now,
      // as the claim's own statement saw it where it did. One served from the local queue changed
      // nothing in the store.
      if (tasks.length < count) await (later === undefined ? this.#poller.refresh(at) : this.#poller.followLater(later.at === undefined ? undefined : later.at - this.#claims.offset, at, note));
      else if (next !== undefined) await this.#poller.written(next);
      else if (asked) await this.#poller.refresh();
      return tasks;
    });
  }

  async complete(id: string, outcome: TaskOutcome, now: number, next?: NewTask): Promise<Completion> {
    const at = checkEpochMs(now, 'now', 'down');
    const ended = checkOutcome(outcome);
    const successor = next === undefined ? undefined : checkNewTask(next);
    if (successor === undefined && (ended.state === TaskState.Done || ended.state === TaskState.Expired) && isStorableText(id)) {
      // The common case, shared with the completions that arrive meanwhile; anything else (not
      // dispatched, not found, a failed shared statement) takes the general path below.
      this.#gate.checkOpen();
      const ending: Omit<Ending, 'attempt'> =
        ended.state === TaskState.Done
          ? { id, state: ended.state, endedAt: at, result: toJsonText(ended.result, 'result'), error: null }
          : { id, state: ended.state, endedAt: at, result: null, error: toJsonText(ended.error, 'error') };
      // Not written there: the lease stays held for the general path, which says why.
      const row = await this.#claims.keeper.fenced(id, (attempt) => this.#gate.track(() => this.#store.finish({ ...ending, attempt })), (written) => written === undefined);
      const task = row === undefined ? undefined : toTask(row);
      if (task !== undefined) return this.#told({ task }, [task]);
    }
    const completion = await this.#claims.keeper.fenced(id, (attempt) =>
      this.#gate.write(
        (sql) => completeTask(sql, this.#tables, id, ended, at, successor, attempt),
        (done) => done.task.state === TaskState.Scheduled || done.next !== undefined || done.dependents !== undefined,
        (done) => [done.task, done.next, ...(done.dependents ?? [])],
      ),
    );
    return this.#told(completion, [completion.task, ...(completion.dependents ?? [])]);
  }

  async recover(owner: string, policy: RecoveryPolicy, now: number): Promise<Task[]> {
    const by = checkText(owner, 'owner');
    if (policy !== RecoveryPolicy.Rerun && policy !== RecoveryPolicy.Fail) throw new InvalidArgumentError('recovery policy', "'rerun' or 'fail'", policy);
    const at = checkEpochMs(now, 'now', 'down');
    const rerun = policy === RecoveryPolicy.Rerun;
    const recovered = await this.#gate.write((sql) => recoverTasks(sql, this.#tables, by, rerun, at, this.#store.forUpdate), undefined, (tasks) => tasks);
    return this.#told(recovered, recovered);
  }

  async find(query: TaskQuery): Promise<Task[]> {
    const read = findTasks(query, this.#tasks);
    this.#gate.checkOpen();
    return read === undefined ? [] : this.#gate.read(read);
  }

  async remove(id: string): Promise<boolean> {
    return this.#gate.write(async (sql) => {
      const current = await this.#tables.lockTask(sql, id);
      if (current === undefined) return false;
      if (current.state === TaskState.Dispatched) throw new AlreadyDispatchedError(id);
      await sql(`DELETE FROM ${this.#tasks} WHERE id = $1`, [id]);
      return true;
    });
  }

  // ---- series (series-operations.ts) ----

  addSeries(series: Series, first: NewTask, options?: AddOptions): Promise<Task> {
    return this.#parts.seriesOperations.add(series, first, options);
  }

  getSeries(id: string): Promise<Series | undefined> {
    return this.#parts.seriesOperations.get(id);
  }

  listSeries(): Promise<Series[]> {
    return this.#parts.seriesOperations.list();
  }

  setSeriesEnabled(id: string, enabled: boolean, now: number, next?: NewTask, error?: TaskError): Promise<SeriesChange> {
    return this.#parts.seriesOperations.setEnabled(id, enabled, now, next, error);
  }

  removeSeries(id: string): Promise<boolean> {
    return this.#parts.seriesOperations.remove(id);
  }

  /**
   * One retention sweep at `now` (epoch ms), as the timer runs every `sweepInterval` while
   * watched: deletes by age, then by count, in batches. Resolves with how many tasks were deleted
   * (0 with `retention: false`). A sweep already in progress is joined, not doubled.
   */
  async sweepRetention(now: number): Promise<number> {
    const at = checkEpochMs(now, 'sweepRetention now', 'down');
    this.#gate.checkOpen();
    return this.#parts.sweeper === undefined ? 0 : this.#parts.sweeper.sweep(at);
  }

  /** Resolves once no retention sweep is in progress (the timer's included). */
  async retentionIdle(): Promise<void> {
    await this.#parts.sweeper?.idle();
  }

  /** The due timer, and the retention sweep on the watcher's clock, until unwatched. */
  watch(watcher: RepositoryWatcher): () => void {
    return watchParts(this.#parts, watcher);
  }

  /** Endings by this repository at once; by other processes within `watchInterval` (see wakeups.ts). */
  watchEndings(ids: readonly string[], watcher: EndingWatcher): () => void {
    this.#gate.checkOpen();
    return this.#wakeups.watchEndings(checkEndingWatch(ids, watcher), watcher);
  }

  /**
   * Resolves once other processes' wake-ups reach this repository: on PostgreSQL, while watched,
   * when its LISTEN connection is up (again, after a lost connection); at once on SQLite.
   */
  listening(): Promise<void> {
    return this.#wakeups.listening();
  }

  /** Renews every lease this repository holds, now (the watcher's timer does it every `lease / 3`). */
  async renewLeases(): Promise<void> {
    this.#gate.checkOpen();
    await this.#gate.track(() => this.#claims.keeper.renew());
  }

  // ---- operations (SQL in operations-sql.ts) ----

  async stats(now: number): Promise<RepositoryStats> {
    const at = checkEpochMs(now, 'stats now', 'down');
    return this.#gate.read((sql) => readStats(sql, this.#tasks, at));
  }

  async retry(id: string, scheduledAt: number, now: number): Promise<Task> {
    const at = checkEpochMs(scheduledAt, 'retry scheduledAt', 'up');
    checkEpochMs(now, 'retry now', 'down');
    return this.#gate.write((sql) => retryTask(sql, this.#tables, id, at), undefined, (task) => [task]);
  }

  async purge(filter: PurgeFilter): Promise<number> {
    const { state, endedBefore, limit } = checkPurgeFilter(filter);
    // ended_at holds whole ms: "< x" is "< ceil(x)", which a BIGINT parameter can carry.
    return this.#gate.write(
      (sql) => purgeTasks(sql, this.#tasks, { state, endedBefore: Math.min(Math.ceil(endedBefore), 8.64e15), limit }),
      () => false,
    );
  }

  /** Stops the timer, waits for the operations in flight, and destroys the DataSource if `open()` created it. */
  close(): Promise<void> {
    this.#gate.close();
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #close(): Promise<void> {
    await closeParts(this.#parts);
    if (this.#ownsDataSource && this.#dataSource.isInitialized) await this.#dataSource.destroy();
  }

  // ---- plumbing ----

  /** `result`, once the watchers of endings among `tasks` (this repository's own writes) heard of them. */
  #told<T>(result: T, tasks: ReadonlyArray<Task | undefined>): T {
    this.#wakeups.ended(tasks);
    return result;
  }

}

/** The most tasks one claim takes; the Scheduler asks for as many as it has free workers. */
const maxClaim = 10_000;
