import type { Clock, ClockTimer } from '../../clock/clock.js';
import { toNumber } from './columns.js';
import type { Sql } from './task-store.js';

/** Runs one read on kokugen's connection (see SqliteStore.read). */
export type SqliteRead = <T>(work: (sql: Sql) => Promise<T>) => Promise<T>;

interface Subscriber {
  readonly onChange: () => void;
  readonly keepAlive: boolean;
}

/**
 * Notices other processes' commits to a SQLite file cheaply. `PRAGMA data_version` changes on a
 * connection when another connection commits to the file (never for its own commits, which the
 * repository follows itself), and reading it touches no table: so it is read every `interval` ms
 * on the Clock while anyone subscribes, and the subscribers (the due timer's re-read, the watch of
 * endings) run only when it changed.
 *
 * States: idle (no subscribers, no timer) → subscribed: a timer on the first subscriber's Clock →
 * idle again when the last one leaves, or for good after `close()`. A failed read (a lost file, a
 * closing repository) is skipped: the next tick tries again, and the poll covers the gap.
 */
export class SqliteChangeWatch {
  readonly #read: SqliteRead;
  readonly #interval: number;
  readonly #subscribers = new Set<Subscriber>();
  #clock: Clock | undefined;
  #timer: ClockTimer | undefined;
  #last: number | undefined;
  /** Which subscription period a tick belongs to: one that outlived its period does nothing. */
  #period = 0;
  #closed = false;
  #ready: Array<() => void> = [];

  constructor(read: SqliteRead, interval: number) {
    this.#read = read;
    this.#interval = interval;
  }

  subscribe(clock: Clock, onChange: () => void, keepAlive: boolean): () => void {
    if (this.#closed) return () => undefined;
    const subscriber: Subscriber = { onChange, keepAlive };
    this.#subscribers.add(subscriber);
    if (this.#clock === undefined) {
      this.#clock = clock;
      // The baseline is read now, queued before any read the subscriber makes next (the connection
      // takes turns in order), so a commit after that read is never mistaken for the baseline.
      void this.#tick(this.#period);
    }
    return () => {
      this.#subscribers.delete(subscriber);
      if (this.#subscribers.size === 0) this.#stop();
    };
  }

  /** Resolves once the baseline is read, from when changes are noticed (at once when nobody subscribes). */
  ready(): Promise<void> {
    return this.#clock === undefined || this.#last !== undefined ? Promise.resolve() : new Promise((resolve) => this.#ready.push(resolve));
  }

  close(): void {
    this.#closed = true;
    this.#subscribers.clear();
    this.#stop();
  }

  #stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#clock = undefined;
    this.#last = undefined;
    this.#period++;
    for (const resolve of this.#ready.splice(0)) resolve();
  }

  #arm(): void {
    const clock = this.#clock;
    if (clock === undefined || this.#timer !== undefined) return;
    const keepAlive = [...this.#subscribers].some((s) => s.keepAlive);
    const period = this.#period;
    this.#timer = clock.after(this.#interval, () => void this.#tick(period), keepAlive);
  }

  async #tick(period: number): Promise<void> {
    let version: number | undefined;
    try {
      version = await this.#read(async (sql) => toNumber((await sql('PRAGMA data_version')).rows[0]?.['data_version']));
    } catch {
      version = undefined;
    }
    if (this.#period !== period) return;
    this.#timer = undefined;
    const changed = version !== undefined && this.#last !== undefined && version !== this.#last;
    if (version !== undefined) this.#last = version;
    for (const resolve of this.#ready.splice(0)) resolve();
    if (changed) {
      for (const subscriber of [...this.#subscribers]) subscriber.onChange();
    }
    this.#arm();
  }
}
