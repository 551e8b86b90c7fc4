// A consumer of the packed kokugen, type-checked by test/consumer.test.ts under strict settings
// with node16 and with bundler resolution, then run. Not part of the project's own build.
import { on } from 'node:events';
import type { EventEmitter } from 'node:events';
import { HeapRepository, Scheduler, WorkerPoolDispatcher, WorkRegistry } from 'kokugen';
import type { SchedulerEvents, WorksOf } from 'kokugen';
import { FakeClock } from 'kokugen/testing';

const works = new WorkRegistry()
  .register('remind', ({ userId }: { userId: number }) => `reminded ${userId}`)
  .register('cleanup', () => 0);
type Works = WorksOf<typeof works>;

const clock = new FakeClock(Date.UTC(2026, 0, 1));
const scheduler = new Scheduler<Works>({ repository: new HeapRepository(), dispatcher: new WorkerPoolDispatcher({ works }), clock, logger: false });
const seen = new Set<string>();
scheduler.on('task:done', ({ task }) => seen.add(task.id));

await scheduler.start();
const task = await scheduler.schedule({ workId: 'remind', param: { userId: 7 }, delay: 1_000 });
// @ts-expect-error userId is a number
await scheduler.schedule({ workId: 'remind', param: { userId: '7' }, delay: 1_000 }).catch(() => undefined);
const controller = new AbortController();
const firstDone = (async () => {
  for await (const [payload] of on(scheduler as unknown as EventEmitter, 'task:done', { signal: controller.signal })) {
    return (payload as SchedulerEvents['task:done']).task.id;
  }
  return undefined;
})();
await clock.advance(1_000);
const ended = await scheduler.wait(task.id);
const result: string | null = ended.result;
console.log(result, seen.has(task.id), (await firstDone) === task.id);
await scheduler.stop();
