import { KokugenError, TaskNotFoundError } from '../errors.js';
import { Recovery } from '../hooks/loop-hooks.js';
import type { UpdateKind } from '../hooks/loop-hooks.js';
import type { Core } from './core.js';

/**
 * A repository write on a caller's behalf; repository failures (not typed refusals) go to
 * onUpdateError, which may retry it.
 */
export async function writeFor<T>(core: Core, kind: UpdateKind, taskId: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    return recoverWrite(core, kind, taskId, write, error);
  }
}

/**
 * What `writeFor` does once `write` failed with `error`. The hot callers (schedule, cancel, update)
 * await their write themselves and come here from their catch: an extra async frame around every
 * write that succeeds was a measurable part of their cost.
 */
export async function recoverWrite<T>(core: Core, kind: UpdateKind, taskId: string, write: () => Promise<T>, error: unknown): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    if (error instanceof KokugenError) throw error;
    core.report(error, 'update', taskId);
    const decision = await core.hooks.recover('onUpdateError', { error, taskId, kind, attempt }, Recovery.continue);
    if (decision.action !== 'retry') {
      if (decision.action === 'stop') core.halt(error);
      throw error;
    }
    await core.sleep(decision.delay, undefined);
    try {
      return await write();
    } catch (again) {
      error = again;
    }
  }
}

/**
 * What a failed write that names one task (cancel, update) answers: `writeFor`'s recovery, then,
 * when no task has that id, a refusal saying whether it names a series (and what to call instead).
 * Called from the caller's catch, so a write that succeeds pays for no wrapper at all.
 */
export async function refusedTaskWrite<T>(core: Core, kind: UpdateKind, taskId: string, write: () => Promise<T>, error: unknown): Promise<T> {
  try {
    return await recoverWrite(core, kind, taskId, write, error);
  } catch (final) {
    if (final instanceof TaskNotFoundError && final.taskId === taskId) {
      const series = await core.repository.getSeries(taskId).catch(() => undefined);
      if (series !== undefined) throw new TaskNotFoundError(taskId, taskId);
    }
    throw final;
  }
}
