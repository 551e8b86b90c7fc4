import type { Task } from '../task/task.js';

interface Waiter {
  readonly resolve: (task: Task) => void;
  readonly reject: (error: unknown) => void;
}

const noop = (): void => undefined;

/** Promises of `wait(id)` callers, settled when the task ends (or the scheduler stops). */
export class Waiters {
  readonly #byId = new Map<string, Waiter[]>();

  /**
   * The promise is marked handled at once: it may reject (a stop, a failed read) before the caller
   * got it back and attached its own handler, which must not count as an unhandled rejection.
   */
  add(id: string): Promise<Task> {
    const promise = new Promise<Task>((resolve, reject) => {
      const list = this.#byId.get(id);
      if (list === undefined) this.#byId.set(id, [{ resolve, reject }]);
      else list.push({ resolve, reject });
    });
    promise.catch(noop);
    return promise;
  }

  resolve(id: string, task: Task): void {
    const list = this.#byId.get(id);
    if (list === undefined) return;
    this.#byId.delete(id);
    for (const waiter of list) waiter.resolve(task);
  }

  reject(id: string, error: unknown): void {
    const list = this.#byId.get(id);
    if (list === undefined) return;
    this.#byId.delete(id);
    for (const waiter of list) waiter.reject(error);
  }

  rejectAll(error: unknown): void {
    for (const id of [...this.#byId.keys()]) this.reject(id, error);
  }
}
