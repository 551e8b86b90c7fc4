/**
 * `npm run demo`: a real scheduler on the real clock. It schedules a few dozen tasks over about
 * five seconds — some fail, some are moved or cancelled at the last moment — prints a timeline as
 * they run, and exits by itself once every task has ended.
 *
 * Tasks live in `kokugen-demo.sqlite` in the working directory (the embedded default): interrupt a
 * run (Ctrl-C, kill -9) and run it again, and it says what it recovered and finishes what was left.
 */
import { Scheduler, WorkerPoolDispatcher, WorkRegistry } from '../index.js';
import type { Task } from '../index.js';
import { TypeOrmRepository } from '../typeorm.js';

const works = new WorkRegistry()
  .register('send-mail', async (param: { to: string }, { signal }) => {
    await sleep(120, signal);
    return `mailed ${param.to}`;
  })
  .register('resize-image', async (param: { name: string; px: number }, { signal }) => {
    await sleep(300, signal);
    if (param.px > 4000) throw new RangeError(`${param.name} is too large (${param.px}px)`);
    return `${param.name} → ${param.px}px`;
  })
  .register('flaky-call', (param: { n: number }) => {
    if (param.n % 3 === 0) throw new Error(`upstream answered 503 for call ${param.n}`);
    return { status: 200, n: param.n };
  });

const database = 'kokugen-demo.sqlite';
const repository = await TypeOrmRepository.open({ type: 'sqlite', database });
const scheduler = new Scheduler({
  repository,
  dispatcher: new WorkerPoolDispatcher({ works, concurrency: 3 }),
  // A stable owner: run again after a kill, the demo recovers what it left running at once, rather
  // than when those tasks' leases expire (the default owner is new in every process).
  owner: 'kokugen-demo',
});

const t0 = Date.now();
const stamp = (): string => `+${((Date.now() - t0) / 1000).toFixed(3)}s`.padStart(9);
const label = (task: Task): string => `${task.workId}(${JSON.stringify(task.param)})`;

scheduler.on('task:dispatched', ({ task }) => {
  const late = Date.now() - task.scheduledAt;
  console.log(`${stamp()}  ▶ ${label(task)}  (due ${late} ms ago, priority ${task.priority})`);
});
scheduler.on('task:done', ({ task }) => console.log(`${stamp()}  ✔ ${task.workId}: ${JSON.stringify(task.result)}`));
scheduler.on('task:failed', ({ task }) => console.log(`${stamp()}  ✘ ${task.workId}: ${task.error?.name}: ${task.error?.message}`));
scheduler.on('task:cancelled', ({ task }) => console.log(`${stamp()}  ⊘ cancelled ${label(task)}`));
scheduler.on('task:updated', ({ task }) => console.log(`${stamp()}  ↻ moved ${label(task)} to +${((task.scheduledAt - t0) / 1000).toFixed(1)}s`));
scheduler.on('loop:error', ({ error, phase }) => console.log(`${stamp()}  ! ${phase}: ${String(error)}`));
scheduler.on('task:recovered', ({ task }) => console.log(`${stamp()}  ⟲ recovered ${label(task)}: it was running when the last run stopped`));

// What an interrupted run left: its pending tasks, and those it was running (recovered at start).
const left = [...(await repository.find({ state: 'scheduled', limit: 1_000 })), ...(await repository.find({ state: 'dispatched', limit: 1_000 }))];
await scheduler.start();

const tasks: Task[] = [];
if (left.length > 0) {
  tasks.push(...left);
  console.log(`${stamp()}  resuming ${left.length} unfinished tasks from ${database}\n`);
} else {
  for (let i = 0; i < 12; i++) tasks.push(await scheduler.schedule({ workId: 'send-mail', param: { to: `user${i}@example.com` }, delay: 200 + i * 350 }));
  for (let i = 0; i < 8; i++) tasks.push(await scheduler.schedule({ workId: 'resize-image', param: { name: `photo-${i}.jpg`, px: 1000 * (i + 1) }, delay: 400 + i * 500 }));
  tasks.push(
    ...(await scheduler.scheduleMany(Array.from({ length: 10 }, (_, n) => ({ workId: 'flaky-call', param: { n }, delay: 1_000, priority: n })))),
  );
  const urgent = await scheduler.schedule({ workId: 'send-mail', param: { to: 'boss@example.com' }, delay: 4_500, priority: 10 });
  const dropped = await scheduler.schedule({ workId: 'send-mail', param: { to: 'nobody@example.com' }, delay: 3_000 });
  tasks.push(urgent, dropped);
  console.log(`${stamp()}  scheduled ${tasks.length} tasks over the next ~5 s on ${3} workers\n`);

  // Last-moment changes: one task moved up, one cancelled before it ran.
  setTimeout(() => {
    void scheduler.update(urgent.id, { delay: 0 });
    void scheduler.cancel(dropped.id);
  }, 1_500);
}

const ended = await Promise.all(tasks.map((task) => scheduler.wait(task.id)));
await scheduler.stop();
await repository.close();

const count = (state: string): number => ended.filter((t) => t.state === state).length;
const lateness = ended.filter((t) => t.dispatchedAt !== null).map((t) => (t.dispatchedAt as number) - t.scheduledAt);
const early = lateness.filter((ms) => ms < 0).length;
console.log(`\n${stamp()}  all ${ended.length} tasks ended: ${count('done')} done, ${count('failed')} failed, ${count('cancelled')} cancelled`);
console.log(`           started ${early} early; lateness max ${Math.max(...lateness)} ms (3 workers, so queued tasks wait their turn)`);

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}
