import type { Clock } from '../clock/clock.js';
import { HookFailedError, HookTimeoutError, InvalidArgumentError } from '../errors.js';
import { checkObject } from '../validation/validate.js';
import { hookNames } from './loop-hooks.js';
import type { HookEvent, HookName, LoopHooks, ObserveHookName, Recovery, RecoverHookName } from './loop-hooks.js';

/** Where a composed set (see `composeHooks`) keeps the sets it was made of. */
export const hookParts: unique symbol = Symbol('kokugen.hookParts');

/** One set's function for one hook, and the set it is called on (its `this`). */
interface BoundHook {
  readonly set: LoopHooks;
  readonly fn: (this: LoopHooks, event: unknown) => unknown;
}

/**
 * The one way hook sets are combined, whether they come as the Scheduler's `hooks` array or from
 * `composeHooks` (a composed set is taken apart into the sets it was made of, so the two are the
 * same thing). Calls hooks on behalf of the loop so that no hook can hurt it: a throw, a rejection
 * or a hook that never settles becomes a report, and the loop goes on with the default decision.
 * A late rejection after a timeout is caught, never unhandled. The timeout is `timeout` ms of the
 * clock's monotonic time, so a wall-clock change neither cuts a hook short nor extends it.
 *
 * Each set runs in order, isolated and bounded on its own: every observer runs and every failure
 * is reported; for a recovery hook the first set that decides wins and later sets are not asked.
 *
 * The sets are read once, here: a hook is any own or inherited function under a hook name, and
 * which hooks exist is fixed from then on (`has()` runs on the hot path).
 */
export class HookRunner {
  /** The sets read, composed ones taken apart. */
  readonly sets: readonly LoopHooks[];
  readonly #chains: ReadonlyMap<HookName, readonly BoundHook[]>;
  readonly #clock: Clock | undefined;
  readonly #timeout: number;
  readonly #report: (error: unknown) => void;

  /**
   * @param clock bounds each hook by `timeout` ms of its monotonic time; without one, none is bounded.
   * @param what how the sets are named in input errors.
   */
  constructor(sets: readonly LoopHooks[], clock: Clock | undefined, timeout: number, report: (error: unknown) => void, what = 'hooks') {
    const parts = flatten(sets, what);
    const chains = new Map<HookName, BoundHook[]>();
    for (const name of hookNames) {
      const chain: BoundHook[] = [];
      parts.forEach(({ set, label }) => {
        const fn = (set as Record<string, unknown>)[name];
        if (fn === undefined) return;
        if (typeof fn !== 'function') throw new InvalidArgumentError(`${label}.${name}`, 'a function or undefined', fn);
        chain.push({ set, fn: fn as BoundHook['fn'] });
      });
      if (chain.length > 0) chains.set(name, chain);
    }
    this.sets = Object.freeze(parts.map(({ set }) => set));
    this.#chains = chains;
    this.#clock = clock;
    this.#timeout = timeout;
    this.#report = report;
  }

  /** Whether any set has the hook: the loop skips building events for hooks nobody listens to. */
  has(name: HookName): boolean {
    return this.#chains.has(name);
  }

  /** Runs every set's hook in order; each failure goes to `report` (the constructor's by default). */
  async observe<N extends ObserveHookName>(name: N, event: HookEvent<N>, report = this.#report): Promise<void> {
    const chain = this.#chains.get(name);
    if (chain === undefined) return;
    for (const hook of chain) await this.#call(name, hook, event, report);
  }

  /** Asks the recovery hooks in order; `fallback` when none decides (unset, nothing, failure, nonsense). */
  async recover<N extends RecoverHookName, F extends Recovery | undefined>(name: N, event: HookEvent<N>, fallback: F, report = this.#report): Promise<Recovery | F> {
    const chain = this.#chains.get(name);
    if (chain === undefined) return fallback;
    for (const hook of chain) {
      const answer = await this.#call(name, hook, event, report);
      if (answer === undefined) continue;
      if (isRecovery(answer)) return answer;
      report(new HookFailedError(name, new TypeError(`expected a Recovery ({ action: 'continue' | 'retry' | 'stop' }), got ${JSON.stringify(answer)}`)));
    }
    return fallback;
  }

  /** Runs a hook; resolves with what it returned, or undefined if it failed or timed out. */
  #call(name: HookName, hook: BoundHook, event: unknown, report: (error: unknown) => void): Promise<unknown> {
    let result: unknown;
    try {
      result = hook.fn.call(hook.set, event);
    } catch (error) {
      report(new HookFailedError(name, error));
      return Promise.resolve(undefined);
    }
    if (!isThenable(result)) return Promise.resolve(result);
    return new Promise((resolve) => {
      let settled = false;
      const timer = this.#clock?.after(this.#timeout, () => {
        if (settled) return;
        settled = true;
        report(new HookTimeoutError(name, this.#timeout));
        resolve(undefined);
      });
      result.then(
        (value) => {
          if (settled) return;
          settled = true;
          timer?.cancel();
          resolve(value);
        },
        (error: unknown) => {
          if (!settled) {
            settled = true;
            timer?.cancel();
            resolve(undefined);
          }
          report(new HookFailedError(name, error));
        },
      );
    });
  }
}

/** The sets, with the sets of composed ones in their place, each checked and labelled for errors. */
function flatten(sets: readonly LoopHooks[], what: string): Array<{ set: LoopHooks; label: string }> {
  const flat: Array<{ set: LoopHooks; label: string }> = [];
  const add = (set: unknown, label: string): void => {
    checkObject(set, label);
    const parts = (set as { [hookParts]?: readonly LoopHooks[] })[hookParts];
    if (parts === undefined) flat.push({ set: set as LoopHooks, label });
    // A composed set's parts were checked when it was made.
    else for (const part of parts) flat.push({ set: part, label });
  };
  if (!Array.isArray(sets)) throw new InvalidArgumentError(what, 'an array of hook sets', sets);
  sets.forEach((set, i) => add(set, sets.length === 1 ? what : `${what}[${i}]`));
  return flat;
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function isRecovery(value: unknown): value is Recovery {
  if (typeof value !== 'object' || value === null) return false;
  const { action, delay } = value as { action?: unknown; delay?: unknown };
  if (action === 'continue' || action === 'stop') return true;
  return action === 'retry' && typeof delay === 'number' && Number.isFinite(delay) && delay >= 0;
}
