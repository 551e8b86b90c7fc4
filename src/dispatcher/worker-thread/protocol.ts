import type { MessagePort } from 'node:worker_threads';
import type { Task } from '../../task/task.js';
import type { WorkOptions } from '../work-registry.js';
import type { WireThrown } from './wire-thrown.js';

/**
 * The messages between a `WorkerThreadDispatcher` and its threads. Everything here crosses a
 * thread boundary by structured clone, so it holds data only: thrown values travel as `WireThrown`.
 */

/** The `workerData` of every thread: which works module to load. */
export interface ThreadData {
  /** The module's file: URL. */
  readonly module: string;
}

export interface DescribeRequest {
  readonly kind: 'describe';
}

export interface RunRequest {
  readonly kind: 'run';
  readonly task: Task;
  /** A flow step's parents (`WorkContext.parents`): ended tasks, plain JSON like the task. */
  readonly parents: readonly Task[];
  /** Where the main side posts the abort reason (a `WireThrown`); closed when the work settles. */
  readonly port: MessagePort;
}

export type ThreadRequest = DescribeRequest | RunRequest;

/** One work of the module, with the per-work settings it declared (checked by `WorkRegistry` on the main side). */
export interface WorkDescription {
  readonly id: string;
  readonly options: WorkOptions;
}

export type DescribeReply =
  | { readonly ok: true; readonly works: readonly WorkDescription[] }
  /** `problem` completes "the works module <module> ..." (see WorkModuleError). */
  | { readonly ok: false; readonly problem: string; readonly cause: WireThrown | undefined };

/** How a run ended in its thread. A result is JSON already (checked there); undefined stays undefined. */
export type RunReply = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: WireThrown };
