import type { Run } from './run.js';

/**
 * The runs whose outcome is being stored and told (hooks included), after they left `running`: a
 * graceful stop waits for them, and idle() until there are none.
 *
 * An array whose runs know their slot, not a Set: every task passes through here once, with up to
 * `concurrency` of them at a time, and a Set that fills and empties like that keeps growing and
 * shrinking its hash table, which the drain of a backlog paid for per task (measured alone).
 */
export class EndingRuns {
  readonly #runs: Run[] = [];

  get size(): number {
    return this.#runs.length;
  }

  add(run: Run): void {
    run.endingSlot = this.#runs.length;
    this.#runs.push(run);
  }

  delete(run: Run): void {
    const slot = run.endingSlot;
    if (slot < 0 || this.#runs[slot] !== run) return;
    const last = this.#runs.pop() as Run;
    if (last !== run) {
      this.#runs[slot] = last;
      last.endingSlot = slot;
    }
    run.endingSlot = -1;
  }

  /** A copy: the runs ending now. */
  list(): Run[] {
    return [...this.#runs];
  }

  has(taskId: string): boolean {
    return this.#runs.some((run) => run.task.id === taskId);
  }
}
