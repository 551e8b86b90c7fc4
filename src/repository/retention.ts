import { InvalidArgumentError } from '../errors.js';

export interface RetentionOptions {
  /** How many ended tasks (done, failed, cancelled) are kept at most. @default 10_000 */
  readonly maxEnded?: number;
  /** How long an ended task is kept after it ended, in ms. @default 86_400_000 (one day) */
  readonly maxAge?: number;
}

/**
 * Remembers ended task ids in the order they ended and says which to forget, so an in-memory
 * store holding results does not grow forever. Queue with a moving head: O(1) amortised per task.
 */
export class Retention {
  readonly #maxEnded: number;
  readonly #maxAge: number;
  #ids: string[] = [];
  #endedAt: number[] = [];
  #head = 0;

  constructor(options: RetentionOptions = {}) {
    const { maxEnded = 10_000, maxAge = 86_400_000 } = options;
    if (!Number.isInteger(maxEnded) || maxEnded < 0) throw new InvalidArgumentError('retention.maxEnded', 'an integer >= 0', maxEnded);
    if (typeof maxAge !== 'number' || Number.isNaN(maxAge) || maxAge < 0) throw new InvalidArgumentError('retention.maxAge', 'a number of ms >= 0', maxAge);
    this.#maxEnded = maxEnded;
    this.#maxAge = maxAge;
  }

  /**
   * Records that `id` ended at `now` and calls `forget(id, endedAt)` for every entry that must go.
   * The end time lets the store tell an entry from a later task that reused the id.
   */
  ended(id: string, now: number, forget: (id: string, endedAt: number) => void): void {
    this.#ids.push(id);
    this.#endedAt.push(now);
    const oldest = now - this.#maxAge;
    while (this.#head < this.#ids.length) {
      const count = this.#ids.length - this.#head;
      if (count <= this.#maxEnded && (this.#endedAt[this.#head] ?? now) >= oldest) break;
      forget(this.#ids[this.#head] as string, this.#endedAt[this.#head] as number);
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#ids.length) {
      this.#ids = this.#ids.slice(this.#head);
      this.#endedAt = this.#endedAt.slice(this.#head);
      this.#head = 0;
    }
  }
}
