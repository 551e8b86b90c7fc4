/**
 * Time as a service. Everything in kokugen that reads the time or waits goes through a Clock,
 * so tests can swap in `FakeClock` (from `kokugen/testing`) and never sleep.
 */
export interface Clock {
  /** The current time in epoch milliseconds. */
  now(): number;
  /**
   * Calls `callback` once, asynchronously, as soon as `now() >= at` (never before).
   * An `at` in the past fires on the next turn of the event loop.
   * @param keepAlive whether the pending timer keeps the process alive. @default false
   */
  setTimer(at: number, callback: () => void, keepAlive?: boolean): ClockTimer;
  /**
   * A reading of monotonic time in milliseconds from an arbitrary origin: it never goes back and
   * does not follow wall-clock changes, so durations (timeouts, hook limits) survive them.
   */
  monotonic(): number;
  /**
   * Calls `callback` once, asynchronously, after `ms` milliseconds of monotonic time (never
   * before): a duration, unlike `setTimer`'s wall-clock instant.
   * @param keepAlive whether the pending timer keeps the process alive. @default false
   */
  after(ms: number, callback: () => void, keepAlive?: boolean): ClockTimer;
}

export interface ClockTimer {
  /** Stops the timer; calling it after it fired or twice does nothing. */
  cancel(): void;
}
