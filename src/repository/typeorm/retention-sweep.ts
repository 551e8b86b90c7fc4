import type { Clock, ClockTimer } from '../../clock/clock.js';
import { InvalidArgumentError } from '../../errors.js';
import type { EndedState } from '../../task/task.js';
import { checkKeys, checkObject } from '../../validation/validate.js';
import type { PurgeFilter } from '../task-repository.js';

/** How long ended tasks of one end state are kept. Either bound, or both; a task goes when it breaks one. */
export interface EndedRetention {
  /** Ms after it ended that a task is deleted. */
  readonly maxAge?: number;
  /** How many tasks of this state are kept at most; the oldest created go first. */
  readonly maxCount?: number;
}

/**
 * Which ended tasks a TypeORM store deletes, and how. Per end state an `EndedRetention`, or `false`
 * to keep them forever; a state given replaces its default whole. Never touches scheduled or
 * running tasks, nor series.
 */
export interface TypeOrmRetentionOptions {
  /** @default { maxAge: 604_800_000 } (7 days) */
  readonly done?: EndedRetention | false;
  /** Kept longer by default: failed tasks are the ones people inspect and retry. @default { maxAge: 2_592_000_000 } (30 days) */
  readonly failed?: EndedRetention | false;
  /** @default { maxAge: 604_800_000 } (7 days) */
  readonly cancelled?: EndedRetention | false;
  /** @default { maxAge: 604_800_000 } (7 days) */
  readonly expired?: EndedRetention | false;
  /** Ms between sweeps, on the watcher's Clock, while a scheduler watches the repository. @default 60_000 */
  readonly sweepInterval?: number;
  /** Tasks deleted per transaction: a sweep is a series of short writes that claims can pass between. @default 1_000 */
  readonly batchSize?: number;
}

const day = 86_400_000;
const states: readonly EndedState[] = ['done', 'failed', 'cancelled', 'expired'];
const optionKeys = Object.keys({ done: 0, failed: 0, cancelled: 0, expired: 0, sweepInterval: 0, batchSize: 0 } satisfies Record<keyof TypeOrmRetentionOptions, 0>);
const defaults: Readonly<Record<EndedState, EndedRetention>> = { done: { maxAge: 7 * day }, failed: { maxAge: 30 * day }, cancelled: { maxAge: 7 * day }, expired: { maxAge: 7 * day } };

export interface RetentionPolicy {
  readonly states: ReadonlyArray<readonly [EndedState, EndedRetention]>;
  readonly sweepInterval: number;
  readonly batchSize: number;
}

/** Checks the `retention` option (`false`: no retention) and applies the defaults. */
export function retentionPolicy(options: TypeOrmRetentionOptions | false | undefined): RetentionPolicy | undefined {
  if (options === false) return undefined;
  const object = checkObject(options ?? {}, 'retention');
  checkKeys(object, optionKeys, 'retention');
  const given = object as TypeOrmRetentionOptions;
  const { sweepInterval = 60_000, batchSize = 1_000 } = given;
  if (typeof sweepInterval !== 'number' || !Number.isInteger(sweepInterval) || sweepInterval < 1 || sweepInterval > 2 ** 31 - 1) throw new InvalidArgumentError('retention.sweepInterval', 'an integer of ms from 1 to 2^31-1', sweepInterval);
  if (typeof batchSize !== 'number' || !Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100_000) throw new InvalidArgumentError('retention.batchSize', 'an integer from 1 to 100000', batchSize);
  const kept: Array<readonly [EndedState, EndedRetention]> = [];
  for (const state of states) {
    const value = given[state] === undefined ? defaults[state] : given[state];
    if (value === false) continue;
    const bounds = checkObject(value, `retention.${state}`);
    checkKeys(bounds, ['maxAge', 'maxCount'], `retention.${state}`);
    const { maxAge, maxCount } = bounds;
    if (maxAge !== undefined && (typeof maxAge !== 'number' || !Number.isFinite(maxAge) || maxAge < 0)) throw new InvalidArgumentError(`retention.${state}.maxAge`, 'a finite number of ms >= 0', maxAge);
    if (maxCount !== undefined && (typeof maxCount !== 'number' || !Number.isSafeInteger(maxCount) || maxCount < 0)) throw new InvalidArgumentError(`retention.${state}.maxCount`, 'an integer >= 0', maxCount);
    if (maxAge === undefined && maxCount === undefined) throw new InvalidArgumentError(`retention.${state}`, 'false, or maxAge and/or maxCount', value);
    kept.push([state, Object.freeze({ ...(maxAge === undefined ? {} : { maxAge }), ...(maxCount === undefined ? {} : { maxCount }) }) as EndedRetention]);
  }
  return Object.freeze({ states: kept, sweepInterval, batchSize });
}

