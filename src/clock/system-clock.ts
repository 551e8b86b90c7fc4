import type { Clock, ClockTimer } from './clock.js';
import { checkInteger, checkKeys, checkObject } from '../validation/validate.js';

export interface SystemClockOptions {
  /**
   * The longest single `setTimeout` it arms. Longer waits re-arm on wake, which keeps
   * far-future timers exact (Node fires any delay above 2^31-1 ms at once) and lets a timer
   * notice a wall-clock change within this bound.
   * @default 30_000
   */
  readonly maxDelay?: number;
}

const optionKeys = Object.keys({ maxDelay: 0 } satisfies Record<keyof SystemClockOptions, 0>);

/** The real clock: `Date.now()`, `performance.now()` and capped, re-arming `setTimeout`s. */
export class SystemClock implements Clock {
  readonly #maxDelay: number;

  constructor(options: SystemClockOptions = {}) {
    checkKeys(checkObject(options, 'SystemClock options'), optionKeys, 'SystemClock options');
    const { maxDelay = 30_000 } = options;
    this.#maxDelay = checkInteger(maxDelay, 'SystemClock maxDelay', 1);
  }

  now(): number {
    return Date.now();
  }

  setTimer(at: number, callback: () => void, keepAlive = false): ClockTimer {
    return new SystemTimer(Date.now, at, callback, keepAlive, this.#maxDelay);
  }

  monotonic(): number {
    return performance.now();
  }

  after(ms: number, callback: () => void, keepAlive = false): ClockTimer {
    return new SystemTimer(monotonicNow, performance.now() + ms, callback, keepAlive, this.#maxDelay);
  }
}

const monotonicNow = (): number => performance.now();

/**
 * One capped timer on one time source (wall or monotonic). It fires only when `time() >= at`:
 * Node's timers may wake a millisecond before the source reaches `at`, so every wake re-checks.
 */
class SystemTimer implements ClockTimer {
  #handle: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  readonly #time: () => number;
  readonly #at: number;
  readonly #callback: () => void;
  readonly #keepAlive: boolean;
  readonly #maxDelay: number;

  constructor(time: () => number, at: number, callback: () => void, keepAlive: boolean, maxDelay: number) {
    this.#time = time;
    this.#at = at;
    this.#callback = callback;
    this.#keepAlive = keepAlive;
    this.#maxDelay = maxDelay;
    this.#arm(Math.max(0, at - time()));
  }

  cancel(): void {
    if (this.#handle !== undefined) clearTimeout(this.#handle);
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#handle = undefined;
    this.#immediate = undefined;
  }

  #arm(delay: number): void {
    if (delay <= 0) {
      // A time already reached fires on the next turn of the event loop: a zero setTimeout waits a
      // millisecond at least, and a task due now (another process's wake-up) would wait with it.
      this.#immediate = setImmediate(this.#wake);
      if (!this.#keepAlive) this.#immediate.unref();
      return;
    }
    this.#handle = setTimeout(this.#wake, Math.min(delay, this.#maxDelay));
    if (!this.#keepAlive) this.#handle.unref();
  }

  readonly #wake = (): void => {
    const left = this.#at - this.#time();
    if (left > 0) {
      this.#arm(left);
      return;
    }
    this.#handle = undefined;
    this.#immediate = undefined;
    this.#callback();
  };
}
