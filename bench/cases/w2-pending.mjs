// W2 pending: n tasks due 1-24 h ahead on a running scheduler. Measures add rate, heap bytes per
// pending task after a full GC, the rate of cancelling every other task, and heap after that. The
// driver checks that the process exits by itself after stop() (nothing may keep it alive).
import { caseArgs, emit, heapUsed, peakRssMb, recorder } from '../lib/case.mjs';
import { createImpl } from '../lib/impls.mjs';
import { prng } from '../lib/stats.mjs';

const { impl, n, seed = 2 } = caseArgs();
const rec = recorder(n);
const adapter = await createImpl(impl, { record: rec.record });
await adapter.start();

const rand = prng(seed);
const hour = 3_600_000;
const dues = new Float64Array(n);
const base = Date.now();
for (let i = 0; i < n; i++) dues[i] = base + hour + Math.floor(rand() * 23 * hour);
const handles = new Array(n).fill(null);

const before = heapUsed();
const t0 = performance.now();
await adapter.add(dues, handles);
const addMs = performance.now() - t0;
const pending = heapUsed();

const t1 = performance.now();
const cancelled = await adapter.cancel(handles, 0, n, 2);
const cancelMs = performance.now() - t1;
const afterCancel = heapUsed();

await adapter.stop();
emit({
  addMs,
  addRate: n / (addMs / 1000),
  bytesPerTask: (pending - before) / n,
  cancelled,
  cancelMs,
  cancelRate: cancelled / (cancelMs / 1000),
  bytesPerTaskAfterCancel: (afterCancel - before) / n,
  fired: rec.count,
  peakRssMb: peakRssMb(),
  stoppedAt: Date.now(),
});
