import { KokugenError } from '../errors.js';
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

async function recoverWrite<T>(core: Core, kind: UpdateKind, taskId: string, write: () => Promise<T>, error: unknown): Promise<T> {
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
