import type { RetryPolicy, Task } from '../task/task.js';

/** What a work function receives besides its param; the Scheduler makes one per dispatch. */
export interface WorkContext {
  /** Aborts on a timeout, `abort(taskId)` or a forced stop. Pass it to fetch, streams, timers. */
  readonly signal: AbortSignal;
  readonly task: Task;
  /**
   * A flow step's parents as they ended (with their `result`), in the order it waited for them;
   * empty for a task that waited for none.
   */
  readonly parents: readonly Task[];
}

/**
 * The bridge to whatever runs tasks. The Scheduler knows workers only through this.
 *
 * The blocking hand-off of gokugen is split in two so that a task is chosen — and re-read from the
 * repository — only at the moment a worker can start it: `ready()` waits for a free worker, then
 * the Scheduler claims due tasks, then `dispatch()` hands each one over. A task whose time moved
 * later while the pool was full is therefore never started early.
 *
 * Implementations must pass `dispatcherContract` from `kokugen/testing` unchanged.
 */
export interface Dispatcher {
  /** Whether a task with this work id can run here; `schedule()` rejects others with `ERR_UNKNOWN_WORK`. */
  supports(workId: string): boolean;

  /**
   * Resolves with how many workers are free (at least 1) once any is. Rejects with the signal's
   * reason if `signal` aborts first.
   */
  ready(signal: AbortSignal): Promise<number>;

  /**
   * Starts `task` on a free worker and returns (or resolves with) a handle. Throws or rejects if
   * the task cannot be accepted (`ERR_POOL_FULL`, `ERR_UNKNOWN_WORK`, a transport failure): that
   * is a dispatch error, not an outcome. `context` is what the work function receives as its second
   * argument; `context.signal` aborts the running work (it is made lazily: read it only if needed).
   */
  dispatch(task: Task, context: WorkContext): DispatchHandle | Promise<DispatchHandle>;

  /**
   * For works with their own concurrency limit: how many more tasks of each it can start now. The
   * Scheduler claims no more than that per work, leaving the rest waiting in the repository while
   * other works run. Works not in the map are limited by the pool alone. Optional.
   */
  capacities?(): ReadonlyMap<string, number> | undefined;

  /**
   * The works this dispatcher can run, when it knows them all: the Scheduler claims tasks of no
   * other work, so on a store shared by processes with different works each takes only its own.
   * Optional: without it, any task is claimed (and one of an unknown work fails `ERR_UNKNOWN_WORK`).
   */
  claimableWorks?(): ReadonlySet<string> | undefined;

  /** The retry policy and timeout a work's tasks get when they name none. Optional: none when absent. */
  workDefaults?(workId: string): { readonly retry: RetryPolicy | null; readonly timeout: number | null } | undefined;
}

export interface DispatchHandle {
  /** Settles with how the work ended. It never rejects: a failed work is `{ ok: false }`. */
  readonly done: Promise<WorkOutcome>;
}

export type WorkOutcome = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: unknown };
