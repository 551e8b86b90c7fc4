// W7 CPU-bound: n tasks, each a busy loop of `ms`, all due now, run with `concurrency` workers.
// impl 'threads' runs them in worker threads (WorkerThreadDispatcher, kokugen/worker-threads);
// impl 'main' runs the same function on the main thread (WorkerPoolDispatcher). Measures the wall
// time from the first schedule until every task has ended, against the ideal n × ms / concurrency,
// and the main thread's event-loop delay meanwhile (perf_hooks.monitorEventLoopDelay): how long
// timers, I/O and the scheduler itself wait behind the work.
//
// The loop is timed by the wall clock, so a busy machine stretches neither it nor the ideal: the
// distance from the ideal is the kit's own (dispatch, thread hand-off, outcome) plus time lost
// waiting for a free core.
//
// Run by the driver with one JSON argument ({ impl, n, ms, concurrency }); run alone
// (`node bench/cases/w7-cpu-bound.mjs`, after `npm run build`) it runs both impls, each in a fresh
// process, and prints a table.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { caseArgs, emit, peakRssMb } from '../lib/case.mjs';
import { distUrl } from '../lib/impls.mjs';

const worksUrl = new URL('./w7-cpu-bound.works.mjs', import.meta.url);
const { impl, n = 64, ms = 50, concurrency = 2 } = caseArgs();

if (impl === undefined) standalone();
else emit(await measure());

async function measure() {
  const { HeapRepository, Scheduler, WorkerPoolDispatcher, WorkRegistry } = await import(new URL('index.js', distUrl).href);
  const started = performance.now();
  let dispatcher;
  if (impl === 'threads') {
    const { WorkerThreadDispatcher } = await import(new URL('worker-threads.js', distUrl).href);
    dispatcher = await WorkerThreadDispatcher.create({ module: worksUrl, concurrency });
  } else if (impl === 'main') {
    const { default: works } = await import(worksUrl.href);
    dispatcher = new WorkerPoolDispatcher({ works: new WorkRegistry().register('spin', works.spin), concurrency });
  } else {
    throw new Error(`unknown impl ${JSON.stringify(impl)}: expected 'threads' or 'main'`);
  }
  const startupMs = performance.now() - started;
  const scheduler = new Scheduler({ repository: new HeapRepository(), dispatcher });
  await scheduler.start();

  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  // The monitor measures each delay from its previous tick: let it tick before the work starts,
  // or a main thread blocked from the first task on would go unseen (reset() would forget the tick).
  await new Promise((resolve) => setTimeout(resolve, 10));
  const t0 = performance.now();
  const tasks = await scheduler.scheduleMany(Array.from({ length: n }, () => ({ workId: 'spin', param: ms, delay: 0 })));
  const ended = await Promise.all(tasks.map((task) => scheduler.wait(task.id)));
  const wallMs = performance.now() - t0;
  // Work that never yields is seen by the monitor only on the loop's next turn, as one long delay.
  await new Promise((resolve) => setTimeout(resolve, 2));
  delay.disable();

  await scheduler.stop();
  await dispatcher.close?.();
  const idealMs = (n * ms) / concurrency;
  return {
    n,
    ms,
    concurrency,
    cpus: availableParallelism(),
    startupMs,
    wallMs,
    idealMs,
    overIdeal: wallMs / idealMs,
    eldP50: delay.percentile(50) / 1e6,
    eldP99: delay.percentile(99) / 1e6,
    eldMax: delay.max / 1e6,
    failed: ended.filter((task) => task.state !== 'done').length,
    peakRssMb: peakRssMb(),
  };
}

function standalone() {
  const rows = [];
  for (const name of ['threads', 'main']) {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), JSON.stringify({ impl: name, n, ms, concurrency })], { encoding: 'utf8' });
    const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (line === undefined) throw new Error(`${name} gave no result (exit ${child.status}): ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    rows.push({ impl: name, ...JSON.parse(line.slice(7)) });
  }
  const f = (v) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
  console.log(`W7 CPU-bound: ${n} tasks × ${ms} ms busy loop, concurrency ${concurrency}, ${availableParallelism()} CPUs; ideal ${f((n * ms) / concurrency)} ms`);
  console.log('| impl | wall ms | ×ideal | ELD p50 ms | ELD p99 ms | ELD max ms | startup ms | failed | peak RSS MB |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.impl} | ${f(r.wallMs)} | ${r.overIdeal.toFixed(2)}× | ${f(r.eldP50)} | ${f(r.eldP99)} | ${f(r.eldMax)} | ${f(r.startupMs)} | ${r.failed} | ${f(r.peakRssMb)} |`);
}
