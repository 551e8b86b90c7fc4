import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Clock, ClockTimer } from '../../clock/clock.js';
import { TaskState } from '../../task/task.js';
import type { Task } from '../../task/task.js';
import type { Sql } from './task-store.js';

/**
 * Instant wake-ups on PostgreSQL: a write that makes a task due sooner sends a NOTIFY in its own
 * transaction (delivered at its commit, never for a rollback), and every watched repository keeps
 * one connection of its own LISTENing, so another process's loop wakes without waiting for its poll.
 *
 * Driver internals, checked against pg 8 and TypeORM 0.3: the listening connection is a
 * `pg.Client` made from TypeORM's loaded driver module (`driver.postgres`) with the options of its
 * pool (`driver.master.options`), so it reaches the server the DataSource does, with its
 * credentials and TLS settings, without taking a connection from the pool; for a watcher that
 * must not keep the process alive, its socket (`client.connection.stream`) is unref'd.
 */

/**
 * The channel of a tasks table: one per table (schema included), so that two kokugen stores in one
 * database do not wake each other. A digest keeps it within PostgreSQL's identifier length.
 */
export function dueChannel(table: string): string {
  return `kokugen_due_${createHash('sha256').update(table).digest('hex').slice(0, 16)}`;
}

/**
 * Sends the wake-up, inside the transaction `sql` runs, for the tasks that transaction made
 * scheduled: its payload is the earliest of their times (epoch ms, decimal), which the listeners'
 * timers follow, then `/` and `origin` when given. Nothing is sent when none is scheduled. One
 * statement, whoever runs it: the repository's own transactions and any other that writes kokugen
 * rows (a lease's expiry, a caller's transaction).
 *
 * `origin`: the sending repository's `PgListener.origin`. Its own listener ignores what it sent:
 * the repository already follows its own writes, and a notification that arrives after a later
 * write of its own moved the task again would arm the timer at a time that is no longer due.
 */
export async function notifyDue(sql: Sql, channel: string, tasks: ReadonlyArray<Task | undefined>, origin?: string): Promise<void> {
  const notice = dueNotice(channel, tasks, origin);
  if (notice !== undefined) await sql('SELECT pg_notify($1, $2)', notice);
}

/** `pg_notify`'s two arguments for the tasks a write made scheduled (see `notifyDue`), or undefined when none is. */
export function dueNotice(channel: string, tasks: ReadonlyArray<Task | undefined>, origin?: string): [string, string] | undefined {
  const earliest = earliestScheduled(tasks);
  if (earliest === undefined) return undefined;
  return [channel, origin === undefined ? String(earliest) : `${earliest}/${origin}`];
}

/** The earliest time among the tasks that are scheduled, or undefined when none is. */
export function earliestScheduled(tasks: ReadonlyArray<Task | undefined>): number | undefined {
  let earliest: number | undefined;
  for (const task of tasks) {
    if (task?.state === TaskState.Scheduled && (earliest === undefined || task.scheduledAt < earliest)) earliest = task.scheduledAt;
  }
  return earliest;
}

/** The first reconnection waits this long after a lost connection; each failure doubles it, up to the cap. */
const firstRetry = 100;
const maxRetry = 5_000;

interface PgClient {
  readonly connection?: { readonly stream?: { unref?: () => void } };
  connect(): Promise<unknown>;
  query(text: string): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error' | 'end', listener: (error?: unknown) => void): unknown;
}

type PgModule = { Client: new (options: object) => PgClient };

/** What a change feed tells: a time a task became due at (to follow if sooner), or undefined: read again. */
export type OnChange = (at: number | undefined) => void;

/**
 * The listening connection of one repository. States: stopped → `start(clock)` → connecting →
 * listening; a lost connection (a server restart, a network cut) → waiting to reconnect on the
 * Clock, with a growing delay → connecting → listening again, then `onChange(undefined)`: the
 * notifications sent while it was away are lost, so the timer reads the store once. `stop()` from
 * any state ends the connection. Connection errors are never thrown: the poll covers the gap.
 */
export class PgListener {
  /** Tags this repository's own notifications (see `notifyDue`). */
  readonly origin = randomBytes(6).toString('base64url');
  readonly #dataSource: DataSource;
  readonly #channel: string;
  #clock: Clock | undefined;
  #onChange: OnChange = () => undefined;
  #keepAlive = false;
  #client: PgClient | undefined;
  #retry: ClockTimer | undefined;
  #failures = 0;
  #listening = false;
  #ready: Array<() => void> = [];

  constructor(dataSource: DataSource, channel: string) {
    this.#dataSource = dataSource;
    this.#channel = channel;
  }

  start(clock: Clock, onChange: OnChange, keepAlive: boolean): void {
    if (this.#clock !== undefined) return;
    this.#clock = clock;
    this.#onChange = onChange;
    this.#keepAlive = keepAlive;
    this.#connect();
  }

  /** Resolves once the connection listens (at once if it does, or if the listener is stopped). */
  listening(): Promise<void> {
    return this.#listening || this.#clock === undefined ? Promise.resolve() : new Promise((resolve) => this.#ready.push(resolve));
  }

  async stop(): Promise<void> {
    this.#clock = undefined;
    this.#retry?.cancel();
    this.#retry = undefined;
    this.#listening = false;
    for (const resolve of this.#ready.splice(0)) resolve();
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }

  #connect(): void {
    const driver = this.#dataSource.driver as unknown as { postgres: PgModule; master: { options: object } };
    const client = new driver.postgres.Client({ ...driver.master.options });
    this.#client = client;
    // A lost connection emits 'error' and then 'end'; 'end' alone decides to reconnect.
    client.on('error', () => undefined);
    client.on('end', () => this.#lost(client));
    client.on('notification', ({ channel, payload = '' }) => {
      if (channel !== this.#channel || this.#client !== client) return;
      const [time = '', origin] = payload.split('/');
      if (origin === this.origin) return;
      const at = Number(time);
      this.#onChange(time !== '' && Number.isFinite(at) ? at : undefined);
    });
    void (async () => {
      try {
        await client.connect();
        if (!this.#keepAlive) client.connection?.stream?.unref?.();
        await client.query(`LISTEN "${this.#channel}"`);
      } catch {
        await client.end().catch(() => undefined);
        this.#lost(client);
        return;
      }
      if (this.#client !== client) return void client.end().catch(() => undefined);
      const reconnected = this.#failures > 0;
      this.#failures = 0;
      this.#listening = true;
      for (const resolve of this.#ready.splice(0)) resolve();
      if (reconnected) this.#onChange(undefined);
    })();
  }

  #lost(client: PgClient): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    this.#listening = false;
    const clock = this.#clock;
    if (clock === undefined) return;
    const delay = Math.min(firstRetry * 2 ** this.#failures, maxRetry);
    this.#failures++;
    this.#retry = clock.after(delay, () => {
      this.#retry = undefined;
      if (this.#clock === clock) this.#connect();
    });
  }
}
