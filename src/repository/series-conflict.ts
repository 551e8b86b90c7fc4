import { StateConflictError } from '../errors.js';
import type { Series } from '../schedule/series.js';
import { OnConflict, TaskState } from '../task/task.js';
import type { NewTask, Task } from '../task/task.js';

/**
 * What re-registering an existing series does (`addSeries` with `onConflict` 'keep' or 'replace'),
 * decided from what is stored, as a pure function that every repository applies in its one write.
 *
 * 'keep' leaves the series as stored. 'replace' stores the new definition (schedule, param,
 * options) under the series' id, keeping its creation time, its enabled state and its past
 * occurrences; its pending occurrence (if any) moves, in place, to the new first time with the new
 * fields, so no occurrence is added beside it and none runs twice. A running occurrence finishes;
 * the next one follows the new schedule. The same definition again changes nothing.
 */
export type SeriesPlan =
  /** Nothing changes; `task` is the series' current occurrence. */
  | { readonly kind: 'unchanged'; readonly task: Task }
  /** Store `series` (when given) and add `first` as its occurrence. */
  | { readonly kind: 'insert'; readonly series?: Series; readonly first: NewTask }
  /** Store `series`, and write `task` (the pending occurrence moved) back when given, else return `current`. */
  | { readonly kind: 'replace'; readonly series: Series; readonly task: Task; readonly moved: boolean };

/**
 * `occurrences` are the series' tasks that are scheduled or dispatched, plus its latest one (any
 * state), in any order.
 */
export function planSeriesConflict(existing: Series, incoming: Series, first: NewTask, occurrences: readonly Task[], onConflict: OnConflict): SeriesPlan {
  const pending = occurrences.find((task) => task.state === TaskState.Scheduled);
  const running = occurrences.find((task) => task.state === TaskState.Dispatched);
  const latest = [...occurrences].sort((a, b) => b.seq - a.seq)[0];
  const current = pending ?? running;
  const same = onConflict === OnConflict.Keep || sameDefinition(existing, incoming);
  const series: Series = Object.freeze({ ...incoming, enabled: existing.enabled, error: existing.error, createdAt: existing.createdAt });
  if (current !== undefined) {
    if (same) return { kind: 'unchanged', task: current };
    if (pending === undefined || !existing.enabled) return { kind: 'replace', series, task: current, moved: false };
    const moved: Task = Object.freeze({
      ...pending,
      workId: first.workId,
      param: first.param,
      scheduledAt: first.scheduledAt,
      priority: first.priority,
      meta: first.meta,
      retry: first.retry,
      timeout: first.timeout,
    });
    return { kind: 'replace', series, task: moved, moved: true };
  }
  if (existing.enabled) return same ? { kind: 'insert', first } : { kind: 'insert', series, first };
  if (latest === undefined) throw new StateConflictError(existing.id, 'a series with an occurrence (enable it, or remove it and schedule it again)', 'disabled');
  return same ? { kind: 'unchanged', task: latest } : { kind: 'replace', series, task: latest, moved: false };
}

/** Whether two series define the same thing (their ids, state and history aside). */
export function sameDefinition(a: Series, b: Series): boolean {
  return definition(a) === definition(b);
}

function definition(series: Series): string {
  const { workId, param, schedule, misfire, grace, priority, meta, retry, timeout } = series;
  return JSON.stringify([workId, param, schedule, misfire, grace, priority, sorted(meta), retry === null ? null : sorted(retry), timeout]);
}

function sorted(object: object): [string, unknown][] {
  return Object.entries(object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
