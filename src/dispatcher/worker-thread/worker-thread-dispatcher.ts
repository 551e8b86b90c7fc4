import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Clock } from '../../clock/clock.js';
import { SystemClock } from '../../clock/system-clock.js';
import { InvalidArgumentError, NotRunningError } from '../../errors.js';
import type { Task } from '../../task/task.js';
import type { DispatchHandle, Dispatcher } from '../dispatcher.js';
import { WorkerPoolDispatcher } from '../worker-pool-dispatcher.js';
import { WorkRegistry } from '../work-registry.js';
import type { WorkContext } from '../dispatcher.js';
import type { WorkSettings } from '../work-registry.js';
import { ThreadPool } from './thread-pool.js';

export interface WorkerThreadDispatcherOptions {
  /**
   * The works module, loaded in every thread: an ES module (or CommonJS) whose default export maps
   * work ids to works (`WorkModule`). A file: URL, such as `new URL('./works.js', import.meta.url)`,
   * or an absolute path.
   */
  readonly module: URL | string;
  /** How many threads, and so tasks running at once. @default 1 */
  readonly concurrency?: number;
  /**
   * How long (ms) a work may go on after its signal aborted (timeout, `abort()`, forced stop) before
   * its thread is terminated and replaced. Its thread stays taken until then. @default 1_000
   */
  readonly abortGrace?: number;
  /** Times `abortGrace`. @default new SystemClock() */
  readonly clock?: Clock;
}

const optionKeys = ['module', 'concurrency', 'abortGrace', 'clock'];

/**
 * Runs works in worker threads, so CPU-bound work does not hold up the event loop, and a work that
 * will not stop can be ended by terminating its thread.
 *
 * `create()` starts `concurrency` threads (a piscina pool), and one of them loads the module and
 * lists its works: that is how `supports()` answers at once, and it fails early on a module that
 * does not load. The bookkeeping — free workers, `ready()` in FIFO order, per-work `concurrency`,
 * `ERR_POOL_FULL` and `ERR_UNKNOWN_WORK` — is a `WorkerPoolDispatcher`'s, over a `WorkRegistry`
 * whose functions hand each task to a thread. A task holds its thread until its work settles there
 * or, once its signal aborted, until the work gives up or `abortGrace` later its thread is terminated
 * and replaced.
 *
 * States: open from `create()` until `close()`; closed, `ready()` rejects and `dispatch()` refuses
 * with `ERR_NOT_RUNNING`.
 */
export class WorkerThreadDispatcher implements Dispatcher, AsyncDisposable {
  readonly #pool: ThreadPool;
  readonly #inner: WorkerPoolDispatcher;
  readonly #workIds: readonly string[];
  readonly #module: string;
  #closed = false;

  /**
   * Starts the threads and reads the module's works. Rejects with `ERR_INVALID_ARGUMENT` for bad
   * options (no thread started) or settings, and `ERR_WORK_MODULE` for a module that does not load
   * or exports no works (its threads then stopped).
   */
  static async create(options: WorkerThreadDispatcherOptions): Promise<WorkerThreadDispatcher> {
    const { module, concurrency, abortGrace, clock } = checkOptions(options);
    const pool = new ThreadPool({ module, threads: concurrency, abortGrace, clock });
    try {
      const registry = new WorkRegistry();
      for (const { id, options: settings } of await pool.describe()) {
        registry.register(id, (_param: unknown, context) => pool.run(context.task, context.signal, context.parents), settings);
      }
      return new WorkerThreadDispatcher(pool, registry, concurrency, module);
    } catch (error) {
      await pool.close();
      throw error;
    }
  }

  private constructor(pool: ThreadPool, registry: WorkRegistry, concurrency: number, module: string) {
    this.#pool = pool;
    this.#inner = new WorkerPoolDispatcher({ works: registry, concurrency });
    this.#workIds = Object.freeze(registry.ids());
    this.#module = module;
  }

  /** The works module's file: URL. */
  get module(): string {
    return this.#module;
  }

  /** The ids of the module's works, in the order it lists them. */
  get workIds(): readonly string[] {
    return this.#workIds;
  }

  get concurrency(): number {
    return this.#inner.concurrency;
  }

  /** How many threads are taken by a task now (an aborted work keeps its thread until it stops or is terminated). */
  get running(): number {
    return this.#inner.running;
  }

  supports(workId: string): boolean {
    return this.#inner.supports(workId);
  }

  ready(signal: AbortSignal): Promise<number> {
    if (this.#closed) return Promise.reject(closedError());
    return this.#inner.ready(signal);
  }

  dispatch(task: Task, context: WorkContext): DispatchHandle {
    if (this.#closed) throw closedError();
    return this.#inner.dispatch(task, context);
  }

  claimableWorks(): ReadonlySet<string> | undefined {
    return this.#inner.claimableWorks();
  }

  capacities(): ReadonlyMap<string, number> | undefined {
    return this.#inner.capacities();
  }

  workDefaults(workId: string): WorkSettings {
    return this.#inner.workDefaults(workId);
  }

  /**
   * Terminates every thread at once. Stop the scheduler first: a graceful `stop()` waits for the
   * works; a task still running here fails. Calling it again does nothing.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.close();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

function closedError(): NotRunningError {
  return new NotRunningError('the WorkerThreadDispatcher is closed');
}

function checkOptions(options: WorkerThreadDispatcherOptions): { module: string; concurrency: number; abortGrace: number; clock: Clock } {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new InvalidArgumentError('WorkerThreadDispatcher options', 'an object such as { module, concurrency }', options);
  for (const key of Object.keys(options)) {
    if (!optionKeys.includes(key)) throw new InvalidArgumentError(`WorkerThreadDispatcher option ${JSON.stringify(key)}`, `one of ${optionKeys.join(', ')}`, key);
  }
  const { module, concurrency = 1, abortGrace = 1_000, clock = new SystemClock() } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new InvalidArgumentError('WorkerThreadDispatcher concurrency', 'an integer >= 1', concurrency);
  if (typeof abortGrace !== 'number' || !Number.isFinite(abortGrace) || abortGrace < 0 || abortGrace > 2 ** 31 - 1) {
    throw new InvalidArgumentError('WorkerThreadDispatcher abortGrace', 'a number of ms from 0 to 2^31-1', abortGrace);
  }
  if (typeof clock !== 'object' || clock === null || typeof clock.after !== 'function') throw new InvalidArgumentError('WorkerThreadDispatcher clock', 'a Clock', clock);
  return { module: moduleUrl(module), concurrency, abortGrace, clock };
}

/** A file: URL or an absolute path, as a file: URL string. */
function moduleUrl(module: unknown): string {
  const expected = "a file: URL (new URL('./works.js', import.meta.url)) or an absolute path";
  if (module instanceof URL) {
    if (module.protocol !== 'file:') throw new InvalidArgumentError('WorkerThreadDispatcher module', expected, module.href, { described: true });
    return module.href;
  }
  if (typeof module !== 'string') throw new InvalidArgumentError('WorkerThreadDispatcher module', expected, module);
  if (module.startsWith('file:')) {
    try {
      return new URL(module).href;
    } catch {
      throw new InvalidArgumentError('WorkerThreadDispatcher module', expected, module);
    }
  }
  if (!isAbsolute(module)) throw new InvalidArgumentError('WorkerThreadDispatcher module', expected, module);
  return pathToFileURL(module).href;
}
