import type { DataSource } from 'typeorm';
import { AlreadyDispatchedError, DuplicateIdError, InvalidArgumentError, TaskCancelledError, TaskNotFoundError } from '../../errors.js';
import type { Series } from '../../schedule/series.js';
import { toJsonText } from '../../task/json.js';
import { checkCount, checkEpochMs, checkText, isStorableText } from '../../validation/validate.js';
import { createdTask, isEnded, RecoveryPolicy, TaskState } from '../../task/task.js';
import type { NewTask, Task, TaskError, TaskOutcome, TaskPatch, TaskQuery } from '../../task/task.js';
import { checkPurgeFilter } from '../operations.js';
import type { AddOptions, Completion, EndingWatcher, PurgeFilter, RepositoryStats, RepositoryWatcher, SeriesChange, TaskRepository } from '../task-repository.js';
import { checkAddOptions, checkError, checkNewTask, checkOutcome, checkPatch, checkSeries, checkWorkLimits, checkWorks } from './checks.js';
import { DuePoller } from './due-poller.js';
import { findTasks } from './find-sql.js';
import { LeaseClaims } from './lease-claims.js';
import { earliestWake } from './lease-sql.js';
import { checkOptions, repositoryOptionsOf } from './repository-options.js';
import { completeTask, recoverTasks } from './ending-sql.js';
import { tableSql } from './entities.js';
import { runMigrations } from './migrate.js';
import { purgeTasks, readStats, retryTask, trimTasks } from './operations-sql.js';
import { RetentionSweeper, retentionPolicy } from './retention-sweep.js';
import { checkEndingWatch, dataSourceFor } from './open-options.js';
import type { TypeOrmOpenOptions, TypeOrmRepositoryOptions } from './open-options.js';
import { PostgresStore } from './postgres-store.js';
import { seriesTable } from './series-entity.js';
import { changeSeriesEnabled, deleteSeries, insertSeries } from './series-sql.js';
import { SqliteStore } from './sqlite-store.js';
import { tasksTable } from './task-entity.js';
import { seriesColumns, toSeries } from './series-columns.js';
import { taskColumns } from './task-columns.js';
import { toTask } from './task-row.js';
import { storeType } from './task-store.js';
import type { Ending, Sql, TaskStore } from './task-store.js';
import { StoreGate } from './store-gate.js';
import { refuseShared } from './transaction-join.js';
import { TaskTables } from './task-tables.js';
import { insertKeyed, takenAsTyped } from './key-sql.js';
import { Wakeups } from './wakeups.js';
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
  readonly #store: TaskStore;
  readonly #tables: TaskTables;
  readonly #tasks: string;
  readonly #series: string;
  readonly #poller: DuePoller;
  readonly #wakeups: Wakeups;
  readonly #sweeper: RetentionSweeper | undefined;
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
    const type = typeof dataSource?.createQueryRunner === 'function' ? storeType(dataSource) : undefined;
    if (type === undefined || !dataSource.isInitialized) {
      throw new InvalidArgumentError('TypeOrmRepository dataSource', "an initialized TypeORM DataSource of type 'sqlite', 'better-sqlite3' or 'postgres'", dataSource);
    }
    if (type === 'sqlite') refuseShared(dataSource);
    const { pollInterval = 1_000, watchInterval = 50, lease = 30_000, claimAhead = 0, clock = type === 'postgres' ? 'database' : 'local' } = checkOptions(options);
    if (type === 'sqlite' && clock === 'database') throw new InvalidArgumentError('clock', "'local' on SQLite (one machine, one clock)", clock);
    const retention = retentionPolicy(options.retention);
    this.#dataSource = dataSource;
    this.#tasks = tableSql(dataSource, tasksTable);
    this.#series = tableSql(dataSource, seriesTable);
    this.#store = type === 'sqlite' ? new SqliteStore(dataSource, this.#tasks) : new PostgresStore(dataSource, this.#tasks, clock);
    this.#gate = new StoreGate(this.#store, dataSource);
    this.#tables = new TaskTables(this.#store, this.#tasks, this.#series);
    this.#claims = new LeaseClaims(this.#store, { lease, claimAhead });
    // The store's times are the database's where it decides: the timer, on the local clock, follows them shifted by the measured offset.
    const earliest = async (after: number | undefined): Promise<number | undefined> => {
      const offset = this.#claims.offset;
      const at = await this.#store.read((sql) => earliestWake(sql, this.#store, after === undefined ? undefined : after + offset));
      return at === undefined ? undefined : at - offset;
    };
    this.#poller = new DuePoller((after) => this.#gate.track(() => earliest(after)), pollInterval);
    const read = <T>(work: (sql: Sql) => Promise<T>): Promise<T> => this.#gate.track(() => this.#store.read(work));
    this.#wakeups = new Wakeups({ type, dataSource, tasks: this.#tasks, read, poller: this.#poller, watchInterval, offset: () => this.#claims.offset });
    this.#gate.wire(this.#poller, this.#wakeups);
    this.#sweeper =
      retention === undefined
        ? undefined
        : new RetentionSweeper(retention, {
            purge: (filter) => this.purge(filter),
            trim: (state, keep, limit) => this.#gate.write((sql) => trimTasks(sql, this.#tasks, state, keep, limit), () => false),
          });
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
        alone ? () => this.#insertAlone(checked) : () => this.#gate.writeIn(transaction, (sql) => this.#tables.insert(sql, checked), (added) => added),
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
      const notice = this.#wakeups.notice(tasks.map((t) => createdTask(t, 0)));
      const added = await this.#store.read((sql) => this.#tables.insertAlone(sql, tasks, notice));
      const earliest = earliestScheduled(added);
      if (earliest !== undefined) await this.#poller.sooner(earliest - this.#claims.offset);
      return added;
    });
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

  async addSeries(series: Series, first: NewTask, options: AddOptions = {}): Promise<Task> {
    const checked = checkSeries(series);
    const occurrence = checkNewTask(first);
    const { onConflict, transaction } = checkAddOptions(options);
    return takenAsTyped(this.#gate, this.#tables, this.#store, [occurrence.id], () =>
      this.#gate.writeIn(transaction, (sql) => insertSeries(sql, this.#tables, checked, occurrence, onConflict, this.#store.forUpdate), (task) => [task]),
    );
  }

  async getSeries(id: string): Promise<Series | undefined> {
    this.#gate.checkOpen();
    if (!isStorableText(id)) return undefined;
    return this.#gate.read(async (sql) => {
      const [row] = (await sql(`SELECT ${seriesColumns} FROM ${this.#series} WHERE id = $1`, [id])).rows;
      return row === undefined ? undefined : toSeries(row);
    });
  }

  async listSeries(): Promise<Series[]> {
    return this.#gate.read(async (sql) => (await sql(`SELECT ${seriesColumns} FROM ${this.#series} ORDER BY seq`)).rows.map(toSeries));
  }

  async setSeriesEnabled(id: string, enabled: boolean, now: number, next?: NewTask, error?: TaskError): Promise<SeriesChange> {
    if (typeof enabled !== 'boolean') throw new InvalidArgumentError('enabled', 'a boolean', enabled);
    const at = checkEpochMs(now, 'now', 'down');
    const successor = next === undefined ? undefined : checkNewTask(next);
    const reason = enabled || error === undefined ? null : checkError(error, 'series error');
    const change = await this.#gate.write(
      (sql) => changeSeriesEnabled(sql, this.#tables, { id, enabled, now: at, next: successor, error: reason, forUpdate: this.#store.forUpdate }),
      undefined,
      ({ task }) => [task],
    );
    return this.#told(change, [change.task]);
  }

  async removeSeries(id: string): Promise<boolean> {
    this.#gate.checkOpen();
    if (!isStorableText(id)) return false;
    return this.#gate.write((sql) => deleteSeries(sql, this.#tables, id));
  }

  /**
   * One retention sweep at `now` (epoch ms), as the timer runs every `sweepInterval` while
   * watched: deletes by age, then by count, in batches. Resolves with how many tasks were deleted
   * (0 with `retention: false`). A sweep already in progress is joined, not doubled.
   */
  async sweepRetention(now: number): Promise<number> {
    const at = checkEpochMs(now, 'sweepRetention now', 'down');
    this.#gate.checkOpen();
    return this.#sweeper === undefined ? 0 : this.#sweeper.sweep(at);
  }

  /** Resolves once no retention sweep is in progress (the timer's included). */
  async retentionIdle(): Promise<void> {
    await this.#sweeper?.idle();
  }

  /** The due timer, and the retention sweep on the watcher's clock, until unwatched. */
  watch(watcher: RepositoryWatcher): () => void {
    const unwatch = this.#wakeups.watch(watcher);
    this.#sweeper?.start(watcher.clock);
    this.#claims.watch(watcher);
    // Where the database decides time, the timer follows its time: measure the offset before the first claim does.
    if (this.#store.nowSql(1) !== '$1') void this.#gate.track(() => this.#claims.measure(watcher.clock.now()).then(() => this.#poller.refresh(), () => undefined));
    return () => {
      unwatch();
      void this.#sweeper?.stop();
      // Claims end with the watch: the store lets go of what it keeps for them (its claim connection).
      void this.#gate.track(() => this.#claims.unwatch(watcher).then(() => this.#store.close()));
    };
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
    await this.#wakeups.close();
    await this.#poller.close();
    await this.#sweeper?.stop();
    await this.#claims.unwatch();
    await this.#gate.drain();
    await this.#store.close();
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
