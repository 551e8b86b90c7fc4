import { crashError, RecoveryPolicy, snapshot, TaskState } from '../task/task.js';
import type { Task } from '../task/task.js';
import type { HeapStore } from './heap-store.js';

/**
 * The heap repository's `recover`: the tasks `owner` left dispatched, scheduled again or failed
 * as `policy` says, in the order they were stored. It runs once per start, through `HeapStore`.
 */
export function recoverIn(store: HeapStore, owner: string, policy: RecoveryPolicy, now: number): Promise<Task[]> {
  const recovered: Task[] = [];
  for (const task of store.tasks.values()) {
    if (task.state !== TaskState.Dispatched || task.owner !== owner) continue;
    recovered.push(
      snapshot(
        task,
        policy === RecoveryPolicy.Rerun
          ? { state: TaskState.Scheduled, recovered: true }
          : { state: TaskState.Failed, recovered: true, endedAt: now, error: crashError },
      ),
    );
  }
  recovered.sort((a, b) => a.seq - b.seq);
  for (const task of recovered) {
    if (task.state === TaskState.Scheduled) {
      store.enqueue(task);
    } else {
      store.tasks.set(task.id, task);
      store.index.deactivated(task);
      store.ended(task, now);
      if (task.flowId !== null) store.settleFlow(task.flowId, now);
    }
  }
  store.follow();
  return Promise.resolve(recovered);
}
