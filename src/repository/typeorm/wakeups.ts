import type { DataSource } from 'typeorm';
import type { Task } from '../../task/task.js';
import type { EndingWatcher, RepositoryWatcher } from '../task-repository.js';
import type { DuePoller } from './due-poller.js';
import { EndingPoll, everyInterval } from './ending-poll.js';
import { dueChannel, dueNotice, notifyDue, PgListener } from './pg-notifier.js';
import { SqliteChangeWatch } from './sqlite-change-watch.js';
import type { SqliteRead } from './sqlite-change-watch.js';
import type { Sql } from './task-store.js';

export interface WakeupParts {
  readonly type: 'sqlite' | 'postgres';
  readonly dataSource: DataSource;
  /** The tasks table, as SQL. */
  readonly tasks: string;
  readonly read: SqliteRead;
  readonly poller: DuePoller;
  readonly watchInterval: number;
  /**
   * The database's time minus this process's, in ms (0 where the local clock decides): a notified
   * due time is the store's, and the local timer follows it shifted, as it does the polled one.
   */
  readonly offset: () => number;
}

/**
 * How a repository hears of what other processes write to the store it shares, beyond its poll:
 * on PostgreSQL, LISTEN/NOTIFY (pg-notifier.ts) for tasks made due sooner; on SQLite, the file's
 * `data_version` (sqlite-change-watch.ts); on both, the watch of endings that `wait()` relies on
 * (ending-poll.ts). Every timer runs on the watcher's Clock, only while someone watches.
 */
export class Wakeups {
  readonly #poller: DuePoller;
  readonly #offset: () => number;
  readonly #channel: string | undefined;
  readonly #listener: PgListener | undefined;
  readonly #changes: SqliteChangeWatch | undefined;
  readonly #endings: EndingPoll;

  constructor(parts: WakeupParts) {
    this.#poller = parts.poller;
    this.#offset = parts.offset;
    if (parts.type === 'postgres') {
      this.#channel = dueChannel(parts.tasks);
      this.#listener = new PgListener(parts.dataSource, this.#channel);
      this.#endings = new EndingPoll(parts.read, parts.tasks, everyInterval(parts.watchInterval));
    } else {
      const changes = new SqliteChangeWatch(parts.read, parts.watchInterval);
      this.#changes = changes;
      this.#endings = new EndingPoll(parts.read, parts.tasks, (clock, check) => changes.subscribe(clock, check, true));
    }
  }

  /**
   * Inside a write's transaction, the wake-up for the tasks it made scheduled: a NOTIFY on
   * PostgreSQL; nothing on SQLite, whose other connections notice the commit themselves.
   */
  notify(sql: Sql, tasks: ReadonlyArray<Task | undefined>): Promise<void> {
    return this.#channel === undefined ? Promise.resolve() : notifyDue(sql, this.#channel, tasks, this.#listener?.origin);
  }

  /**
   * The wake-up for `tasks` as `pg_notify`'s arguments, for a write that sends it from a statement
   * of its own making (see `TaskTables.insertAlone`); undefined on SQLite, or when none is scheduled.
   */
  notice(tasks: ReadonlyArray<Task | undefined>): [string, string] | undefined {
    return this.#channel === undefined ? undefined : dueNotice(this.#channel, tasks, this.#listener?.origin);
  }

  /** The due timer, with its wake-ups from other processes, until unwatched. */
  watch(watcher: RepositoryWatcher): () => void {
    const poller = this.#poller;
    let unsubscribe: () => void;
    if (this.#listener !== undefined) {
      const listener = this.#listener;
      listener.start(watcher.clock, (at) => void (at === undefined ? poller.refresh() : poller.sooner(at - this.#offset())), watcher.keepAlive);
      unsubscribe = () => void listener.stop();
    } else {
      // Before the poller's first read: see SqliteChangeWatch.subscribe.
      unsubscribe = this.#changes?.subscribe(watcher.clock, () => void poller.refresh(), false) ?? (() => undefined);
    }
    const unwatch = poller.watch(watcher);
    return () => {
      unsubscribe();
      unwatch();
    };
  }

  watchEndings(ids: readonly string[], watcher: EndingWatcher): () => void {
    return this.#endings.add(ids, watcher);
  }

  /** Tasks the repository's own writes changed: their watchers hear of those that ended. */
  ended(tasks: ReadonlyArray<Task | undefined>): void {
    this.#endings.ended(tasks);
  }

  /** Resolves once other processes' changes are heard: on PostgreSQL when the LISTEN connection is up, on SQLite once the change watch has its baseline. */
  listening(): Promise<void> {
    return this.#listener?.listening() ?? this.#changes?.ready() ?? Promise.resolve();
  }

  async close(): Promise<void> {
    this.#endings.close();
    this.#changes?.close();
    await this.#listener?.stop();
  }
}
