import { HeapRepository, Scheduler, WorkerPoolDispatcher, WorkRegistry } from '../src/index.js';
import type { LoopHooks, SchedulerEvents, TaskRepository } from '../src/index.js';
import { FakeClock } from '../src/testing/index.js';
import { track } from './setup/leak-guard.js';

export const T0 = Date.UTC(2026, 0, 1);

export interface Kit {
  readonly scheduler: Scheduler;
  readonly clock: FakeClock;
  readonly repository: TaskRepository;
  readonly works: WorkRegistry;
  /** Every `task:*` and `loop:*` event in order, as `[name, payload]`. */
  readonly events: Array<[keyof SchedulerEvents, unknown]>;
  /** Start times of each task id, read from the clock when its work began. */
  readonly started: Map<string, number>;
}

export interface KitOptions {
  readonly concurrency?: number;
  readonly hooks?: LoopHooks | readonly LoopHooks[];
  readonly repository?: TaskRepository;
  readonly hookTimeout?: number;
  readonly retryDelay?: number;
  readonly owner?: string;
  readonly works?: (works: WorkRegistry, kit: { clock: FakeClock; started: Map<string, number> }) => void;
}

/**
 * A scheduler on the FakeClock with a 'record' work (returns its param, notes its start time) and
 * whatever else `works` registers. Registered with the leak guard.
 */
export function kit(options: KitOptions = {}): Kit {
  const clock = new FakeClock(T0);
  const started = new Map<string, number>();
  const works = new WorkRegistry();
  works.register('record', (param: unknown, { task }) => {
    started.set(task.id, clock.now());
    return param;
  });
  options.works?.(works, { clock, started });
  const repository = options.repository ?? new HeapRepository();
  const scheduler = track(
    new Scheduler({
      repository,
      dispatcher: new WorkerPoolDispatcher({ works, concurrency: options.concurrency ?? 1 }),
      clock,
      // The kit's tests read loop errors from the events; the default stderr logger is tested in logger.test.ts.
      logger: false,
      ...(options.hooks === undefined ? {} : { hooks: options.hooks }),
      ...(options.hookTimeout === undefined ? {} : { hookTimeout: options.hookTimeout }),
      ...(options.retryDelay === undefined ? {} : { retryDelay: options.retryDelay }),
      ...(options.owner === undefined ? {} : { owner: options.owner }),
    }),
  );
  const events: Array<[keyof SchedulerEvents, unknown]> = [];
  const names: Array<keyof SchedulerEvents> = ['task:scheduled', 'task:recovered', 'task:retrying', 'task:expired', 'task:removed', 'series:misfired', 'series:disabled', 'series:enabled', 'series:removed', 'task:updated', 'task:cancelled', 'task:dispatched', 'task:done', 'task:failed', 'loop:error', 'loop:stopped'];
  for (const name of names) scheduler.on(name, (payload) => void events.push([name, payload]));
  return { scheduler, clock, repository, works, events, started };
}

/** The code of the error `promise` rejects with, or 'resolved'. */
export async function codeOf(promise: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    return (error as { code?: unknown }).code;
  }
  return 'resolved';
}
