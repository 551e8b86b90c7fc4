import { DuplicateIdError } from '../errors.js';
import type { Series } from '../schedule/series.js';
import { snapshot, TaskState } from '../task/task.js';
import type { NewTask, OnConflict, Task } from '../task/task.js';
import type { HeapStore } from './heap-store.js';
import { keysOf, planKeys } from './key-conflict.js';
import { exposed } from './pending-task.js';
import type { PendingTask } from './pending-task.js';
import { planSeriesConflict } from './series-conflict.js';

/**
 * The heap repository's adds that meet an existing series id or a held dedup key: they read its
 * tasks and indexes, let `planSeriesConflict` / `planKeys` decide, and write through `HeapStore`.
 * Each throws its refusal before the first change, so a refused add changes nothing.
 */

/** `addSeries` past its transaction and id checks: the occurrence it answers with. */
export function addSeriesTo(store: HeapStore, series: Series, first: NewTask, onConflict: OnConflict): Task {
  const existing = store.series.get(series.id);
  if (existing === undefined) {
    store.series.set(series.id, Object.freeze({ ...series }));
    return store.insert(first);
  }
  if (onConflict === 'reject') throw new DuplicateIdError(series.id, 'series');
  const plan = planSeriesConflict(existing, series, first, occurrences(store, series.id), onConflict);
  if (plan.kind === 'unchanged') return plan.task;
  if (plan.series !== undefined) store.series.set(series.id, plan.series);
  if (plan.kind === 'insert') return store.insert(first);
  if (plan.moved) store.replace(plan.task);
  return plan.task;
}

/** `add` of tasks with dedup keys, as `planKeys` decides; the tasks it answers with, in input order. */
export function addKeyedTo(store: HeapStore, tasks: readonly NewTask[], onConflict: OnConflict): Task[] {
  const plan = planKeys(tasks, new Map(keysOf(tasks).map((key) => [key, holders(store, key)])), onConflict);
  for (const running of plan.detach) {
    store.tasks.set(running.id, snapshot(running, { key: null }));
    store.index.unkeyed(running.key as string, running.id);
  }
  return plan.steps.map((step) => {
    if (step.kind === 'insert') return store.insert(step.task);
    if (step.kind === 'replace') store.replace(step.task);
    return step.task;
  });
}

/** The scheduled and dispatched tasks that have `key`; the index forgets the others. */
function holders(store: HeapStore, key: string): Task[] {
  const found: Task[] = [];
  for (const id of [...(store.index.byKey.get(key) ?? [])]) {
    const task = store.tasks.get(id);
    if (task !== undefined && task.key === key && (task.state === TaskState.Scheduled || task.state === TaskState.Dispatched)) found.push(exposed(task));
    else store.index.unkeyed(key, id);
  }
  return found;
}

/** A series' scheduled and dispatched occurrences, and its latest one. */
function occurrences(store: HeapStore, seriesId: string): Task[] {
  const found = new Set<PendingTask | Task>();
  for (const id of store.index.active.get(seriesId) ?? []) found.add(store.tasks.get(id) as Task);
  let latest: PendingTask | Task | undefined;
  for (const id of store.index.bySeries.get(seriesId) ?? []) {
    const task = store.tasks.get(id) as Task;
    if (latest === undefined || task.seq > latest.seq) latest = task;
  }
  if (latest !== undefined) found.add(latest);
  return [...found].map(exposed);
}
