/**
 * The loop handing a claimed batch over to the dispatcher, and the callers' adds that wait for it.
 *
 * The hand-off awaits once per task, and each await lets the next job in the microtask queue run
 * first. A caller adding in an awaited loop (`for (...) await scheduler.scheduleMany(batch)`)
 * queues one such job per add, each a synchronous stretch as long as its add: the batch then
 * reached its workers one task per add, and tasks falling due during a bulk add ran late by far.
 * An add that finds a hand-off in progress resolves after it instead.
 *
 * The hand-off covers only kokugen's own in-memory steps. Before anything that may wait on user
 * code or on the store (an onDispatch hook, a dispatcher that answers with a promise, the reads of
 * a checked task) the loop ends it, so an add made from such code, or one holding a connection the
 * store needs, never waits on the loop.
 */
export class HandOff {
  #active = false;
  #done: Promise<void> | undefined;
  #resolve: (() => void) | undefined;

  begin(): void {
    this.#active = true;
  }

  /** Ends the hand-off in progress (if any) and lets the adds that waited for it resolve. */
  end(): void {
    if (!this.#active) return;
    this.#active = false;
    const resolve = this.#resolve;
    this.#done = undefined;
    this.#resolve = undefined;
    resolve?.();
  }

  /** Resolves when the hand-off in progress ends; undefined when none is (the common case: no promise). */
  ended(): Promise<void> | undefined {
    if (!this.#active) return undefined;
    return (this.#done ??= new Promise((resolve) => (this.#resolve = resolve)));
  }
}
