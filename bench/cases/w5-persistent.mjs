// W5 persistent: the kit over TypeOrmRepository (kokugen/typeorm). Measures, on a fresh store:
// single schedule() rate (awaited one by one), scheduleMany rate (batches of 1,000), and due-now
// tasks/s end to end: every task claimed, run and its outcome committed (task:done fires after the
// commit), concurrency 64.
//   db: 'sqlite' (a temp file, WAL; synchronous from `synchronous`) or 'postgres' (`url`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caseArgs, emit, peakRssMb } from '../lib/case.mjs';
import { distUrl } from '../lib/impls.mjs';
import { scratchDatabase } from '../lib/pg-scratch.mjs';

const { db, synchronous = 'FULL', url, single = 500, many = 10_000, dueNow = 5_000, concurrency = 64, grace = 120_000 } = caseArgs();
const { Scheduler, WorkerPoolDispatcher, WorkRegistry, SystemClock } = await import(new URL('index.js', distUrl).href);
const { TypeOrmRepository } = await import(new URL('typeorm.js', distUrl).href);

const dir = mkdtempSync(join(tmpdir(), 'kokugen-bench-w5-'));
const scratch = db === 'postgres' ? await scratchDatabase(url) : undefined;
const options = db === 'sqlite' ? { type: 'sqlite', database: join(dir, 'tasks.sqlite'), synchronous } : { type: 'postgres', url: scratch.url };
const repository = await TypeOrmRepository.open(options);

let done = 0;
let resolveAll;
const allDone = new Promise((resolve) => (resolveAll = resolve));
const works = new WorkRegistry().register('noop', async () => {});
const scheduler = new Scheduler({ repository, dispatcher: new WorkerPoolDispatcher({ works, concurrency }), clock: new SystemClock() });
scheduler.on('task:done', () => {
  if (++done === dueNow) resolveAll();
});

const later = Date.now() + 86_400_000;
let t = performance.now();
for (let i = 0; i < single; i++) await scheduler.schedule({ workId: 'noop', at: later + i, param: i });
const singleMs = performance.now() - t;

t = performance.now();
for (let from = 0; from < many; from += 1_000) {
  const inputs = [];
  for (let i = from; i < Math.min(many, from + 1_000); i++) inputs.push({ workId: 'noop', at: later + i, param: i });
  await scheduler.scheduleMany(inputs);
}
const manyMs = performance.now() - t;

const now = Date.now();
for (let from = 0; from < dueNow; from += 1_000) {
  const inputs = [];
  for (let i = from; i < Math.min(dueNow, from + 1_000); i++) inputs.push({ workId: 'noop', at: now, param: i });
  await scheduler.scheduleMany(inputs);
}
t = performance.now();
await scheduler.start();
const deadline = setTimeout(resolveAll, grace);
await allDone;
clearTimeout(deadline);
const dueNowMs = performance.now() - t;
await scheduler.stop();
await repository.close();
await scratch?.drop();
rmSync(dir, { recursive: true, force: true });

emit({
  singleRate: single / (singleMs / 1000),
  manyRate: many / (manyMs / 1000),
  dueNowRate: done / (dueNowMs / 1000),
  dueNowDone: done,
  lost: dueNow - done,
  peakRssMb: peakRssMb(),
});
