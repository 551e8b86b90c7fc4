import type { TaskRepository } from '../repository/task-repository.js';
import { TaskState } from '../task/task.js';
import type { Task } from '../task/task.js';

/** Throughput and lateness per bucket over a window that ends now. */
export interface Activity {
  readonly from: number;
  readonly bucketMs: number;
  /** Tasks that ended `done` / `failed` in each bucket. */
  readonly done: readonly number[];
  readonly failed: readonly number[];
  /** Median and largest `dispatchedAt - scheduledAt` (ms) of the runs started in each bucket; null: none. */
  readonly latenessMedian: readonly (number | null)[];
  readonly latenessMax: readonly (number | null)[];
  /** True when more ended tasks exist than were read, so older buckets may be undercounted. */
  readonly truncated: boolean;
}

export interface ActivityOptions {
  readonly now: number;
  readonly windowMs: number;
  readonly buckets: number;
  /** How many of the newest tasks of each ended state are read. */
  readonly sample: number;
  /** Tasks per state, from `stats()`: where the newest ones start. */
  readonly counts: Readonly<Record<TaskState, number>>;
}

/**
 * Reads the newest `done` and `failed` tasks (and the running ones) with `find` and buckets them
 * by end time (throughput) and by start time (lateness). `find` pages ended tasks by creation
 * order, so the newest are at offset `count - sample`: a bounded read on any repository, with no
 * new query in the contract. A task created long ago that ended in the window but falls outside
 * the sample is missed; `truncated` says when that can happen.
 */
export async function recentActivity(repository: TaskRepository, options: ActivityOptions): Promise<Activity> {
  const { now, windowMs, buckets, sample, counts } = options;
  const from = now - windowMs;
  const bucketMs = windowMs / buckets;
  const done = new Array<number>(buckets).fill(0);
  const failed = new Array<number>(buckets).fill(0);
  const lateness: number[][] = Array.from({ length: buckets }, () => []);
  const bucketOf = (at: number): number | undefined => (at < from || at > now ? undefined : Math.min(buckets - 1, Math.floor((at - from) / bucketMs)));
  const read = async (state: TaskState): Promise<Task[]> => repository.find({ state, offset: Math.max(0, counts[state] - sample), limit: sample });
  const [doneTasks, failedTasks, running] = await Promise.all([read(TaskState.Done), read(TaskState.Failed), read(TaskState.Dispatched)]);
  for (const [tasks, into] of [[doneTasks, done], [failedTasks, failed]] as const) {
    for (const task of tasks) {
      const b = task.endedAt === null ? undefined : bucketOf(task.endedAt);
      if (b !== undefined) into[b] = (into[b] as number) + 1;
    }
  }
  for (const task of [...doneTasks, ...failedTasks, ...running]) {
    const b = task.dispatchedAt === null ? undefined : bucketOf(task.dispatchedAt);
    if (b !== undefined && task.dispatchedAt !== null) lateness[b]?.push(Math.max(0, task.dispatchedAt - task.scheduledAt));
  }
  const sorted = lateness.map((values) => values.sort((a, b) => a - b));
  return {
    from,
    bucketMs,
    done,
    failed,
    latenessMedian: sorted.map((v) => (v.length === 0 ? null : (v[Math.floor((v.length - 1) / 2)] as number))),
    latenessMax: sorted.map((v) => (v.length === 0 ? null : (v[v.length - 1] as number))),
    truncated: counts.done > sample || counts.failed > sample,
  };
}
