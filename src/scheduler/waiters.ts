import type { Task } from '../task/task.js';

interface Waiter {
  readonly resolve: (task: Task) => void;
  readonly reject: (error: unknown) => void;
}

interface Entry {
  readonly list: Waiter[];
  /** Stops the repository's watch of this id's ending, when one was started. */
  readonly unwatch: (() => void) | undefined;
}

const noop = (): void => undefined;

/**
 * Promises of `wait(id)` callers, settled when the task ends (or the scheduler stops).
 *
 * An ending this scheduler writes itself is settled by the path that wrote it, after its listeners
 * and hooks; one written elsewhere (another process, or another scheduler on the same repository)
 * arrives through `watch`, the repository's `watchEndings`, and settles at once — unless this
 * scheduler holds the id (`hold`) because it is writing that ending itself.
 */
export class Waiters {
  readonly #byId = new Map<string, Entry>();
  readonly #held = new Map<string, number>();

  /**
   * The promise is marked handled at once: it may reject (a stop, a failed read) before the caller
   * got it back and attached its own handler, which must not count as an unhandled rejection.
   * `watch` is called for the first waiter of an id, and what it returns when the id settles.
   */
  add(id: string, watch?: (id: string) => (() => void) | undefined): Promise<Task> {
    const promise = new Promise<Task>((resolve, reject) => {
      const entry = this.#byId.get(id);
      if (entry !== undefined) {
        entry.list.push({ resolve, reject });
        return;
      }
      const fresh: Entry = { list: [{ resolve, reject }], unwatch: undefined };
      this.#byId.set(id, fresh);
      let unwatch: (() => void) | undefined;
      try {
        unwatch = watch?.(id);
      } catch {
        // No watch (a closed repository refuses it): the read that follows meets the same refusal and rejects the waiters.
      }
      // The watch may have reported the ending already, synchronously.
      if (this.#byId.get(id) === fresh) this.#byId.set(id, { list: fresh.list, unwatch });
      else unwatch?.();
    });
    promise.catch(noop);
    return promise;
  }

  /**
   * While held, endings reported from elsewhere are ignored: this scheduler settles the id itself.
   * Only an id someone waits for now is held: an ending is reported from elsewhere only to an id
   * with a waiter (its watch starts with the first one), and a `wait()` that starts during the write
   * reads the store itself. Most writes (a cancel nobody waits for) then touch no Map at all.
   */
  hold(id: string): () => void {
    if (!this.#byId.has(id)) return noop;
    this.#held.set(id, (this.#held.get(id) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const count = (this.#held.get(id) ?? 1) - 1;
      if (count === 0) this.#held.delete(id);
      else this.#held.set(id, count);
    };
  }

  /** An ending written elsewhere: settles the id's waiters unless it is held. */
  endedElsewhere(task: Task): void {
    if (!this.#held.has(task.id)) this.resolve(task.id, task);
  }

  resolve(id: string, task: Task): void {
    for (const waiter of this.#take(id)) waiter.resolve(task);
  }

  reject(id: string, error: unknown): void {
    for (const waiter of this.#take(id)) waiter.reject(error);
  }

  rejectAll(error: unknown): void {
    for (const id of [...this.#byId.keys()]) this.reject(id, error);
  }

  #take(id: string): Waiter[] {
    const entry = this.#byId.get(id);
    if (entry === undefined) return [];
    this.#byId.delete(id);
    entry.unwatch?.();
    return entry.list;
  }
}
