import { AlreadyDispatchedError, DuplicateKeyError, InvalidArgumentError } from '../errors.js';
import { KeyHeld, OnConflict, TaskState } from '../task/task.js';
import type { NewTask, Task } from '../task/task.js';

/**
 * What adding tasks with dedup keys does, decided from the tasks holding those keys now, as a pure
 * function that every repository applies in its one write (graphile-worker's `job_key` and
 * pg-boss's `singletonKey` are the models).
 *
 * A key is held by its `scheduled` task, and by its `dispatched` one while that runs if either
 * holds keys until they end (`keyHeld: 'ended'`). A new task whose key is free is stored. One
 * whose key is held is refused (`ERR_DUPLICATE_KEY`), answered with the holder ('keep'), or
 * written into the holder ('replace': its time, param and options; the holder keeps its id, seq
 * and attempts; a running holder cannot change, `ERR_ALREADY_DISPATCHED`). A running holder that
 * held its key only while scheduled gives it to the new task: its own key becomes null, so a retry
 * of it never collides with the newer task.
 */
export type KeyStep =
  /** Store it. */
  | { readonly kind: 'insert'; readonly task: NewTask }
  /** Nothing stored: answer with the holder. */
  | { readonly kind: 'existing'; readonly task: Task }
  /** Write the holder, rewritten, back. */
  | { readonly kind: 'replace'; readonly task: Task };

export interface KeyPlan {
  /** One step per new task, in input order. */
  readonly steps: readonly KeyStep[];
  /** Running tasks whose key goes to a new task: write them back with `key: null`. */
  readonly detach: readonly Task[];
}

/** The keys of `tasks` (distinct within the batch, or `ERR_INVALID_ARGUMENT`). */
export function keysOf(tasks: readonly NewTask[]): string[] {
  const keys: string[] = [];
  for (const task of tasks) {
    if (task.key === undefined || task.key === null) continue;
    if (keys.includes(task.key)) throw new InvalidArgumentError('key', 'distinct keys within one batch', task.key);
    keys.push(task.key);
  }
  return keys;
}

/** `holders`: per key, the `scheduled` and `dispatched` tasks that have it. */
export function planKeys(tasks: readonly NewTask[], holders: ReadonlyMap<string, readonly Task[]>, onConflict: OnConflict): KeyPlan {
  const steps: KeyStep[] = [];
  const detach: Task[] = [];
  for (const task of tasks) {
    const key = task.key ?? null;
    const found = key === null ? [] : (holders.get(key) ?? []);
    const scheduled = found.find((t) => t.state === TaskState.Scheduled);
    const running = found.find((t) => t.state === TaskState.Dispatched);
    const holder = scheduled ?? (running !== undefined && (running.keyHeld === KeyHeld.UntilEnded || task.keyHeld === KeyHeld.UntilEnded) ? running : undefined);
    if (key === null || holder === undefined) {
      if (running !== undefined) detach.push(running);
      steps.push({ kind: 'insert', task });
    } else if (onConflict === OnConflict.Keep) {
      steps.push({ kind: 'existing', task: holder });
    } else if (onConflict === OnConflict.Replace) {
      if (holder.state !== TaskState.Scheduled) throw new AlreadyDispatchedError(holder.id);
      steps.push({ kind: 'replace', task: rewritten(holder, task) });
    } else {
      throw new DuplicateKeyError(key, holder.id);
    }
  }
  return { steps, detach };
}

function rewritten(holder: Task, task: NewTask): Task {
  return Object.freeze({
    ...holder,
    workId: task.workId,
    param: task.param,
    scheduledAt: task.scheduledAt,
    priority: task.priority,
    meta: task.meta,
    retry: task.retry,
    timeout: task.timeout,
    deadline: task.deadline,
    keyHeld: task.keyHeld ?? KeyHeld.WhileScheduled,
  });
}
