import { AlreadyDispatchedError, TaskNotFoundError } from '../errors.js';
import { compareTasks, matchesQuery, snapshot, TaskState } from '../task/task.js';
import type { Task, TaskQuery } from '../task/task.js';
import type { HeapStore } from './heap-store.js';
import { checkPurgeFilter, checkRetryTimes, isRetryable, refuseRetry, retriedChange, StatsTally } from './operations.js';
import { exposed } from './pending-task.js';
import type { PendingTask } from './pending-task.js';
import type { PurgeFilter, RepositoryStats } from './task-repository.js';

/**
 * The heap repository's reads and controls for people and tools that run the scheduler (`find`,
 * `remove`, `stats`, `retry`, `purge`): none runs on the loop's path, so they read and write
 * through `HeapStore` and leave heap-repository.ts to the claim and complete path.
 */

export function findIn(store: HeapStore, query: TaskQuery): Promise<Task[]> {
  const { limit = 100, offset = 0 } = query;
  const found: Task[] = [];
  const indexed = query.seriesId !== undefined ? store.index.bySeries.get(query.seriesId) : query.flowId !== undefined ? store.index.byFlow.get(query.flowId) : undefined;
  if (query.seriesId === undefined && query.flowId === undefined) {
    for (const task of store.tasks.values()) if (matchesQuery(task, query)) found.push(task);
  } else {
    for (const id of indexed ?? []) {
      const task = store.tasks.get(id) as PendingTask | Task;
      if (matchesQuery(task, query)) found.push(task);
    }
  }
  found.sort(query.state === TaskState.Scheduled ? compareTasks : (a, b) => a.seq - b.seq);
  return Promise.resolve(found.slice(offset, offset + limit).map(exposed));
}

export function removeIn(store: HeapStore, id: string): Promise<boolean> {
  const current = store.tasks.get(id);
  if (current === undefined) return Promise.resolve(false);
  if (current.state === TaskState.Dispatched) return Promise.reject(new AlreadyDispatchedError(id));
  store.delete(current);
  store.follow();
  return Promise.resolve(true);
}

/** One pass over the tasks: O(n), fine for the sizes a heap holds and the rate stats are read at. */
export async function statsOf(store: HeapStore, now: number): Promise<RepositoryStats> {
  const tally = new StatsTally();
  for (const task of store.tasks.values()) tally.add(task.state, task.workId);
  const earliest = store.earliest();
  return tally.result(earliest !== undefined && earliest <= now ? earliest : null);
}

export async function retryIn(store: HeapStore, id: string, scheduledAt: number, now: number): Promise<Task> {
  checkRetryTimes(scheduledAt, now);
  const current = store.tasks.get(id);
  if (current === undefined) throw new TaskNotFoundError(id);
  if (!isRetryable(current.state)) throw refuseRetry(current);
  const task = snapshot(current, retriedChange(scheduledAt));
  store.enqueue(task);
  store.index.activated(task);
  store.follow();
  return task;
}

export async function purgeIn(store: HeapStore, filter: PurgeFilter): Promise<number> {
  const { state, endedBefore, limit } = checkPurgeFilter(filter);
  const old: Task[] = [];
  for (const task of store.tasks.values()) if (task.state === state && (task.endedAt ?? Infinity) < endedBefore) old.push(task);
  old.sort((a, b) => a.seq - b.seq);
  const purged = old.slice(0, limit);
  for (const task of purged) store.delete(task);
  return purged.length;
}
