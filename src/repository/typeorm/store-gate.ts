import type { DataSource } from 'typeorm';
import { NotRunningError } from '../../errors.js';
import type { Task } from '../../task/task.js';
import type { DuePoller } from './due-poller.js';
import { asSchemaError } from './schema-error.js';
import type { Sql, TaskStore } from './task-store.js';
import { joinTransaction } from './transaction-join.js';
import type { Wakeups } from './wakeups.js';

/** The tasks a write made scheduled, whose wake-up goes out in the same transaction. */
type Woken<T> = (result: T) => ReadonlyArray<Task | undefined>;

/**
 * What every operation of a `TypeOrmRepository` passes through: refused once the repository is
 * closing, counted in flight until it settles (so `close()` can wait for it), one transaction of
 * the store each; after a write, the due timer re-reads and the wake-ups of other processes go out
 * in the same transaction.
 */
export class StoreGate {
  readonly #store: TaskStore;
  readonly #dataSource: DataSource;
  readonly #inFlight = new Set<Promise<unknown>>();
  #poller: DuePoller | undefined;
  #wakeups: Wakeups | undefined;
  #closed = false;

  constructor(store: TaskStore, dataSource: DataSource) {
    this.#store = store;
    this.#dataSource = dataSource;
  }

  /** The timer and the wake-ups a write tells; they read through this gate, so they come after it. */
  wire(poller: DuePoller, wakeups: Wakeups): void {
    this.#poller = poller;
    this.#wakeups = wakeups;
  }

  /** From now on every operation is refused with `ERR_NOT_RUNNING`. */
  close(): void {
    this.#closed = true;
  }

  checkOpen(): void {
    if (this.#closed) throw new NotRunningError('the repository is closed');
  }

  /** Resolves once no operation is in flight. */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** Counts the operation in flight until it settles; a missing schema becomes `ERR_SCHEMA_MISSING`. */
  track<T>(operation: () => Promise<T>): Promise<T> {
    const promise = operation().catch((error: unknown) => {
      throw asSchemaError(error);
    });
    this.#inFlight.add(promise);
    const forget = (): void => void this.#inFlight.delete(promise);
    promise.then(forget, forget);
    return promise;
  }

  async read<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
    this.checkOpen();
    return this.track(() => this.#store.read(work));
  }

  /** One transaction; then, unless `follows` says the scheduled set is unchanged, the timer re-reads. */
  async write<T>(work: (sql: Sql) => Promise<T>, follows: (result: T) => boolean = () => true, woken?: Woken<T>): Promise<T> {
    this.checkOpen();
    const transaction =
      woken === undefined
        ? work
        : async (sql: Sql): Promise<T> => {
            const result = await work(sql);
            await this.#wakeups?.notify(sql, woken(result));
            return result;
          };
    return this.track(async () => {
      const result = await this.#store.write(transaction);
      if (follows(result)) await this.#poller?.refresh();
      return result;
    });
  }

  /**
   * `write`, or with a caller's transaction (see transaction-join.ts) the same steps on its
   * QueryRunner; the timer re-reads once the caller committed.
   */
  async writeIn<T>(transaction: unknown, work: (sql: Sql) => Promise<T>, woken?: Woken<T>): Promise<T> {
    if (transaction === undefined) return this.write(work, undefined, woken);
    const joined = joinTransaction(transaction, this.#dataSource);
    this.checkOpen();
    // The NOTIFY goes through the caller's transaction too: PostgreSQL delivers it at their commit.
    const result = await this.track(async () => {
      const written = await work(joined.sql);
      if (woken !== undefined) await this.#wakeups?.notify(joined.sql, woken(written));
      return written;
    });
    joined.afterCommit(() => {
      if (!this.#closed) void this.#poller?.refresh().catch(() => undefined);
    });
    return result;
  }
}
