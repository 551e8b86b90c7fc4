import type { Clock, ClockTimer } from '../../clock/clock.js';
import { LeaseLostError, StateConflictError, TaskNotFoundError } from '../../errors.js';
import type { Held } from './lease-sql.js';

/** Renews the given leases at `now` in one write; resolves with the ids renewed. */
export type Renew = (held: readonly Held[], now: number) => Promise<ReadonlySet<unknown>>;

/**
 * The leases this process holds: each task it claimed, with the attempt it claimed (the fencing
 * token its writes compare-and-set on), until its outcome is stored.
 *
 * While started, every `lease / 3` on the Clock it renews all of them in one statement; a lease
 * the renewal did not find (another process took the task over after it expired, or it ended) is
 * dropped and reported through `onLost`, once. A failed renewal (the store unreachable) is tried
 * again at the next tick: the leases run on meanwhile, and expire if the store stays away.
 * A task whose outcome is being written is not reported lost: its write says how it went.
 */
export class LeaseKeeper {
  readonly #lease: number;
  readonly #renew: Renew;
  readonly #onLost: (id: string, attempt: number) => void;
  readonly #held = new Map<string, number>();
  readonly #ending = new Set<string>();
  /** Leases a renewal found lost, until the run's outcome is written: that write must be refused too. */
  readonly #lost = new Map<string, number>();
  #clock: Clock | undefined;
  #timer: ClockTimer | undefined;
  #renewing: Promise<void> | undefined;

  constructor(lease: number, renew: Renew, onLost: (id: string, attempt: number) => void) {
    this.#lease = lease;
    this.#renew = renew;
    this.#onLost = onLost;
  }

  get size(): number {
    return this.#held.size;
  }

  hold(id: string, attempt: number): void {
    this.#held.set(id, attempt);
  }

  /** The attempt whose lease this process holds (or held, and lost) for `id`, or null. */
  attemptOf(id: string): number | null {
    return this.#held.get(id) ?? this.#lost.get(id) ?? null;
  }

  /** The outcome of `id` is being written: a renewal that misses it meanwhile is no loss. */
  ending(id: string): void {
    if (this.#held.has(id)) this.#ending.add(id);
  }

  /**
   * The write of `id`'s outcome for `attempt` settled: dropped (`release`), or held on for a write
   * tried again. Only that attempt's lease: a claim of this process may have taken the task over
   * from it meanwhile (its own lease expired during a stall), and the new attempt's lease stays.
   */
  ended(id: string, attempt: number | null, release: boolean): void {
    this.#ending.delete(id);
    if (!release) return;
    if (this.#held.get(id) === attempt) this.#held.delete(id);
    if (this.#lost.get(id) === attempt) this.#lost.delete(id);
  }

  /**
   * Runs a write of `id`'s outcome with the attempt this process holds (null: none, unfenced), and
   * lets go of the lease once the write settles definitively: written (unless `holdOn` says the
   * write did not apply and another follows), or refused for good. A failed write holds on, for
   * the write tried again.
   */
  async fenced<T>(id: string, write: (attempt: number | null) => Promise<T>, holdOn: (result: T) => boolean = () => false): Promise<T> {
    this.ending(id);
    const attempt = this.attemptOf(id);
    try {
      const result = await write(attempt);
      this.ended(id, attempt, !holdOn(result));
      return result;
    } catch (error) {
      this.ended(id, attempt, error instanceof LeaseLostError || error instanceof StateConflictError || error instanceof TaskNotFoundError);
      throw error;
    }
  }

  /** Lets go of `id` without a write (it went back to the store some other way). */
  drop(id: string): void {
    this.#held.delete(id);
    this.#ending.delete(id);
    this.#lost.delete(id);
  }

  start(clock: Clock): void {
    this.stop();
    this.#clock = clock;
    this.#arm();
  }

  /** Stops renewing and waits for a renewal in flight. */
  async stop(): Promise<void> {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#clock = undefined;
    await this.#renewing;
  }

  /** One renewal now (the timer's, or a test's); joins one in flight. */
  renew(): Promise<void> {
    this.#renewing ??= this.#renewAll().finally(() => {
      this.#renewing = undefined;
    });
    return this.#renewing;
  }

  #arm(): void {
    const clock = this.#clock;
    if (clock === undefined) return;
    this.#timer = clock.after(Math.max(1, Math.floor(this.#lease / 3)), () => {
      if (this.#clock !== clock) return;
      void this.renew().then(() => {
        if (this.#clock === clock) this.#arm();
      });
    });
  }

  async #renewAll(): Promise<void> {
    const clock = this.#clock;
    if (this.#held.size === 0 || clock === undefined) return;
    const held: Held[] = [...this.#held];
    let renewed: ReadonlySet<unknown>;
    try {
      renewed = await this.#renew(held, clock.now());
    } catch {
      return; // Tried again at the next tick; a lease that expires meanwhile is found lost then.
    }
    for (const [id, attempt] of held) {
      if (renewed.has(id) || this.#ending.has(id) || this.#held.get(id) !== attempt) continue;
      this.#held.delete(id);
      this.#lost.set(id, attempt);
      this.#onLost(id, attempt);
    }
  }
}
