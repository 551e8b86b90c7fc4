// W1 burst: n one-shot tasks due uniformly within the next `window` ms, added as fast as the API
// allows while the scheduler runs; async no-op work. Measures add rate, lateness (all tasks, and
// "steady": those due after adding finished; "settled": those due after the backlog left by the
// add had run), early fires, lost tasks, total time, peak RSS.
//
// "Steady" depends on the add's speed: a faster add leaves the tasks due meanwhile to run just
// after it, in front of the first steady ones. "Settled" starts once the last task due before the
// add ended has started, so it measures how late a running scheduler fires whatever the add cost,
// and compares two builds fairly.
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
let drainedAt = addEnd;
for (let i = 0; i < n; i++) if (rec.fired[i] > 0 && dues[i] <= addEnd) drainedAt = Math.max(drainedAt, dues[i] + rec.late[i]);
const settled = latenessStats(rec.late, rec.fired, (i) => dues[i] > drainedAt);
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
  settledCount: settled.count,
  settledP99: settled.p99,
  ...rec.tally(),
  totalMs,
  peakRssMb: peakRssMb(),
});
