import { compareTasks } from '../../task/task.js';
import type { Task } from '../../task/task.js';

/**
 * Tasks this process claimed but has not handed out yet: the claim-ahead queue. Each is
 * `dispatched` in the store under this process's lease (which the LeaseKeeper renews), so no other
 * process runs it and a cancel or update of it fails cleanly with `ERR_ALREADY_DISPATCHED`; it was
 * due when claimed, so it never starts early. They are handed out in run order, within the
 * per-work room and the works the caller names, and go back to `scheduled` when the repository
 * stops being watched or closes.
 */
export class ClaimQueue {
  #tasks: Task[] = [];
  /** Ids of queued tasks taken over from an expired lease, reported when they are handed out. */
  readonly #takenOver = new Set<string>();

  get size(): number {
    return this.#tasks.length;
  }

  add(tasks: readonly Task[], takenOver: ReadonlySet<unknown>): void {
    if (tasks.length === 0) return;
    for (const task of tasks) if (takenOver.has(task.id)) this.#takenOver.add(task.id);
    this.#tasks = this.#tasks.length === 0 ? [...tasks].sort(compareTasks) : [...this.#tasks, ...tasks].sort(compareTasks);
  }

  /**
   * Takes up to `limit` tasks in run order, at most `room.get(workId)` of a work listed there (the
   * map is decremented), none of a work outside `works`. Returns them with those taken over.
   */
  take(limit: number, room: Map<string, number> | undefined, works: ReadonlySet<string> | undefined): { tasks: Task[]; takenOver: Task[] } {
    const tasks: Task[] = [];
    const takenOver: Task[] = [];
    if (limit <= 0 || this.#tasks.length === 0) return { tasks, takenOver };
    const left: Task[] = [];
    for (const task of this.#tasks) {
      const free = room?.get(task.workId);
      if (tasks.length >= limit || (works !== undefined && !works.has(task.workId)) || (free !== undefined && free <= 0)) {
        left.push(task);
        continue;
      }
      if (free !== undefined) room?.set(task.workId, free - 1);
      tasks.push(task);
      if (this.#takenOver.delete(task.id)) takenOver.push(task);
    }
    this.#tasks = left;
    return { tasks, takenOver };
  }

  /** Drops a task whose lease was lost; true if it was queued. */
  remove(id: string): boolean {
    const at = this.#tasks.findIndex((task) => task.id === id);
    if (at < 0) return false;
    this.#tasks.splice(at, 1);
    this.#takenOver.delete(id);
    return true;
  }

  /** Empties the queue, returning what it held (to release). */
  drain(): Task[] {
    const tasks = this.#tasks;
    this.#tasks = [];
    this.#takenOver.clear();
    return tasks;
  }
}
