/**
 * A latch between the repository timer (and anything else that makes work due) and the loop.
 * `notify()` while the loop is busy is remembered, so a wake-up can never be lost: the loop
 * `clear()`s before it looks for due work and `wait()`s only if nothing set it since.
 */
export class Wake {
  #set = false;
  #resolve: (() => void) | undefined;

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
