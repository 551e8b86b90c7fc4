import { sameDefinition } from '../repository/series-conflict.js';
import type { NewTask, OnConflict, Task } from '../task/task.js';
import { recoverWrite, writeFor } from './caller-write.js';
import type { Core } from './core.js';
import type { NewSeries } from './task-input.js';

/**
 * The facade's writes of new tasks and series: the store write, then the events, hooks and wake-up
 * it decides. A write in the caller's transaction (`transaction` given) is made once (a failed
 * statement has aborted that transaction, so a retry through onUpdateError could not succeed) and
 * does not wake the loop: nothing is visible before the caller commits, and the repository re-arms
 * its timer after that commit.
 */

/**
 * New tasks; with dedup keys, `onConflict` may answer some with the task holding the key (kept,
 * or rewritten: `task:updated`) instead of a new one (`task:scheduled`).
 */
export async function addTasks(core: Core, tasks: readonly NewTask[], transaction: unknown, onConflict: OnConflict = 'reject'): Promise<Task[]> {
  const keyed = tasks.some((task) => task.key !== undefined && task.key !== null);
  const options = keyed || transaction !== undefined ? { ...(transaction === undefined ? {} : { transaction }), ...(keyed ? { onConflict } : {}) } : undefined;
  const write = (): Promise<Task[]> => core.repository.add(tasks, options);
  let stored: Task[];
  try {
    stored = await write();
  } catch (error) {
    // In the caller's transaction the write is made once (see above).
    if (transaction !== undefined) throw error;
    stored = await recoverWrite(core, 'schedule', tasks[0]?.id ?? '', write, error);
  }
  if (transaction === undefined) core.callerMadeDue(stored);
  const observe = core.hooks.has('onUpdate');
  const emit = core.events.has('task:scheduled');
  for (let i = 0; i < stored.length; i++) {
    const task = stored[i] as Task;
    if (task.id !== tasks[i]?.id) {
      if (onConflict === 'replace') {
        core.events.emit('task:updated', { task });
        if (observe) await core.hooks.observe('onUpdate', { task, kind: 'update' });
      }
      continue;
    }
    if (emit) core.events.emit('task:scheduled', { task });
    if (observe) await core.hooks.observe('onUpdate', { task, kind: 'schedule' });
  }
  // After the loop's hand-off in progress, if any (see HandOff): a caller adding in a loop lets it finish first.
  const handing = core.handOff.ended();
  if (handing !== undefined) await handing;
  return stored;
}

/**
 * A series and its first occurrence; with `onConflict` 'keep' or 'replace' on an existing id, the
 * series' current occurrence. Events tell what changed: `task:scheduled` for an occurrence added,
 * `task:updated` for the pending one a replace moved, none when nothing changed.
 */
export async function addSeries(core: Core, input: NewSeries, transaction: unknown): Promise<Task> {
  const { series, schedule, first, onConflict } = input;
  const options = { onConflict, ...(transaction === undefined ? {} : { transaction }) };
  const write = (): Promise<Task> => core.repository.addSeries(series, first, options);
  const before = onConflict === 'replace' ? await core.repository.getSeries(series.id) : undefined;
  const task = transaction === undefined ? await writeFor(core, 'schedule', series.id, write) : await write();
  // The live Schedule is worth keeping only when the store holds its spec (see SeriesBook).
  if (onConflict !== 'keep' || task.id === first.id) core.series.remember(series.id, schedule);
  if (transaction === undefined) core.callerMadeDue([task]);
  if (task.id === first.id) {
    core.events.emit('task:scheduled', { task });
    if (core.hooks.has('onUpdate')) await core.hooks.observe('onUpdate', { task, kind: 'schedule' });
  } else if (before !== undefined && before.enabled && task.state === 'scheduled' && !sameDefinition(before, series)) {
    core.events.emit('task:updated', { task });
    if (core.hooks.has('onUpdate')) await core.hooks.observe('onUpdate', { task, kind: 'update' });
  }
  return task;
}
