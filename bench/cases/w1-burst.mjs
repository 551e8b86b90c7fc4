// W1 burst: n one-shot tasks due uniformly within the next `window` ms, added as fast as the API
// allows while the scheduler runs; async no-op work. Measures add rate, lateness (all tasks, and
// "steady": those due after adding finished), early fires, lost tasks, total time, peak RSS.
import { caseArgs, emit, fullGc, peakRssMb, recorder } from '../lib/case.mjs';
import { createImpl } from '../lib/impls.mjs';
import { latenessStats, prng } from '../lib/stats.mjs';

const { impl, n, window = 2_000, grace = 3_000, concurrency = 64, seed = 1 } = caseArgs();
const rec = recorder(n);
const adapter = await createImpl(impl, { record: rec.record, concurrency });
await adapter.start();

const rand = prng(seed);
const offsets = new Float64Array(n);
for (let i = 0; i < n; i++) offsets[i] = Math.floor(rand() * window);
const dues = new Float64Array(n);
const handles = new Array(n).fill(null);
fullGc();

const base = Date.now();
for (let i = 0; i < n; i++) dues[i] = base + offsets[i];
const t0 = performance.now();
await adapter.add(dues, handles);
const addMs = performance.now() - t0;
const addEnd = Date.now();

const deadline = setTimeout(rec.giveUp, Math.max(0, base + window - Date.now()) + grace);
await rec.all;
clearTimeout(deadline);
await adapter.idle();
const totalMs = performance.now() - t0;
await adapter.stop();

const all = latenessStats(rec.late, rec.fired, () => true);
const steady = latenessStats(rec.late, rec.fired, (i) => dues[i] > addEnd);
emit({
  addMs,
  addRate: n / (addMs / 1000),
  p50: all.p50,
  p99: all.p99,
  max: all.max,
  steadyCount: steady.count,
  steadyP50: steady.p50,
  steadyP99: steady.p99,
  steadyMax: steady.max,
  ...rec.tally(),
  totalMs,
  peakRssMb: peakRssMb(),
});
