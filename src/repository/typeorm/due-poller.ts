import type { ClockTimer } from '../../clock/clock.js';
import { DueTimer } from '../due-timer.js';
import type { RepositoryWatcher } from '../task-repository.js';

/** Reads the earliest scheduled time, or with `after` the earliest one later than `after`. */
export type EarliestRead = (after: number | undefined) => Promise<number | undefined>;

/** What a poller was told while a statement ran (see `DuePoller.note`). */
export interface Note {
  /** The soonest time `sooner()` heard, or Infinity. */
  soonest: number;
  /** Whether a re-read was asked for. */
  read: boolean;
}

/**
 * The timer half of a persistent repository. A DueTimer armed at the earliest scheduled time,
 * which is re-read from the store after each own write that can change it (`refresh()`), and,
 * while watched, every `pollInterval` ms through the watcher's Clock, because other processes
 * write to the same store.
 *
 * Reads never overlap: a `refresh()` arriving while one runs shares a single further read that
 * starts after it (with the latest caller's `after`), so the last read always starts after the
 * last write and the timer never settles on a stale time.
 */
export class DuePoller {
  readonly #read: EarliestRead;
  readonly #pollInterval: number;
  readonly #timer = new DueTimer();
  #watcher: RepositoryWatcher | undefined;
  #poll: ClockTimer | undefined;
  #earliest: number | undefined;
  #loaded = false;
  #closed = false;
  #running: Promise<void> | undefined;
  #again: Promise<void> | undefined;
  #againAfter: number | undefined;
  readonly #notes = new Set<Note>();

  constructor(read: EarliestRead, pollInterval: number) {
    this.#read = read;
    this.#pollInterval = pollInterval;
  }

  watch(watcher: RepositoryWatcher): () => void {
    if (this.#closed) return () => undefined;
    this.#stopPolling();
    this.#watcher = watcher;
    const unwatch = this.#timer.watch(watcher, this.#earliest);
    this.#armPoll(watcher);
    if (!this.#loaded) void this.refresh();
    return () => {
      if (this.#watcher !== watcher) return;
      unwatch();
      this.#stopPolling();
      this.#watcher = undefined;
    };
  }

  /**
   * Re-reads the time to follow. `after`: follow the first task due after it, not the due ones
   * still scheduled (a claim left them for their work's capacity, or another process holds them).
   */
  refresh(after?: number): Promise<void> {
    for (const note of this.#notes) note.read = true;
    if (this.#closed) return Promise.resolve();
    if (this.#running === undefined) {
      this.#running = this.#load(after).finally(() => {
        this.#running = undefined;
      });
      return this.#running;
    }
    this.#againAfter = after;
    this.#again ??= this.#running.then(() => {
      this.#again = undefined;
      return this.refresh(this.#againAfter);
    });
    return this.#again;
  }

  /**
   * Follows `earliest`, the earliest scheduled time as a write just saw it in its own transaction,
   * without reading it again. A read in flight may have started before that write, and would
   * then settle on an older time after this one: so with a read in flight, one more read follows it instead.
   */
  written(earliest: number): Promise<void> {
    if (this.#running !== undefined || this.#closed) return this.refresh();
    this.#earliest = earliest;
    this.#loaded = true;
    this.#timer.follow(earliest);
    return Promise.resolve();
  }

  /**
   * Another process made a task due at `at` (its wake-up said so): follow it if it comes before
   * the time followed now, without a read. A read in flight may have started before that write and
   * settle on a later time: then one more read follows it instead, and the promise waits for it.
   */
  sooner(at: number): Promise<void> {
    for (const note of this.#notes) note.soonest = Math.min(note.soonest, at);
    if (this.#closed) return Promise.resolve();
    if (this.#running !== undefined) return this.refresh();
    const armed = this.#timer.armedAt;
    if (armed !== undefined && armed <= at) return Promise.resolve();
    this.#timer.follow(at);
    if (this.#earliest === undefined || at < this.#earliest) this.#earliest = at;
    return Promise.resolve();
  }

  /** Starts noting what this poller is told, for the `followLater()` of a statement that starts now. */
  note(): Note {
    const note = { soonest: Infinity, read: false };
    this.#notes.add(note);
    return note;
  }

  /**
   * Follows `at`, the first wake later than `after` as a claim's own statement saw it: what
   * `refresh(after)` would read, without the read. What the poller was told since `note` the
   * statement may not have seen: a sooner time heard from another process is followed if earlier,
   * and after a re-read was asked for (a write of this process's own), or with a read in flight,
   * `refresh(after)` reads instead.
   */
  followLater(at: number | undefined, after: number, note: Note): Promise<void> {
    this.forget(note);
    if (this.#closed) return Promise.resolve();
    if (note.read || this.#running !== undefined) return this.refresh(after);
    const soonest = Math.min(at ?? Infinity, note.soonest);
    this.#timer.follow(soonest === Infinity ? undefined : soonest);
    return Promise.resolve();
  }

  /** Stops noting for `note`; what it noted so far stays readable. */
  forget(note: Note): void {
    this.#notes.delete(note);
  }

  /** Stops the timers and waits for the read in flight; later refreshes do nothing. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#timer.unwatch();
    this.#stopPolling();
    this.#watcher = undefined;
    await this.#again;
    await this.#running;
  }

  async #load(after: number | undefined): Promise<void> {
    try {
      const earliest = await this.#read(after);
      if (after === undefined) {
        this.#earliest = earliest;
        this.#loaded = true;
      }
      this.#timer.follow(earliest);
    } catch {
      // The write before this read committed, so the read must not fail it. Wake the loop instead:
      // its next claim meets the same failure and reports it through loop:error and the recovery hooks.
      const watcher = this.#watcher;
      if (watcher !== undefined) this.#timer.follow(watcher.clock.now());
    }
  }

  #armPoll(watcher: RepositoryWatcher): void {
    const { clock } = watcher;
    this.#poll = clock.setTimer(clock.now() + this.#pollInterval, () => {
      this.#poll = undefined;
      void this.refresh().then(() => {
        if (this.#watcher === watcher && this.#poll === undefined && !this.#closed) this.#armPoll(watcher);
      });
    });
  }

  #stopPolling(): void {
    this.#poll?.cancel();
    this.#poll = undefined;
  }
}