/** The two writes a sweep is made of, each one short transaction of the repository. */
export interface SweepSteps {
  /** Deletes up to `limit` tasks of `state` that ended before `endedBefore`. */
  readonly purge: (filter: PurgeFilter) => Promise<number>;
  /** Deletes up to `limit` of the oldest tasks of `state` beyond the newest `keep`. */
  readonly trim: (state: EndedState, keep: number, limit: number) => Promise<number>;
}

/**
 * Deletes ended tasks by age and count, batch by batch, every `sweepInterval` while started.
 *
 * States: stopped → `start(clock)` → armed → (timer) → sweeping → armed … → `stop()` → stopped
 * (a sweep in progress finishes its current batch and goes no further). A failed batch ends that
 * sweep; the next one tries again, so a store that is down costs one failed write per interval.
 */
export class RetentionSweeper {
  readonly #policy: RetentionPolicy;
  readonly #steps: SweepSteps;
  #clock: Clock | undefined;
  #timer: ClockTimer | undefined;
  #sweeping: Promise<number> | undefined;
  #started = false;
  /** Bumped by stop(): a sweep goes on only while it is the generation it started in. */
  #generation = 0;

  constructor(policy: RetentionPolicy, steps: SweepSteps) {
    this.#policy = policy;
    this.#steps = steps;
  }

  start(clock: Clock): void {
    this.#clock = clock;
    this.#started = true;
    this.#arm();
  }

  /** Stops the timer and any sweep in progress after its current batch; resolves once it has. */
  async stop(): Promise<void> {
    this.#started = false;
    this.#generation++;
    this.#timer?.cancel();
    this.#timer = undefined;
    await this.#sweeping?.catch(() => undefined);
  }

  /** Resolves when no sweep is in progress. */
  async idle(): Promise<void> {
    await this.#sweeping?.catch(() => undefined);
  }

  /** One sweep at `now`: every state's age bound, then its count bound, in batches. Returns how many were deleted. */
  sweep(now: number): Promise<number> {
    this.#sweeping ??= this.#sweep(now).finally(() => {
      this.#sweeping = undefined;
    });
    return this.#sweeping;
  }

  async #sweep(now: number): Promise<number> {
    const { batchSize: limit } = this.#policy;
    const generation = this.#generation;
    const going = (): boolean => generation === this.#generation;
    let deleted = 0;
    for (const [state, { maxAge, maxCount }] of this.#policy.states) {
      if (maxAge !== undefined) {
        for (let n = limit; n === limit && going(); deleted += n) n = await this.#steps.purge({ state, endedBefore: now - maxAge, limit });
      }
      if (maxCount !== undefined) {
        for (let n = limit; n === limit && going(); deleted += n) n = await this.#steps.trim(state, maxCount, limit);
      }
    }
    return deleted;
  }

  #arm(): void {
    const clock = this.#clock;
    if (!this.#started || clock === undefined) return;
    this.#timer = clock.after(this.#policy.sweepInterval, () => {
      this.#timer = undefined;
      if (!this.#started) return;
      this.sweep(clock.now())
        .catch(() => undefined)
        .finally(() => this.#arm());
    });
  }
}
