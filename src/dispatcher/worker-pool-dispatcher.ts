import { InvalidArgumentError, PoolFullError } from '../errors.js';
import { checkKeys, checkObject } from '../validation/validate.js';
import type { Task } from '../task/task.js';
import type { DispatchHandle, Dispatcher, WorkContext, WorkOutcome } from './dispatcher.js';
import type { WorkRegistry, WorkSettings } from './work-registry.js';

export interface WorkerPoolDispatcherOptions {
  /** The work functions it runs, by work id. */
  readonly works: WorkRegistry;
  /** How many tasks run at once, at most. @default 1 */
  readonly concurrency?: number;
}

const optionKeys = Object.keys({ works: 0, concurrency: 0 } satisfies Record<keyof WorkerPoolDispatcherOptions, 0>);

/** Whether `value` has what the pool uses of a WorkRegistry (another copy of kokugen's will do). */
function isWorkRegistry(value: unknown): value is WorkRegistry {
  const works = value as Partial<Record<keyof WorkRegistry, unknown>> | null | undefined;
  return typeof works?.has === 'function' && typeof works.get === 'function' && typeof works.settings === 'function' && typeof works.limits === 'function';
}

/**
 * Runs async work functions in this process, at most `concurrency` at a time.
 *
 * State: `running` counts accepted tasks whose work has not settled; `ready()` callers queue FIFO
 * while `running === concurrency` and are released one per settled task. A work that throws,
 * rejects or throws a non-Error settles as `{ ok: false }` and frees its slot all the same, so the
 * pool never shrinks.
 */
export class WorkerPoolDispatcher implements Dispatcher {
  readonly #works: WorkRegistry;
  readonly #concurrency: number;
  #running = 0;
  readonly #waiting: Array<() => void> = [];
  /** Running tasks per work id that has a concurrency limit. */
  readonly #perWork = new Map<string, number>();

  constructor(options: WorkerPoolDispatcherOptions) {
    checkKeys(checkObject(options, 'WorkerPoolDispatcher options'), optionKeys, 'WorkerPoolDispatcher options');
    const { works, concurrency = 1 } = options;
    if (!isWorkRegistry(works)) throw new InvalidArgumentError('WorkerPoolDispatcher works', 'a WorkRegistry', works);
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new InvalidArgumentError('WorkerPoolDispatcher concurrency', 'an integer >= 1', concurrency);
    }
    this.#works = works;
    this.#concurrency = concurrency;
  }

  get works(): WorkRegistry {
    return this.#works;
  }

  get concurrency(): number {
    return this.#concurrency;
  }

  /** How many tasks are running now. */
  get running(): number {
    return this.#running;
  }

  supports(workId: string): boolean {
    return this.#works.has(workId);
  }

  ready(signal: AbortSignal): Promise<number> {
    if (signal.aborted) return Promise.reject(signal.reason);
    const free = this.#concurrency - this.#running;
    if (free > 0) return Promise.resolve(free);
    return new Promise<number>((resolve, reject) => {
      const release = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve(this.#concurrency - this.#running);
      };
      const onAbort = (): void => {
        const at = this.#waiting.indexOf(release);
        if (at >= 0) this.#waiting.splice(at, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(release);
    });
  }

  dispatch(task: Task, context: WorkContext): DispatchHandle {
    if (this.#running >= this.#concurrency) throw new PoolFullError();
    const fn = this.#works.get(task.workId);
    const limit = this.#works.settings(task.workId).concurrency;
    if (limit !== Infinity) {
      const count = (this.#perWork.get(task.workId) ?? 0) + 1;
      if (count > limit) throw new PoolFullError();
      this.#perWork.set(task.workId, count);
    }
    this.#running++;
    return { done: this.#run(fn, task, context, limit !== Infinity) };
  }

  workDefaults(workId: string): WorkSettings {
    return this.#works.settings(workId);
  }

  claimableWorks(): ReadonlySet<string> | undefined {
    // A registry of your own that only looks like a WorkRegistry may not list its ids: then any work is claimed.
    return typeof this.#works.idSet === 'function' ? this.#works.idSet() : undefined;
  }

  capacities(): ReadonlyMap<string, number> | undefined {
    const limits = this.#works.limits();
    if (limits.size === 0) return undefined;
    const free = new Map<string, number>();
    for (const [workId, limit] of limits) free.set(workId, limit - (this.#perWork.get(workId) ?? 0));
    return free;
  }

  async #run(fn: (param: unknown, context: WorkContext) => unknown, task: Task, context: WorkContext, limited: boolean): Promise<WorkOutcome> {
    try {
      return { ok: true, result: await fn(task.param, context) };
    } catch (error) {
      return { ok: false, error };
    } finally {
      if (limited) this.#perWork.set(task.workId, (this.#perWork.get(task.workId) ?? 1) - 1);
      this.#running--;
      // Released waiters compute their free count when they run, so one release per slot suffices.
      this.#waiting.shift()?.();
    }
  }
}
