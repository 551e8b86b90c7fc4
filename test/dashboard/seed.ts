import { every } from '../../src/index.js';
import type { Task, TaskRepository } from '../../src/index.js';
import type { NewTask } from '../../src/task/task.js';

/** The dashboard tests' "now": every seeded time is relative to it. */
export const NOW = Date.UTC(2026, 11, 1, 6, 0, 0);
const minute = 60_000;

/** A param that would run script if any page put it into the markup unescaped. */
export const hostileParam = { note: '<script>window.__pwned = true</script>', img: '<img src=x onerror="window.__pwned=true">' };

export interface Seeded {
  readonly done: readonly Task[];
  readonly failed: Task;
  readonly hostile: Task;
  readonly cancelled: Task;
  readonly expired: Task;
  readonly running: Task;
  readonly scheduled: readonly Task[];
  readonly seriesIds: readonly string[];
}

function newTask(id: string, workId: string, scheduledAt: number, param: NewTask['param'] = null): NewTask {
  return { id, workId, param, scheduledAt, priority: 0, meta: {}, createdAt: scheduledAt - minute, seriesId: null, retry: null, timeout: null, deadline: null };
}

/**
 * Tasks in every state over the hour before NOW, written through the repository contract alone
 * (add, claimDue, complete, cancel) so that it works on any store: the dashboard reads what a real
 * scheduler would have left, with known times.
 */
export async function seed(repository: TaskRepository): Promise<Seeded> {
  const run = async (task: NewTask, lateMs: number, end: (claimedAt: number) => Promise<Task>): Promise<Task> => {
    await repository.add([task]);
    const claimed = await repository.claimDue(task.scheduledAt + lateMs, 1, 'seed');
    if (claimed[0]?.id !== task.id) throw new Error(`seed: expected to claim ${task.id}`);
    return end(task.scheduledAt + lateMs);
  };
  const done: Task[] = [];
  for (let i = 0; i < 12; i++) {
    const at = NOW - 55 * minute + i * 4 * minute;
    const work = i % 3 === 0 ? 'report' : 'mail';
    done.push(await run(newTask(`${work}-${i}`, work, at, { n: i }), (i % 4) * 250, async (t) => (await repository.complete(`${work}-${i}`, { state: 'done', result: { sent: i } }, t + 500)).task));
  }
  const failed = await run(newTask('charge-7', 'charge', NOW - 20 * minute, { amount: 42 }), 100, async (t) => {
    await repository.complete('charge-7', { state: 'scheduled', scheduledAt: t + 1_000, error: { name: 'CardDeclined', message: 'first try: declined', attempt: 1, at: t + 200 } }, t + 200);
    await repository.claimDue(t + 1_500, 1, 'seed');
    return (await repository.complete('charge-7', { state: 'failed', error: { name: 'CardDeclined', message: 'second try: declined', attempt: 2, at: t + 1_700 } }, t + 1_700)).task;
  });
  const hostile = await run(newTask('<b>hostile</b>', 'mail', NOW - 10 * minute, hostileParam), 0, async (t) => {
    const error = { name: '<i>Evil</i>', message: '<script>window.__pwned = true</script>', attempt: 1, at: t + 10 };
    return (await repository.complete('<b>hostile</b>', { state: 'failed', error }, t + 10)).task;
  });
  const expired = await run(newTask('digest-1', 'report', NOW - 8 * minute), 5_000, async (t) => (await repository.complete('digest-1', { state: 'expired', error: { name: 'DeadlineExceeded', message: 'started after its deadline' } }, t)).task);
  const running = await run(newTask('export-3', 'report', NOW - 2 * minute, { rows: 1_000_000 }), 1_500, (t) => Promise.resolve({ id: 'export-3', dispatchedAt: t } as Task));
  await repository.add([newTask('mail-cancel', 'mail', NOW + 30 * minute)]);
  const cancelled = (await repository.cancel('mail-cancel', NOW - minute)) as Task;
  const scheduled = await repository.add([newTask('mail-future-1', 'mail', NOW + 5 * minute), newTask('mail-future-2', 'mail', NOW + 10 * minute), newTask('report-future', 'report', NOW + 60 * minute)]);
  const schedule = every(15 * minute, { anchor: NOW - 60 * minute });
  const seriesIds = ['cleanup', 'backup'];
  for (const [i, id] of seriesIds.entries()) {
    const first = NOW + (i + 1) * 15 * minute;
    await repository.addSeries(
      { id, workId: id, param: null, schedule: schedule.toJSON(), misfire: 'once', grace: 1_000, priority: 0, meta: {}, retry: null, timeout: null, enabled: true, error: null, createdAt: NOW - 60 * minute },
      { ...newTask(`${id}@${first}`, id, first), seriesId: id },
    );
  }
  return { done, failed, hostile, cancelled, expired, running: (await repository.get(running.id)) as Task, scheduled, seriesIds };
}
