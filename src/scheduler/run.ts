import type { ClockTimer } from '../clock/clock.js';
import type { WorkContext } from '../dispatcher/dispatcher.js';
import type { Task } from '../task/task.js';

const settled: Promise<void> = Promise.resolve();
const noParents: readonly Task[] = Object.freeze([]);

/**
 * One dispatched task while it runs, and the context its work function receives.
 *
 * The AbortSignal is made only when someone reads it: an AbortController costs more than the rest
 * of a dispatch together, and most works never look at their signal. An abort that comes first is
 * remembered, so a signal read afterwards is born aborted with the same reason.
 */
export class Run implements WorkContext {
  readonly task: Task;
  readonly parents: readonly Task[];
  /** Set by whichever records the outcome first: the work settling, a timeout, abort() or a forced stop. */
  ended = false;
  finished: Promise<void> = settled;
  timer: ClockTimer | undefined;
  /** Its place among the runs whose outcome is being written (see EndingRuns), or -1. */
  endingSlot = -1;
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;

  constructor(task: Task, parents: readonly Task[] = noParents) {
    this.task = task;
    this.parents = parents;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}
