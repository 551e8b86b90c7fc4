// W3 due-now: n tasks all due now, added while the scheduler is not running, then started with a
// concurrency limit. Measures tasks/s from start() until every work has settled ("run rate") and
// from the first add ("end-to-end rate"). Plain setTimeout has no stop/start: its run starts
// while adding, so only its end-to-end rate means anything. "CPU rate" is the run's tasks per
// second of this process's CPU time: a slow moment of a shared machine stretches the wall clock
// but hardly the CPU time, so it is the steadier figure to compare two builds by (it leaves out
// time the loop sits idle, which the run rate counts).
//
// It also measures the event-loop delay while the tasks drain (issue 9): how long a timer or I/O
// callback of the same process would have waited. monitorEventLoopDelay arms a libuv timer every
// `resolution` ms and records the time between two of its callbacks, so a loop blocked for 2 s
// shows as one 2 s sample. It records nothing for a block before its first callback or after its
// last, so it is armed (and has fired) before start() and read only after one more callback
// past the drain. It runs no JavaScript, so it does not compete with the drain (checked: the
// run rate with and without it is the same within the noise; `"eld": false` turns it off).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as turn, setTimeout as sleep } from 'node:timers/promises';
import { caseArgs, emit, fullGc, peakRssMb, recorder } from '../lib/case.mjs';
import { createImpl } from '../lib/impls.mjs';

const { impl, n, concurrency = 64, grace = 30_000, eld = true } = caseArgs();
const rec = recorder(n);
const adapter = await createImpl(impl, { record: rec.record, concurrency });
const dues = new Float64Array(n);
const handles = new Array(n).fill(null);
fullGc();

dues.fill(Date.now());
const t0 = performance.now();
await adapter.add(dues, handles);
const addMs = performance.now() - t0;
const delay = eld ? monitorEventLoopDelay({ resolution: 1 }) : undefined;
if (delay !== undefined) {
  delay.enable();
  // After the add's long synchronous stretch the loop's cached time is stale: one turn refreshes
  // it, then a few ms of idle let the monitor's timer fire, which sets its starting point.
  await turn();
  await sleep(3);
}
const cpu = process.cpuUsage();
const t1 = performance.now();
await adapter.start();
const deadline = setTimeout(rec.giveUp, grace);
await rec.all;
clearTimeout(deadline);
await adapter.idle();
const t2 = performance.now();
const { user, system } = process.cpuUsage(cpu);
if (delay !== undefined) {
  await sleep(2); // the monitor's callback after the drain, which records the last gap
  delay.disable();
}
await adapter.stop();

const ms = (ns) => ns / 1e6;
emit({
  addMs,
  runMs: t2 - t1,
  runRate: n / ((t2 - t1) / 1000),
  cpuRate: n / ((user + system) / 1e6),
  e2eRate: n / ((addMs + t2 - t1) / 1000),
  ...(delay === undefined ? {} : { eldP50: ms(delay.percentile(50)), eldP99: ms(delay.percentile(99)), eldMax: ms(delay.max), eldSamples: delay.count }),
  ...rec.tally(),
  peakRssMb: peakRssMb(),
});
