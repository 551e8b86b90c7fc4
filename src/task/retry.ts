import { InvalidArgumentError } from '../errors.js';
import { maxTime } from '../validation/validate.js';
import { Backoff } from './task.js';
import type { RetryPolicy } from './task.js';

/** What callers write: any subset, over the defaults (or the work's defaults). */
export type RetryInput = Partial<RetryPolicy>;

export const defaultRetry: RetryPolicy = Object.freeze({ attempts: 1, backoff: Backoff.Exponential, delay: 1_000, maxDelay: 3_600_000, jitter: 0 });

/** Checks a retry input and completes it from `base`; the message names the bad field. */
export function toRetryPolicy(input: unknown, base: RetryPolicy = defaultRetry, what = 'retry'): RetryPolicy {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new InvalidArgumentError(what, 'an object such as { attempts, backoff, delay }', input);
  const known = ['attempts', 'backoff', 'delay', 'maxDelay', 'jitter'];
  for (const key of Object.keys(input)) if (!known.includes(key)) throw new InvalidArgumentError(`${what} key ${JSON.stringify(key)}`, `one of ${known.join(', ')}`, key);
  const { attempts = base.attempts, backoff = base.backoff, delay = base.delay, maxDelay = base.maxDelay, jitter = base.jitter } = input as RetryInput;
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 1_000_000) throw new InvalidArgumentError(`${what}.attempts`, 'an integer from 1 to 1,000,000', attempts);
  if (!Object.values(Backoff).includes(backoff)) throw new InvalidArgumentError(`${what}.backoff`, "'fixed', 'exponential' or 'fibonacci'", backoff);
  for (const [name, value] of [['delay', delay], ['maxDelay', maxDelay]] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > maxTime) throw new InvalidArgumentError(`${what}.${name}`, 'a finite number of ms >= 0', value);
  }
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) throw new InvalidArgumentError(`${what}.jitter`, 'a number from 0 to 1', jitter);
  // -0 as 0, as every stored number (see src/validation/validate.ts).
  return Object.freeze({ attempts, backoff, delay: delay + 0, maxDelay: maxDelay + 0, jitter: jitter + 0 });
}

/**
 * The wait before the attempt after failed attempt `attempt` (1-based): `delay` for fixed,
 * `delay × 2^(attempt-1)` for exponential, `delay × fib(attempt)` (1, 1, 2, 3, 5, ...) for fibonacci;
 * then spread by ±jitter using `random()` in [0, 1), and capped at `maxDelay`.
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number): number {
  let base: number;
  switch (policy.backoff) {
    case Backoff.Fixed:
      base = policy.delay;
      break;
    case Backoff.Exponential:
      base = policy.delay * 2 ** Math.min(attempt - 1, 1_000);
      break;
    case Backoff.Fibonacci:
      base = policy.delay * fibonacci(attempt);
      break;
  }
  const spread = policy.jitter === 0 ? base : base * (1 - policy.jitter + 2 * policy.jitter * random());
  return Math.round(Math.min(spread, policy.maxDelay));
}

function fibonacci(n: number): number {
  let [a, b] = [1, 1];
  for (let i = 2; i < n && b < Number.MAX_SAFE_INTEGER; i++) [a, b] = [b, a + b];
  return b;
}
