import { LeaseLostError } from '../../errors.js';
import { compareTasks } from '../../task/task.js';
import type { Task } from '../../task/task.js';
import type { RepositoryWatcher } from '../task-repository.js';
import { checkWorkLimits } from './checks.js';
import { ClaimQueue } from './claim-queue.js';
import { LeaseKeeper } from './lease-keeper.js';
import { releaseLeases, renewLeases } from './lease-sql.js';
import type { Held } from './lease-sql.js';
import { toTask } from './task-row.js';
import type { TaskStore } from './task-store.js';

/** The settings claims run with. */
export interface ClaimSettings {
  /** How long a claim's lease lasts, in ms. */
  readonly lease: number;
  /** How many tasks a claim takes beyond what it was asked for, to hand out from the local queue. */
  readonly claimAhead: number;
}

/** What a claim gave, and what the repository's timer should do about it. */
export interface ClaimResult {
  readonly tasks: Task[];
  /** Whether the store was asked (the local queue alone did not suffice). */
  readonly asked: boolean;
  /** See `Claimed.next`. */
  readonly next?: number;
  /** See `Claimed.later`. */
  readonly later?: { readonly at: number | undefined };
}

/**
 * Claims under leases, for a TypeOrmRepository: asks the store for due tasks (and expired leases to
 * take over) in batches of up to `limit + claimAhead`, holds them under lease (the LeaseKeeper
 * renews them), and hands them out in run order from a local queue within the caller's per-work
 * room and works. Measures the database's clock against the caller's on each round trip where the
 * database decides time (`offset`).
 *
 * Watched → the keeper renews; unwatched or closed → the queued tasks go back to `scheduled`.
 */
export class LeaseClaims {
  readonly keeper: LeaseKeeper;
  readonly #store: TaskStore;
  readonly #settings: ClaimSettings;
  readonly #queue = new ClaimQueue();
  #watcher: RepositoryWatcher | undefined;
  /** Database time minus the caller's, in ms, as last measured (0 where time is local). */
  #offset = 0;

  constructor(store: TaskStore, settings: ClaimSettings) {
    this.#store = store;
    this.#settings = settings;
    this.keeper = new LeaseKeeper(
      settings.lease,
      (held, now) => store.write((sql) => renewLeases(sql, store, held, settings.lease, now)),
      (id, attempt) => this.#lost(id, attempt),
    );
  }

  /** Database time minus local time, in ms: add it to a local time to get the database's. */
  get offset(): number {
    return this.#offset;
  }

  /** Records a reading of the database's clock taken when the local clock read `local`. */
  measured(dbNow: number, local: number): void {
    this.#offset = dbNow - local;
  }

  /**
   * Reads the database's clock once, where it decides time, and records its offset from `local`
   * (the local clock's reading): the timer then follows the database's time before the first claim
   * measures it again.
   */
  async measure(local: number): Promise<void> {
    const at = this.#store.nowSql(1);
    if (at === '$1') return;
    const [row] = (await this.#store.read((sql) => sql(`SELECT ${at} AS k_now`))).rows;
    if (row !== undefined) this.measured(Number(row['k_now']), local);
  }

  async claim(now: number, limit: number, owner: string, workLimits: ReadonlyMap<string, number> | undefined, works: ReadonlySet<string> | undefined): Promise<ClaimResult> {
    const room = workLimits === undefined ? undefined : new Map(workLimits);
    const first = this.#queue.take(limit, room, works);
    const tasks = first.tasks;
    const takenOver = first.takenOver;
    let asked = false;
    let next: number | undefined;
    let later: ClaimResult['later'];
    if (tasks.length < limit) {
      asked = true;
      const want = limit - tasks.length;
      const plan = { ...checkWorkLimits(room, want), only: works === undefined ? undefined : [...works] };
      const claimed = await this.#store.claim({ now, limit: want + this.#settings.claimAhead, owner, plan, lease: this.#settings.lease });
      if (claimed.dbNow !== undefined) this.measured(claimed.dbNow, now);
      next = claimed.next;
      later = claimed.later;
      const rows = claimed.rows.map(toTask);
      for (const task of rows) {
        // This process's own lease expired (its event loop stalled past it) and it took the task over: the old run lost it.
        const before = this.keeper.attemptOf(task.id);
        if (before !== null && before !== task.attempt) this.#lost(task.id, before);
        this.keeper.hold(task.id, task.attempt);
      }
      this.#queue.add(rows, claimed.takenOver);
      const more = this.#queue.take(want, room, works);
      tasks.push(...more.tasks);
      takenOver.push(...more.takenOver);
    }
    const onRecovered = this.#watcher?.onRecovered;
    if (onRecovered !== undefined) for (const task of takenOver) onRecovered(task);
    return { tasks: tasks.sort(compareTasks), asked, ...(next === undefined ? {} : { next }), ...(later === undefined ? {} : { later }) };
  }

  watch(watcher: RepositoryWatcher): void {
    this.#watcher = watcher;
    this.keeper.start(watcher.clock);
  }

  /** Stops renewing and puts the queued tasks back; the leases of running ones stay held until their outcomes are written. */
  async unwatch(watcher?: RepositoryWatcher): Promise<void> {
    if (watcher !== undefined && this.#watcher !== watcher) return;
    this.#watcher = undefined;
    await this.keeper.stop();
    await this.release();
  }

  /** Puts the queued tasks back to `scheduled`. */
  async release(): Promise<void> {
    const queued = this.#queue.drain();
    if (queued.length === 0) return;
    const held: Held[] = [];
    for (const task of queued) {
      const attempt = this.keeper.attemptOf(task.id);
      this.keeper.drop(task.id);
      if (attempt !== null) held.push([task.id, attempt]);
    }
    // A failed release leaves them dispatched under a lease that expires: another claim takes them over then.
    await this.#store.write((sql) => releaseLeases(sql, this.#store, held)).catch(() => undefined);
  }

  #lost(id: string, attempt: number): void {
    // A queued task never ran: no outcome will be written for it, nothing to remember.
    if (this.#queue.remove(id)) this.keeper.drop(id);
    this.#watcher?.onLeaseLost?.(id, new LeaseLostError(id, attempt));
  }
}
