/**
 * A latch between the repository timer (and anything else that makes work due) and the loop.
 * `notify()` while the loop is busy is remembered, so a wake-up can never be lost: the loop
 * `clear()`s before it looks for due work and `wait()`s only if nothing set it since.
 */
export class Wake {
  #set = false;
  #resolve: (() => void) | undefined;
  /** Ends the loop's yield in progress (see `yieldTurn`). */
  #endYield: (() => void) | undefined;

  notify = (): void => {
    this.#set = true;
    const resolve = this.#resolve;
    this.#resolve = undefined;
    resolve?.();
  };

  clear(): void {
    this.#set = false;
  }

  get isSet(): boolean {
    return this.#set;
  }

  /**
   * Lets the macrotask queue in (timers, I/O) before the loop goes on: resolves on the next turn of
   * the event loop, or sooner at `callerAdded()`. A caller that adds due work from a chain of
   * microtasks (an awaited `schedule()` in a loop) keeps that queue shut until the chain ends, and
   * the loop would wait for all of it while the tasks it added fall late; its adds let the loop in.
   */
  yieldTurn(): Promise<void> {
    return new Promise((resolve) => {
      const end = (): void => {
        clearImmediate(immediate);
        if (this.#endYield === end) this.#endYield = undefined;
        resolve();
      };
      const immediate = setImmediate(end);
      this.#endYield = end;
    });
  }

  /** A caller made work due: the loop's yield in progress, if any, ends now. */
  callerAdded(): void {
    this.#endYield?.();
  }

  /** Resolves at the next `notify()` (at once if one came since `clear()`), or when `signal` aborts. */
  wait(signal: AbortSignal): Promise<void> {
    if (this.#set || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const onAbort = (): void => this.notify();
      signal.addEventListener('abort', onAbort, { once: true });
      this.#resolve = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
    });
  }
}
