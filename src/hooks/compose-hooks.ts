import type { HookEvent, HookName, LoopHooks, ObserveHookName, Recovery, RecoverHookName } from './loop-hooks.js';

const observeNames: readonly ObserveHookName[] = ['onStart', 'onGetNext', 'onDispatch', 'onUpdate', 'onTaskEnded', 'onStop'];
const recoverNames: readonly RecoverHookName[] = ['onGetNextError', 'onDispatchError', 'onUpdateError', 'onTaskEndedError'];

type AnyHook = (event: unknown) => unknown;

/**
 * Combines hook sets into one. Observation hooks run in order, each awaited, all of them even if
 * one throws (the first error is rethrown afterwards). For a recovery hook the first set that
 * returns a decision wins; sets after it are not asked.
 */
export function composeHooks(...sets: readonly LoopHooks[]): LoopHooks {
  const composed: Partial<Record<HookName, AnyHook>> = {};
  for (const name of observeNames) {
    const fns = pick(sets, name);
    if (fns.length === 0) continue;
    composed[name] = async (event) => {
      const errors: unknown[] = [];
      for (const fn of fns) {
        try {
          await fn(event);
        } catch (error) {
          errors.push(error);
        }
      }
      if (errors.length > 0) throw errors[0];
    };
  }
  for (const name of recoverNames) {
    const fns = pick(sets, name);
    if (fns.length === 0) continue;
    composed[name] = async (event) => {
      let firstError: unknown;
      let failed = false;
      for (const fn of fns) {
        try {
          const decision = (await fn(event)) as Recovery | undefined;
          if (decision !== undefined) return decision;
        } catch (error) {
          if (!failed) firstError = error;
          failed = true;
        }
      }
      if (failed) throw firstError;
      return undefined;
    };
  }
  return composed as LoopHooks;
}

function pick(sets: readonly LoopHooks[], name: HookName): AnyHook[] {
  const fns: AnyHook[] = [];
  for (const set of sets) {
    const fn = set[name] as ((event: HookEvent<typeof name>) => unknown) | undefined;
    if (typeof fn === 'function') fns.push(fn.bind(set) as AnyHook);
  }
  return fns;
}
