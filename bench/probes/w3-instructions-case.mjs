// Instruction-count probe for bench/instructions.mjs: node w3-instructions-case.mjs <distDir> <n> <add|run>
// Adds n due-now tasks one by one on the heap; with "run", then starts a scheduler and drains them.
const [dist, nText, mode] = process.argv.slice(2);
const n = Number(nText);
const { Scheduler, HeapRepository, WorkerPoolDispatcher, WorkRegistry, SystemClock } = await import(`${dist}/index.js`);
let done = 0;
let resolveAll;
const all = new Promise((r) => (resolveAll = r));
const works = new WorkRegistry().register('noop', async () => { if (++done === n) resolveAll(); });
const options = { repository: new HeapRepository(), dispatcher: new WorkerPoolDispatcher({ works, concurrency: 64 }), clock: new SystemClock() };
// Builds from before the logger option refuse it; newer ones would log start and stop to stderr.
try {
  new Scheduler({ ...options, logger: false });
  options.logger = false;
} catch {}
const scheduler = new Scheduler(options);
const at = Date.now();
for (let i = 0; i < n; i++) await scheduler.schedule({ workId: 'noop', at, param: i });
if (mode === 'run') {
  await scheduler.start();
  await all;
  await scheduler.idle();
  await scheduler.stop();
}
console.log(mode, n, done);
