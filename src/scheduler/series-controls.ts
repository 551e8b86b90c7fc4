import { TaskNotFoundError } from '../errors.js';
import { nextTime } from '../schedule/next-time.js';
import { TaskState } from '../task/task.js';
import { checkId } from '../validation/validate.js';
import type { Core } from './core.js';
import { occurrence } from './task-input.js';

/**
 * The facade's controls of series and stored tasks (`disable`, `enable`, `remove`): each one a
 * store write, then the events and waiters it decides.
 */

export async function disableSeries(core: Core, seriesId: string): Promise<void> {
  checkId(seriesId, 'seriesId');
  const { series, task } = await core.repository.setSeriesEnabled(seriesId, false, core.clock.now());
  if (task !== undefined) {
    core.events.emit('task:cancelled', { task });
    core.waiters.resolve(task.id, task);
  }
  core.events.emit('series:disabled', { series });
}

export async function enableSeries(core: Core, seriesId: string): Promise<void> {
  checkId(seriesId, 'seriesId');
  const { series: current, schedule } = await core.series.require(seriesId);
  const now = core.clock.now();
  const at = nextTime(schedule, now, seriesId);
  const { series, task } = await core.repository.setSeriesEnabled(seriesId, true, now, at === null ? undefined : occurrence(current, at, now));
  if (task !== undefined) core.events.emit('task:scheduled', { task });
  core.events.emit('series:enabled', { series });
}

export async function removeStored(core: Core, id: string): Promise<boolean> {
  checkId(id);
  const occurrences = await core.repository.find({ seriesId: id, limit: Number.MAX_SAFE_INTEGER });
  if (await core.repository.removeSeries(id)) {
    core.series.forget(id);
    for (const task of occurrences) if (task.state !== TaskState.Dispatched) core.waiters.reject(task.id, new TaskNotFoundError(task.id));
    core.events.emit('series:removed', { seriesId: id });
    return true;
  }
  if (!(await core.repository.remove(id))) return false;
  core.waiters.reject(id, new TaskNotFoundError(id));
  core.events.emit('task:removed', { taskId: id });
  return true;
}
