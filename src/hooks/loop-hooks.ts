import type { Task, TaskOutcome } from '../task/task.js';

/**
 * What a recovery hook decides about an error in the loop:
 * - `continue`: give up on this step and carry on (what that means is said at each hook);
 * - `retry`: try the same step again after `delay` ms;
 * - `stop`: stop the scheduler gracefully, with this error as the reason (`loop:stopped`).
 */
export type Recovery =
  | { readonly action: 'continue' }
  | { readonly action: 'retry'; readonly delay: number }
  | { readonly action: 'stop' };

export const Recovery = {
  continue: Object.freeze({ action: 'continue' }) as Recovery,
  stop: Object.freeze({ action: 'stop' }) as Recovery,
  retry: (delay: number): Recovery => ({ action: 'retry', delay }),
} as const;

/** Hooks return nothing or a promise of nothing; kokugen awaits them, bounded by `hookTimeout`. */
type Observe<E> = (event: E) => void | Promise<void>;
/** Recovery hooks return a decision; returning nothing means "the default for this hook". */
type Recover<E> = (event: E) => Recovery | void | undefined | Promise<Recovery | void | undefined>;

export type UpdateKind = 'schedule' | 'update' | 'cancel' | 'retry';

/**
 * Observation and recovery points of the scheduler loop (gokugen's names, plus a few more).
 * Every hook is optional and may be async. A hook that throws, rejects or does not settle within
 * `hookTimeout` is reported as `loop:error` and treated as if it had returned nothing: it can
 * neither stop the loop nor lose a wake-up.
 */
export interface LoopHooks {
  /** The loop started (before any task is taken). */
  readonly onStart?: Observe<Record<string, never>>;
  /** A due task was taken from the repository (it is now `dispatched` there). */
  readonly onGetNext?: Observe<{ readonly task: Task }>;
  /**
   * Reading the next due tasks failed. Default: retry after `retryDelay`. `continue` waits for the
   * next wake-up, at the latest `retryDelay`.
   */
  readonly onGetNextError?: Recover<{ readonly error: unknown; readonly attempt: number }>;
  /** A task was handed to the dispatcher. */
  readonly onDispatch?: Observe<{ readonly task: Task }>;
  /**
   * The dispatcher refused a task or failed to wait for a worker (`task` is absent then).
   * Default: `continue`, which records the task as failed with this error (a failed wait is retried
   * after `retryDelay`).
   */
  readonly onDispatchError?: Recover<{ readonly error: unknown; readonly task?: Task; readonly attempt: number }>;
  /** A task was scheduled, updated or cancelled. */
  readonly onUpdate?: Observe<{ readonly task: Task; readonly kind: UpdateKind }>;
  /**
   * Writing a schedule, update or cancel failed in the repository (typed domain errors such as
   * `ERR_ALREADY_DISPATCHED` go straight to the caller). Default: `continue`, which rejects the
   * caller's promise with the error.
   */
  readonly onUpdateError?: Recover<{ readonly error: unknown; readonly taskId: string; readonly kind: UpdateKind; readonly attempt: number }>;
  /** A task ended (its outcome is already stored). */
  readonly onTaskEnded?: Observe<{ readonly task: Task }>;
  /**
   * Storing a task's outcome failed. Default: retry after `retryDelay`. `continue` leaves the task
   * `dispatched` in the store, and its `wait()` callers are rejected with the error.
   */
  readonly onTaskEndedError?: Recover<{ readonly error: unknown; readonly task: Task; readonly outcome: TaskOutcome; readonly attempt: number }>;
  /** The loop stopped; `error` is set when a hook or a failure stopped it. */
  readonly onStop?: Observe<{ readonly error?: unknown }>;
}

/**
 * Every hook by kind, at run time: the names a hook set is read for. `satisfies` keeps it equal to
 * `LoopHooks`, so a hook added to the interface and not here (or the reverse) does not compile.
 */
const hookKinds = {
  onStart: 'observe',
  onGetNext: 'observe',
  onGetNextError: 'recover',
  onDispatch: 'observe',
  onDispatchError: 'recover',
  onUpdate: 'observe',
  onUpdateError: 'recover',
  onTaskEnded: 'observe',
  onTaskEndedError: 'recover',
  onStop: 'observe',
} as const satisfies Record<keyof LoopHooks, 'observe' | 'recover'>;

export type HookName = keyof typeof hookKinds;
export type ObserveHookName = { [N in HookName]: (typeof hookKinds)[N] extends 'observe' ? N : never }[HookName];
export type RecoverHookName = Exclude<HookName, ObserveHookName>;

/** Every hook name, in the order of `LoopHooks`. */
export const hookNames: readonly HookName[] = Object.freeze(Object.keys(hookKinds) as HookName[]);

export function isRecoverHook(name: HookName): name is RecoverHookName {
  return hookKinds[name] === 'recover';
}

/** The event each hook receives. */
export type HookEvent<N extends HookName> = Parameters<NonNullable<LoopHooks[N]>>[0];
