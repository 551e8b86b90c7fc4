import { InvalidArgumentError, UnknownWorkError } from '../errors.js';
import { toRetryPolicy } from '../task/retry.js';
import { checkKeys, checkObject, checkTimeout } from '../validation/validate.js';
import type { RetryInput } from '../task/retry.js';
import type { RetryPolicy } from '../task/task.js';
import type { WorkContext } from './dispatcher.js';

/** What runs a task: its param in, a JSON result out. May be async; may throw anything. */
export type WorkFunction<P = never, R = unknown> = (param: P, context: WorkContext) => R | Promise<R>;

/** Per-work settings, given at `register()`. */
export interface WorkOptions {
  /** At most this many tasks of this work run at once, inside the pool's own limit. @default unlimited */
  readonly concurrency?: number;
  /** The retry policy of this work's tasks unless a task gives its own (fields merge over these). */
  readonly retry?: RetryInput;
  /** The timeout of one attempt in ms, unless a task gives its own. @default none */
  readonly timeout?: number;
}

/** The checked form of `WorkOptions`. */
export interface WorkSettings {
  readonly concurrency: number;
  readonly retry: RetryPolicy | null;
  readonly timeout: number | null;
}

const workOptionKeys = Object.keys({ concurrency: 0, retry: 0, timeout: 0 } satisfies Record<keyof WorkOptions, 0>);

const noSettings: WorkSettings = Object.freeze({ concurrency: Infinity, retry: null, timeout: null });

/**
 * Maps work ids to work functions and their settings. `W` records, for the compiler only, each
 * registered work's param and result types: `WorksOf<typeof works>` gives them to a
 * `Scheduler<...>`.
 */
export class WorkRegistry<W = {}> {
  /** The types of the registered works, for `WorksOf`; never set. */
  declare readonly workTypes?: W;
  readonly #works = new Map<string, WorkFunction<never>>();
  readonly #settings = new Map<string, WorkSettings>();
  readonly #limits = new Map<string, number>();
  readonly #ids = new Set<string>();

  /**
   * Registers `fn` under `workId`. The param type is the caller's promise: kokugen checks only
   * that params are JSON, so validate inside the work if the params come from outside.
   */
  register<K extends string, P, R>(workId: K, fn: WorkFunction<P, R>, options: WorkOptions = {}): WorkRegistry<W & { readonly [I in K]: { readonly param: P; readonly result: R } }> {
    if (typeof workId !== 'string' || workId.length === 0) throw new InvalidArgumentError('register workId', 'a non-empty string', workId);
    if (typeof fn !== 'function') throw new InvalidArgumentError(`register(${JSON.stringify(workId)}) fn`, 'a function', fn);
    if (this.#works.has(workId)) throw new InvalidArgumentError('register workId', 'an id not registered yet', workId);
    const settings = toSettings(options, workId);
    this.#works.set(workId, fn as WorkFunction<never>);
    this.#ids.add(workId);
    if (settings !== noSettings) this.#settings.set(workId, settings);
    if (settings.concurrency !== Infinity) this.#limits.set(workId, settings.concurrency);
    return this as WorkRegistry<W & { readonly [I in K]: { readonly param: P; readonly result: R } }>;
  }

  /** The works registered with a concurrency limit, and their limits. */
  limits(): ReadonlyMap<string, number> {
    return this.#limits;
  }

  /** The work's settings (defaults when it registered none). */
  settings(workId: string): WorkSettings {
    return this.#settings.get(workId) ?? noSettings;
  }

  has(workId: string): boolean {
    return this.#works.has(workId);
  }

  /** The work function, typed loosely: the runner feeds it a JSON param. Throws `ERR_UNKNOWN_WORK`. */
  get(workId: string): WorkFunction<unknown> {
    const fn = this.#works.get(workId);
    if (fn === undefined) throw new UnknownWorkError(workId);
    return fn as WorkFunction<unknown>;
  }

  ids(): string[] {
    return [...this.#works.keys()];
  }

  /** The registered work ids, as a live read-only set (it grows as works are registered). */
  idSet(): ReadonlySet<string> {
    return this.#ids;
  }
}

/** The work types a registry's `register` calls recorded, for `new Scheduler<WorksOf<typeof works>>(...)`. */
export type WorksOf<R> = R extends WorkRegistry<infer W> ? { [K in keyof W]: W[K] } : never;

function toSettings(options: WorkOptions, workId: string): WorkSettings {
  const what = `register(${JSON.stringify(workId)}) options`;
  checkKeys(checkObject(options, what), workOptionKeys, what);
  const { concurrency, retry, timeout } = options;
  if (concurrency === undefined && retry === undefined && timeout === undefined) return noSettings;
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) throw new InvalidArgumentError(`${workId} concurrency`, 'an integer >= 1', concurrency);
  checkTimeout(timeout, `${workId} timeout`);
  return Object.freeze({
    concurrency: concurrency ?? Infinity,
    retry: retry === undefined ? null : toRetryPolicy(retry, undefined, `${workId} retry`),
    timeout: timeout ?? null,
  });
}
