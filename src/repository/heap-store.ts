import type { Series } from '../schedule/series.js';
import type { NewTask, Task } from '../task/task.js';
import type { TaskIndex } from './id-index.js';
import type { PendingTask } from './pending-task.js';

/**
 * What `HeapRepository` hands the modules that hold its less frequent writes and reads
 * (heap-conflicts.ts, heap-series.ts, heap-operations.ts, heap-recovery.ts): its Map, indexes and
 * series, and its own primitives, so a write made there keeps the heap, the indexes, retention
 * and the due timer in step exactly as the repository's claim and complete path does.
 */
export interface HeapStore {
  /** A `PendingTask` for each scheduled task, the frozen snapshot for the others. */
  readonly tasks: Map<string, PendingTask | Task>;
  readonly index: TaskIndex;
  readonly series: Map<string, Series>;
  /** Stores a new task (with the next seq) and indexes it. */
  insert(task: NewTask): Task;
  /** Keeps a changed scheduled task (same id) in place of its old record. */
  replace(task: Task): void;
  /** Keeps a task scheduled again that had no live heap entry (it was dispatched or had ended). */
  enqueue(task: Task): void;
  /** Cancels a scheduled or waiting task. */
  cancelPending(task: Task, now: number): Task;
  /** Forgets a task that is not dispatched. */
  delete(task: Task): void;
  /** A task ended: retention counts it, and its watchers hear of it. */
  ended(task: Task, now: number): void;
  /** Releases or cancels the flow's waiting steps that the ending of one of its tasks decided; returns them. */
  settleFlow(flowId: string, now: number): Task[];
  /** Whether a series may get a new occurrence (see `HeapRepository`). */
  mayAddOccurrence(seriesId: string | null, strict: boolean): boolean;
  /** When the earliest scheduled task is due, if any is. */
  earliest(): number | undefined;
  /** Lets the due timer follow the earliest scheduled task. */
  follow(): void;
}
