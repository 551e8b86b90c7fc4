// W3 due-now: n tasks all due now, added while the scheduler is not running, then started with a
// concurrency limit. Measures tasks/s from start() until every work has settled ("run rate") and
// from the first add ("end-to-end rate"). Plain setTimeout has no stop/start: its run starts
// while adding, so only its end-to-end rate means anything.
import { caseArgs, emit, fullGc, peakRssMb, recorder } from '../lib/case.mjs';
import { createImpl } from '../lib/impls.mjs';

const { impl, n, concurrency = 64, grace = 30_000 } = caseArgs();
const rec = recorder(n);
const adapter = await createImpl(impl, { record: rec.record, concurrency });
const dues = new Float64Array(n);
const handles = new Array(n).fill(null);
fullGc();

dues.fill(Date.now());
const t0 = performance.now();
await adapter.add(dues, handles);
const addMs = performance.now() - t0;
const t1 = performance.now();
await adapter.start();
const deadline = setTimeout(rec.giveUp, grace);
await rec.all;
clearTimeout(deadline);
await adapter.idle();
const t2 = performance.now();
await adapter.stop();

emit({
  addMs,
  runMs: t2 - t1,
  runRate: n / ((t2 - t1) / 1000),
  e2eRate: n / ((t2 - t0) / 1000),
  ...rec.tally(),
  peakRssMb: peakRssMb(),
});
