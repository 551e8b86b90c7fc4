import type { Run } from './run.js';

/**
 * The runs whose outcome is being stored and told (hooks included), after they left `running`: a
 * graceful stop waits for them, and idle() until there are none.
 *
 * An array whose runs know their slot, not a Set of them: every task of a draining backlog passes
 * through here, and measured alone the drain cost less CPU per task this way. (A Set's own add and
 * delete are cheap in a micro-benchmark; what made the difference inside the drain is not known.)
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
