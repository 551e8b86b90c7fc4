import { DuplicateIdError, SeriesNotFoundError } from '../errors.js';
import type { Series } from '../schedule/series.js';
import { TaskState } from '../task/task.js';
import type { NewTask, Task, TaskError } from '../task/task.js';
import type { HeapStore } from './heap-store.js';
import type { PendingTask } from './pending-task.js';
import type { SeriesChange } from './task-repository.js';

/**
 * The heap repository's controls of a series (`setSeriesEnabled`, `removeSeries`): each changes
 * the series and its occurrences in one step, through `HeapStore`.
 */

export function setSeriesEnabledIn(store: HeapStore, id: string, enabled: boolean, now: number, next?: NewTask, error?: TaskError): Promise<SeriesChange> {
  const current = store.series.get(id);
  if (current === undefined) return Promise.reject(new SeriesNotFoundError(id));
  if (next !== undefined && store.tasks.has(next.id)) return Promise.reject(new DuplicateIdError(next.id));
  const series: Series = Object.freeze({ ...current, enabled, error: enabled || error === undefined ? null : Object.freeze({ name: error.name, message: error.message }) });
  store.series.set(id, series);
  let task: Task | undefined;
  if (!enabled) {
    for (const taskId of [...(store.index.active.get(id) ?? [])]) {
      const occurrence = store.tasks.get(taskId);
      if (occurrence?.state === TaskState.Scheduled) task = store.cancelPending(occurrence, now);
    }
  } else if (next !== undefined && store.mayAddOccurrence(id, true)) {
    task = store.insert(next);
  }
  store.follow();
  return Promise.resolve(task === undefined ? { series } : { series, task });
}

export function removeSeriesIn(store: HeapStore, id: string): Promise<boolean> {
  if (!store.series.delete(id)) return Promise.resolve(false);
  for (const taskId of [...(store.index.bySeries.get(id) ?? [])]) {
    const task = store.tasks.get(taskId) as PendingTask | Task;
    if (task.state !== TaskState.Dispatched) store.delete(task);
  }
  store.follow();
  return Promise.resolve(true);
}
