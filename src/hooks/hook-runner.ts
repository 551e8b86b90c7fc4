import type { Clock } from '../clock/clock.js';
import { HookFailedError, HookTimeoutError } from '../errors.js';
import type { HookEvent, Recovery, LoopHooks, ObserveHookName, RecoverHookName } from './loop-hooks.js';

/**
 * Calls hooks on behalf of the loop so that no hook can hurt it: a throw, a rejection or a hook
 * that never settles (bounded by `timeout` on the injected clock) becomes a report, and the loop
 * goes on with the default decision. A late rejection after a timeout is caught, never unhandled.
 */
export class HookRunner {
  readonly #hooks: LoopHooks;
  readonly #clock: Clock;
  readonly #timeout: number;
  readonly #report: (error: unknown) => void;

  constructor(hooks: LoopHooks, clock: Clock, timeout: number, report: (error: unknown) => void) {
    this.#hooks = hooks;
    this.#clock = clock;
    this.#timeout = timeout;
    this.#report = report;
  }

  /** Whether the hook is set: the loop skips building events for hooks nobody listens to. */
  has(name: ObserveHookName | RecoverHookName): boolean {
    return typeof this.#hooks[name] === 'function';
  }

  async observe<N extends ObserveHookName>(name: N, event: HookEvent<N>): Promise<void> {
    const hook = this.#hooks[name] as ((event: HookEvent<N>) => unknown) | undefined;
    if (hook === undefined) return;
    await this.#call(name, () => hook.call(this.#hooks, event));
  }

  /** Asks a recovery hook; `fallback` when it is unset, returns nothing, fails or answers nonsense. */
  async recover<N extends RecoverHookName>(name: N, event: HookEvent<N>, fallback: Recovery): Promise<Recovery> {
    const hook = this.#hooks[name] as ((event: HookEvent<N>) => unknown) | undefined;
    if (hook === undefined) return fallback;
    const answer = await this.#call(name, () => hook.call(this.#hooks, event));
    if (answer === undefined) return fallback;
    if (isRecovery(answer)) return answer;
    this.#report(new HookFailedError(name, new TypeError(`expected a Recovery ({ action: 'continue' | 'retry' | 'stop' }), got ${JSON.stringify(answer)}`)));
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
