import type { Clock } from '../clock/clock.js';
import { HookFailedError, HookTimeoutError } from '../errors.js';
import type { HookEvent, Recovery, LoopHooks, ObserveHookName, RecoverHookName } from './loop-hooks.js';

/**
 * Calls hooks on behalf of the loop so that no hook can hurt it: a throw, a rejection or a hook
 * that never settles (bounded by `timeout` on the injected clock) becomes a report, and the loop
 * goes on with the default decision. A late rejection after a timeout is caught, never unhandled.
 *
 * Several hook sets run in order, each isolated and bounded on its own: every observer runs and
 * every failure is reported; for a recovery hook the first set that decides wins.
 */
export class HookRunner {
  readonly #sets: readonly LoopHooks[];
  readonly #clock: Clock;
  readonly #timeout: number;
  readonly #report: (error: unknown) => void;
  /** Names of the hooks some set has, fixed at construction: `has()` runs on the hot path. */
  readonly #present: ReadonlySet<string>;

  constructor(sets: readonly LoopHooks[], clock: Clock, timeout: number, report: (error: unknown) => void) {
    this.#sets = sets;
    this.#present = new Set(sets.flatMap((set) => Object.keys(set).filter((name) => typeof set[name as keyof LoopHooks] === 'function')));
    this.#clock = clock;
    this.#timeout = timeout;
    this.#report = report;
  }

  /** Whether any set has the hook: the loop skips building events for hooks nobody listens to. */
  has(name: ObserveHookName | RecoverHookName): boolean {
    return this.#present.has(name);
  }

  async observe<N extends ObserveHookName>(name: N, event: HookEvent<N>): Promise<void> {
    for (const set of this.#sets) {
      const hook = set[name] as ((event: HookEvent<N>) => unknown) | undefined;
      if (typeof hook === 'function') await this.#call(name, () => hook.call(set, event));
    }
  }

  /** Asks the recovery hooks in order; `fallback` when none decides (unset, nothing, failure, nonsense). */
  async recover<N extends RecoverHookName>(name: N, event: HookEvent<N>, fallback: Recovery): Promise<Recovery> {
    for (const set of this.#sets) {
      const hook = set[name] as ((event: HookEvent<N>) => unknown) | undefined;
      if (typeof hook !== 'function') continue;
      const answer = await this.#call(name, () => hook.call(set, event));
      if (answer === undefined) continue;
      if (isRecovery(answer)) return answer;
      this.#report(new HookFailedError(name, new TypeError(`expected a Recovery ({ action: 'continue' | 'retry' | 'stop' }), got ${JSON.stringify(answer)}`)));
    }
    return fallback;
  }

  /** Runs a hook; resolves with what it returned, or undefined if it failed or timed out. */
  #call(name: string, invoke: () => unknown): Promise<unknown> {
    let result: unknown;
    try {
      result = invoke();
    } catch (error) {
      this.#report(new HookFailedError(name, error));
      return Promise.resolve(undefined);
    }
    if (!isThenable(result)) return Promise.resolve(result);
    return new Promise((resolve) => {
      let settled = false;
      const timer = this.#clock.setTimer(this.#clock.now() + this.#timeout, () => {
        if (settled) return;
        settled = true;
        this.#report(new HookTimeoutError(name, this.#timeout));
        resolve(undefined);
      });
      result.then(
        (value) => {
          if (settled) return;
          settled = true;
          timer.cancel();
          resolve(value);
        },
        (error: unknown) => {
          if (!settled) {
            settled = true;
            timer.cancel();
            resolve(undefined);
          }
          this.#report(new HookFailedError(name, error));
        },
      );
    });
  }
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
