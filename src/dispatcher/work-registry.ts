import { InvalidArgumentError, UnknownWorkError } from '../errors.js';
import type { Task } from '../task/task.js';

export interface WorkContext {
  /** Aborts when the scheduler force-stops (later: on timeout or abort). Pass it to fetch, streams, timers. */
  readonly signal: AbortSignal;
  readonly task: Task;
}

/** What runs a task: its param in, a JSON result out. May be async; may throw anything. */
export type WorkFunction<P = never, R = unknown> = (param: P, context: WorkContext) => R | Promise<R>;

/** Maps work ids to work functions. */
export class WorkRegistry {
  readonly #works = new Map<string, WorkFunction<never>>();

  /**
   * Registers `fn` under `workId`. The param type is the caller's promise: kokugen checks only
   * that params are JSON, so validate inside the work if the params come from outside.
   */
  register<P, R>(workId: string, fn: WorkFunction<P, R>): this {
    if (typeof workId !== 'string' || workId.length === 0) throw new InvalidArgumentError('register workId', 'a non-empty string', workId);
    if (typeof fn !== 'function') throw new InvalidArgumentError(`register(${JSON.stringify(workId)}) fn`, 'a function', fn);
    if (this.#works.has(workId)) throw new InvalidArgumentError('register workId', 'an id not registered yet', workId);
    this.#works.set(workId, fn as WorkFunction<never>);
    return this;
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
}
