import { HookFailedError } from '../errors.js';
import { HookRunner, hookParts } from './hook-runner.js';
import { hookNames, isRecoverHook } from './loop-hooks.js';
import type { HookName, LoopHooks } from './loop-hooks.js';

/**
 * Combines hook sets into one; `hooks: composeHooks(a, b)` is exactly `hooks: [a, b]`, because the
 * Scheduler takes a composed set apart and runs its sets as it runs an array (each isolated, each
 * bounded by `hookTimeout`, every failure reported). A set is any object whose hook names are
 * functions, own or inherited (a class instance works); it is read once, now.
 *
 * Called directly, a composed hook runs the same way without a time limit: observation hooks all
 * run in order, each awaited, and the first error is thrown afterwards; for a recovery hook the first
 * set that returns a decision wins, sets after it are not asked, and if none decides the first error
 * is thrown (or nothing returned).
 */
export function composeHooks(...sets: readonly LoopHooks[]): LoopHooks {
  const runner = new HookRunner(sets, undefined, 0, ignore, 'composeHooks sets');
  const composed: Partial<Record<HookName, (event: never) => Promise<unknown>>> = {};
  for (const name of hookNames) {
    if (!runner.has(name)) continue;
    composed[name] = async (event: never) => {
      const failures: unknown[] = [];
      const report = (error: unknown): void => void failures.push(error);
      const decision = isRecoverHook(name) ? await runner.recover(name, event, undefined, report) : await runner.observe(name, event, report);
      if (decision === undefined && failures.length > 0) throw unwrap(failures[0]);
      return decision;
    };
  }
  Object.defineProperty(composed, hookParts, { value: runner.sets });
  return Object.freeze(composed) as LoopHooks;
}

/** Called directly, a composed hook throws what the set threw, not the loop's report of it. */
function unwrap(failure: unknown): unknown {
  return failure instanceof HookFailedError ? failure.cause : failure;
}

function ignore(): void {}
