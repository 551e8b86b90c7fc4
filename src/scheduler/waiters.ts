import type { Task } from '../task/task.js';

interface Waiter {
  readonly resolve: (task: Task) => void;
  readonly reject: (error: unknown) => void;
}

/** Promises of `wait(id)` callers, settled when the task ends (or the scheduler stops). */
export class Waiters {
  readonly #byId = new Map<string, Waiter[]>();

  add(id: string): Promise<Task> {
    return new Promise<Task>((resolve, reject) => {
      const list = this.#byId.get(id);
      if (list === undefined) this.#byId.set(id, [{ resolve, reject }]);
      else list.push({ resolve, reject });
    });
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
