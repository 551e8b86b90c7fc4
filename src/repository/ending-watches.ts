import { isEnded } from '../task/task.js';
import type { Task } from '../task/task.js';
import type { EndingWatcher } from './task-repository.js';

/**
 * The `watchEndings` registrations of a repository: who waits for which task ids to end. A
 * repository tells it of every task it ends (`ended`), which costs one size check while nobody
 * waits; a shared store also reads the watched ids' states (`ids`) for what other processes ended.
 * Each registration hears of each of its ids at most once, then forgets it.
 */
export class EndingWatches {
  readonly #byId = new Map<string, Set<EndingWatcher>>();

  get size(): number {
    return this.#byId.size;
  }

  /** The ids someone waits for. */
  ids(): string[] {
    return [...this.#byId.keys()];
  }

  add(ids: readonly string[], watcher: EndingWatcher): () => void {
    const own = new Set(ids);
    for (const id of own) {
      const set = this.#byId.get(id);
      if (set === undefined) this.#byId.set(id, new Set([watcher]));
      else set.add(watcher);
    }
    return () => {
      for (const id of own) this.#forget(id, watcher);
    };
  }

  /** Tells the watchers of `task.id` if it has ended; a watcher's throw is its own (it never reaches the writer). */
  ended(task: Task): void {
    if (this.#byId.size === 0 || !isEnded(task.state)) return;
    const set = this.#byId.get(task.id);
    if (set === undefined) return;
    this.#byId.delete(task.id);
    for (const watcher of set) {
      try {
        watcher.onEnded(task);
      } catch {
        // The contract says onEnded must not throw; one that does loses only its own notice.
      }
    }
  }

  #forget(id: string, watcher: EndingWatcher): void {
    const set = this.#byId.get(id);
    if (set === undefined) return;
    set.delete(watcher);
    if (set.size === 0) this.#byId.delete(id);
  }
}
