// The bench driver: `npm run bench` (full) or `npm run bench -- --quick` (about a minute).
// Runs every case in a fresh `node --expose-gc` process, in rounds (each round runs every case
// once, so a slow moment of a shared machine hits all cases alike), prints markdown tables of
// medians (min–max) with ratios against the ideal reference of the same invocation (W6: against
// graphile-worker), checks the targets of issues 5, 9 and 10, and writes bench/results/latest.json
// (and latest.md). W5 and W6 start a throw-away PostgreSQL unless PG_URL names a server.
//
// Options: --quick, --repeats=N, --only=W1,W3 (workloads), --profile (CPU profiles instead, see profile.mjs).
// KOKUGEN_DIST=path benches another build of the kit instead of dist/ (e.g. a candidate change).
// --baseline=path/to/dist also benches that build: every kit case gets a "(baseline)" twin, run in
// the same rounds, and a table gives each figure of this build ÷ the baseline's.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fmt, reportTools, summarizeCases } from './lib/report.mjs';
import { roundOrder, runCase } from './lib/runner.mjs';
import { collectTargets } from './lib/targets.mjs';
import { startPostgres } from './lib/pg-server.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const benchDir = fileURLToPath(new URL('.', import.meta.url));
const resultsDir = fileURLToPath(new URL('results/', import.meta.url));
const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const option = (name) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = flag('quick');

if (flag('profile')) {
  const { profile } = await import('./profile.mjs');
  await profile({ quick });
  process.exit(0);
}

const repeats = Number(option('repeats') ?? (quick ? 2 : 5));
const only = option('only')?.toUpperCase().split(',');

// The cases load a private copy of the build, so that a rebuild of dist/ during the run (someone
// else's `npm run build`) cannot mix two versions of the kit into one table.
// The copies live in bench/results/, inside this checkout, so that their imports of the kit's
// dependencies resolve to this checkout's node_modules whichever build they come from.
function snapshotOf(dir, name) {
  if (!existsSync(`${dir}index.js`)) {
    console.error(`no build at ${dir}: run npm run build first (npm run bench does)`);
    process.exit(1);
  }
  const copy = `${resultsDir}${name}/`;
  rmSync(copy, { recursive: true, force: true });
  cpSync(dir, copy, { recursive: true });
  return copy;
}
const built = process.env.KOKUGEN_DIST === undefined ? `${root}dist/` : `${resolve(process.env.KOKUGEN_DIST)}/`;
const snapshot = snapshotOf(built, '.dist');
process.env.KOKUGEN_DIST = snapshot;
const distUrl = pathToFileURL(snapshot);
const baselineBuilt = option('baseline') === undefined ? undefined : `${resolve(option('baseline'))}/`;
const baseline = baselineBuilt === undefined ? undefined : snapshotOf(baselineBuilt, '.dist-baseline');
const wants = (w) => only === undefined || only.includes(w);

// ---- the plan ----

const size = quick
  ? { w1: 20_000, w1Peers: 2_000, window: 1_000, grace: 1_000, w2: 100_000, w2Peers: 2_000, w3: 20_000, w4Window: 300, w5: { single: 100, many: 2_000, dueNow: 500 }, w6: { n: 5_000, pickups: 100 } }
  : { w1: 100_000, w1Peers: 10_000, window: 2_000, grace: 3_000, w2: 1_000_000, w2Peers: 10_000, w3: 100_000, w4Window: 1_000, w5: { single: 500, many: 10_000, dueNow: 5_000 }, w6: { n: 20_000, pickups: 300 } };
/** W6's shape (issue 10): worker processes and their total concurrency, bulk-add chunk, pickup interval ms. */
const w6 = { processes: 2, concurrency: 24, chunk: 1_000, every: 20 };

const cases = [];
const add = (workload, impl, args, label = impl) => {
  const c = { id: `${workload} ${label} n=${args.n ?? ''}`.trim(), workload, impl: label, n: args.n ?? null, file: fileFor(workload), args: { impl, ...args } };
  cases.push(c);
  // The baseline's twin of each kit case: the same case on the other build, right after it.
  if (baseline !== undefined && impl.startsWith('kit') && ((workload !== 'W5' && workload !== 'W6') || existsSync(`${baseline}typeorm.js`))) {
    cases.push({ ...c, id: `${c.id} (baseline)`, impl: `${label} (baseline)`, dist: baseline, twinOf: c.id });
  }
};
function fileFor(workload) {
  return { W1: 'w1-burst.mjs', W2: 'w2-pending.mjs', W3: 'w3-due-now.mjs', W4: 'w4-far-future.mjs', W5: 'w5-persistent.mjs', W6: 'w6-processes.mjs', W7: 'w7-cpu-bound.mjs' }[workload];
}

if (wants('W1')) {
  const common = { window: size.window, grace: size.grace, concurrency: 64 };
  for (const impl of ['ideal', 'ideal-api', 'kit', 'kit-many', 'timeout']) add('W1', impl, { n: size.w1, ...common });
  for (const impl of ['ideal', 'node-schedule', 'croner']) add('W1', impl, { n: size.w1Peers, ...common });
}
if (wants('W2')) {
  // (kit-many is left out here: its heap per task is the kit's, and its add rate shows in W1.)
  for (const impl of ['ideal', 'ideal-api', 'kit', 'timeout']) add('W2', impl, { n: size.w2 });
  for (const impl of ['ideal', 'node-schedule', 'croner']) add('W2', impl, { n: size.w2Peers });
}
if (wants('W3')) for (const impl of ['ideal', 'ideal-api', 'kit', 'kit-many', 'timeout']) add('W3', impl, { n: size.w3, concurrency: 64 });
if (wants('W4')) {
  add('W4', 'kit-fake', {});
  for (const impl of ['ideal', 'kit', 'timeout', 'node-schedule', 'croner']) add('W4', impl, { window: size.w4Window });
}

let postgres;
/** One PostgreSQL server for W5 and W6, started on first need: `{ url }` or `{ error }`. */
const postgresServer = async () => (postgres ??= process.env.PG_URL !== undefined ? { url: process.env.PG_URL, stop() {} } : await startPostgres());
const skipped = [];
if (wants('W5')) {
  if (!existsSync(new URL('typeorm.js', distUrl))) {
    skipped.push('W5 skipped: dist/typeorm.js does not exist (TypeOrmRepository, kokugen/typeorm, has not landed yet).');
  } else {
    for (const synchronous of ['FULL', 'NORMAL']) add('W5', 'kit', { db: 'sqlite', synchronous, ...size.w5 }, `sqlite-wal-${synchronous.toLowerCase()}`);
    const { url, error } = await postgresServer();
    if (url === undefined) skipped.push(`W5 PostgreSQL skipped: ${error}`);
    else add('W5', 'kit', { db: 'postgres', url, ...size.w5 }, 'postgres');
  }
}
if (wants('W6')) {
  if (!existsSync(new URL('typeorm.js', distUrl))) {
    skipped.push('W6 skipped: dist/typeorm.js does not exist (TypeOrmRepository, kokugen/typeorm, has not landed yet).');
  } else {
    // grace: how long a case waits for its tasks to end, inside the driver's case timeout.
    const grace = quick ? 30_000 : 90_000;
    const throughput = { part: 'throughput', n: size.w6.n, chunk: w6.chunk, concurrency: w6.concurrency, grace };
    const pickup = { part: 'pickup', n: size.w6.pickups, every: w6.every, concurrency: w6.concurrency, grace };
    const { url, error } = await postgresServer();
    const graphile = existsSync(`${root}node_modules/graphile-worker/package.json`);
    if (url === undefined) skipped.push(`W6 PostgreSQL skipped: ${error}`);
    else if (!graphile) skipped.push('W6 graphile-worker skipped: not installed (npm install): no ratios for W6.');
    if (url !== undefined) {
      add('W6', 'kit', { system: 'kokugen', db: 'postgres', url, processes: w6.processes, ...throughput }, 'kokugen-pg');
      if (graphile) add('W6', 'graphile', { system: 'graphile', db: 'postgres', url, processes: w6.processes, ...throughput }, 'graphile-worker');
    }
    add('W6', 'kit', { system: 'kokugen', db: 'sqlite', processes: 1, ...throughput }, 'kokugen-sqlite');
    if (url !== undefined) {
      add('W6', 'kit', { system: 'kokugen', db: 'postgres', url, ...pickup }, 'kokugen-pg pickup');
      if (graphile) add('W6', 'graphile', { system: 'graphile', db: 'postgres', url, ...pickup }, 'graphile-worker pickup');
    }
  }
}
if (wants('W7')) {
  if (!existsSync(new URL('worker-threads.js', distUrl))) skipped.push('W7 skipped: dist/worker-threads.js does not exist.');
  else for (const impl of ['threads', 'main']) add('W7', impl, { n: 64, ms: 50, concurrency: 2 });
}
for (const line of skipped) console.log(line);

// ---- running ----

const caseTimeout = quick ? 60_000 : 180_000;
const exitBound = 5_000;

const began = performance.now();
const loadBefore = loadavg()[0];
console.error(`kokugen bench (${quick ? 'quick' : 'full'}): ${cases.length} cases x ${repeats} rounds, one fresh process each`);
for (const c of cases) c.runs = [];
for (let round = 1; round <= repeats; round++) {
  for (const c of roundOrder(cases, round)) {
    const run = await runCase(c, { root, benchDir, snapshot, caseTimeout, exitBound });
    c.runs.push(run);
    const brief = run.error !== undefined ? `ERROR ${run.error}` : `${(run.wallMs / 1000).toFixed(1)} s`;
    console.error(`  round ${round}/${repeats}  ${c.id.padEnd(32)} ${brief}`);
  }
}
postgres?.stop?.();
const elapsed = (performance.now() - began) / 1000;
const loadAfter = loadavg()[0];

// ---- summary ----

summarizeCases(cases);
const { twin, find, med, ratio, cell, worst, label, of } = reportTools(cases);

const md = [];
const table = (head, rows) => {
  md.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`), '');
};

md.push(`## kokugen bench — ${quick ? 'quick' : 'full'}, ${repeats} rounds, ${new Date().toISOString().slice(0, 10)}`, '');
md.push('Cells: median (min–max) over the rounds; ×ideal: median ÷ the ideal reference\'s median at the same N, same invocation. early/lost/dup: worst round.', '');
if (baseline !== undefined) md.push(`(baseline) rows: the same case on the baseline build ${baselineBuilt}, run in the same rounds (see "Change vs baseline").`, '');
if (of('W1').length > 0) {
  md.push(`### W1 burst — N one-shot tasks due uniformly in the next ${size.window} ms, async no-op work, concurrency 64 (ideal, kit)`, '');
  table(
    ['impl', 'N', 'add rate /s', '×ideal', 'p50 ms', 'p99 ms', 'max ms', 'steady tasks', 'steady p99 ms', '×ideal', 'settled tasks', 'settled p99 ms', 'early', 'lost', 'dup', 'total ms', 'peak RSS MB'],
    of('W1').map((c) => [label(c), c.n, cell(c, 'addRate', 'rate'), fmt.x(ratio(c, 'addRate')), cell(c, 'p50', 'ms'), cell(c, 'p99', 'ms'), cell(c, 'max', 'ms'), cell(c, 'steadyCount', 'int'), cell(c, 'steadyP99', 'ms'), fmt.x(ratio(c, 'steadyP99', 1)), cell(c, 'settledCount', 'int'), cell(c, 'settledP99', 'ms'), worst(c, 'early'), worst(c, 'lost'), worst(c, 'duplicates'), cell(c, 'totalMs', 'ms'), cell(c, 'peakRssMb', 'int')]),
  );
}
if (of('W2').length > 0) {
  md.push('### W2 pending — N tasks due 1–24 h ahead on a running scheduler; then every other one cancelled', '');
  table(
    ['impl', 'N', 'add rate /s', '×ideal', 'heap B/task', '×ideal', 'cancel rate /s', '×ideal', 'heap B/task after cancel', 'exits after stop', 'peak RSS MB'],
    of('W2').map((c) => [label(c), c.n, cell(c, 'addRate', 'rate'), fmt.x(ratio(c, 'addRate')), cell(c, 'bytesPerTask', 'int'), fmt.x(ratio(c, 'bytesPerTask')), cell(c, 'cancelRate', 'rate'), fmt.x(ratio(c, 'cancelRate')), cell(c, 'bytesPerTaskAfterCancel', 'int'), c.summary.exitsByItself?.all ? `yes (${fmt.ms(med(c, 'exitMs'))} ms)` : 'NO', cell(c, 'peakRssMb', 'int')]),
  );
}
/** Issue 9: while 100,000 due-now tasks drain, event-loop delay p99 ≤ 20 ms and max ≤ 50 ms (on the medians over the rounds). */
const eld = { n: 100_000, p99: 20, max: 50 };
const eldPass = (c) => med(c, 'eldP99') !== null && med(c, 'eldP99') <= eld.p99 && med(c, 'eldMax') <= eld.max;
if (of('W3').length > 0) {
  md.push('### W3 due-now — N tasks all due now, added before start, concurrency 64 (setTimeout: no limit, runs while adding)', '');
  md.push(`ELD: event-loop delay while the tasks drain (monitorEventLoopDelay, resolution 1 ms), same runs; target at N = ${eld.n}: p99 ≤ ${eld.p99} ms and max ≤ ${eld.max} ms. setTimeout's tasks ran while adding: its run rate and ELD do not compare.`, '');
  table(
    ['impl', 'N', 'run rate /s', '×ideal', 'ELD p99 ms', 'ELD max ms', `ELD ≤ ${eld.p99} / ${eld.max} ms`, 'add+run rate /s', '×ideal', 'lost', 'peak RSS MB'],
    of('W3').map((c) => [label(c), c.n, cell(c, 'runRate', 'rate'), fmt.x(ratio(c, 'runRate')), cell(c, 'eldP99', 'ms'), cell(c, 'eldMax', 'ms'), c.n < eld.n || c.args.impl === 'timeout' ? '—' : eldPass(c) ? 'pass' : '**miss**', cell(c, 'e2eRate', 'rate'), fmt.x(ratio(c, 'e2eRate')), worst(c, 'lost'), cell(c, 'peakRssMb', 'int')]),
  );
}
if (of('W4').length > 0) {
  md.push(`### W4 far future — one task at +30 days`, '');
  table(
    ['impl', 'clock', 'check', 'result'],
    of('W4').map((c) =>
      c.args.impl === 'kit-fake'
        ? [label(c), 'FakeClock', 'fires at the due ms exactly (not 1 ms before, not after)', c.summary.exact?.all ? 'pass (all rounds)' : 'FAIL']
        : [label(c), 'real', `does not fire within ${size.w4Window} ms`, c.summary.neverEarly?.all ? 'pass (never early)' : `FIRES EARLY (${worst(c, 'early')} of 1)`],
    ),
  );
}
if (of('W5').length > 0) {
  md.push(`### W5 persistent — the kit over TypeOrmRepository: schedule() ×${size.w5.single} awaited one by one, scheduleMany ×${size.w5.many} in batches of 1,000, then ${size.w5.dueNow} due-now tasks run to their committed outcome (concurrency 64)`, '');
  table(
    ['store', 'schedule() /s', 'scheduleMany /s', 'due-now end-to-end /s', 'lost', 'peak RSS MB'],
    of('W5').map((c) => [label(c), cell(c, 'singleRate', 'rate'), cell(c, 'manyRate', 'rate'), cell(c, 'dueNowRate', 'rate'), worst(c, 'lost'), cell(c, 'peakRssMb', 'int')]),
  );
}
/** W6: this case's median ÷ graphile-worker's in the same part, same invocation. */
function vsGraphile(c, key, floor = 0) {
  const g = of('W6').find((t) => t.args.impl === 'graphile' && t.args.part === c.args.part);
  const [a, b] = [med(c, key), med(g, key)];
  if (a === null || b === null) return null;
  return Math.max(a, floor) / Math.max(b, floor);
}
/** The ratio where both ran on PostgreSQL (SQLite's target is absolute). */
const onPg = (c, key) => (c.args.db === 'sqlite' ? '—' : fmt.x(vsGraphile(c, key)));
const w6Part = (part) => of('W6').filter((c) => c.args.part === part);
if (w6Part('throughput').length > 0) {
  const n = size.w6.n.toLocaleString('en');
  md.push(`### W6 several processes — ${n} due-now tasks bulk-added by one process (chunks of ${w6.chunk.toLocaleString('en')}: kokugen scheduleMany, graphile-worker addJobs), then worker processes sharing concurrency ${w6.concurrency} drain them, each system on a fresh database`, '');
  md.push('due-now: from the order to start (workers already connected) until every task has ended — kokugen: its outcome committed (task:done); graphile-worker: its job deleted from the table. ×graphile-worker: median ÷ its median, same invocation. first start: ms from the order to the first task\'s start.', '');
  table(
    ['system', 'processes × concurrency', 'bulk add /s', '×graphile-worker', 'due-now end-to-end /s', '×graphile-worker', 'first start ms', 'lost', 'dup'],
    w6Part('throughput').map((c) => [label(c), `${c.args.processes} × ${w6.concurrency / c.args.processes}`, cell(c, 'addRate', 'rate'), onPg(c, 'addRate'), cell(c, 'dueNowRate', 'rate'), onPg(c, 'dueNowRate'), cell(c, 'firstRunMs', 'ms'), worst(c, 'lost'), worst(c, 'duplicates')]),
  );
}
if (w6Part('pickup').length > 0) {
  md.push(`### W6 cross-process pickup — a producer process adds one due-now task every ${w6.every} ms (${size.w6.pickups} tasks: kokugen schedule, graphile-worker addJob); one worker process (concurrency ${w6.concurrency}) runs them`, '');
  md.push('Latency: the start of the work in the worker minus the time just before the add call in the producer, both on the wall clock (performance.timeOrigin + performance.now()). kokugen: pollInterval at its default (1,000 ms).', '');
  table(
    ['system', 'tasks', 'p50 ms', 'p99 ms', 'max ms', 'p50 ×graphile-worker', 'p99 ×graphile-worker', 'lost', 'dup'],
    w6Part('pickup').map((c) => [label(c), c.n, cell(c, 'pickupP50', 'ms'), cell(c, 'pickupP99', 'ms'), cell(c, 'pickupMax', 'ms'), fmt.x(vsGraphile(c, 'pickupP50', 1)), fmt.x(vsGraphile(c, 'pickupP99', 1)), worst(c, 'lost'), worst(c, 'duplicates')]),
  );
}
if (of('W7').length > 0) {
  md.push('### W7 CPU-bound — 64 tasks of a 50 ms busy loop, concurrency 2: worker threads (WorkerThreadDispatcher) against the main thread (WorkerPoolDispatcher); ideal wall 64 × 50 / 2 = 1,600 ms', '');
  table(
    ['impl', 'wall ms', '× ideal wall', 'ELD p99 ms', 'ELD max ms', 'startup ms', 'failed'],
    of('W7').map((c) => [label(c), cell(c, 'wallMs', 'ms'), cell(c, 'overIdeal', 'x'), cell(c, 'eldP99', 'ms'), cell(c, 'eldMax', 'ms'), cell(c, 'startupMs', 'ms'), worst(c, 'failed')]),
  );
}
for (const line of skipped) md.push(`_${line}_`, '');

// ---- this build against the baseline build (--baseline), case by case ----

if (baseline !== undefined) {
  /** Per workload: [key, name, which way is better, floor (latencies: Date.now() resolution), cell format]. */
  const figures = {
    W1: [['addRate', 'add rate /s', 'higher', 0, 'rate'], ['p99', 'p99 lateness ms', 'lower', 1, 'ms'], ['steadyP99', 'steady p99 lateness ms', 'lower', 1, 'ms'], ['settledP99', 'settled p99 lateness ms', 'lower', 1, 'ms']],
    W2: [['addRate', 'add rate /s', 'higher', 0, 'rate'], ['bytesPerTask', 'heap B/task', 'lower', 0, 'int'], ['cancelRate', 'cancel rate /s', 'higher', 0, 'rate']],
    W3: [['runRate', 'run rate /s', 'higher', 0, 'rate'], ['cpuRate', 'run rate per CPU-second', 'higher', 0, 'rate'], ['e2eRate', 'add+run rate /s', 'higher', 0, 'rate'], ['eldP99', 'ELD p99 ms', 'lower', 0, 'ms'], ['eldMax', 'ELD max ms', 'lower', 0, 'ms']],
    W5: [['singleRate', 'schedule() /s', 'higher', 0, 'rate'], ['manyRate', 'scheduleMany /s', 'higher', 0, 'rate'], ['dueNowRate', 'due-now end-to-end /s', 'higher', 0, 'rate']],
    W6: [['addRate', 'bulk add /s', 'higher', 0, 'rate'], ['dueNowRate', 'due-now end-to-end /s', 'higher', 0, 'rate'], ['pickupP50', 'pickup p50 ms', 'lower', 1, 'ms'], ['pickupP99', 'pickup p99 ms', 'lower', 1, 'ms']],
  };
  const rows = [];
  for (const b of cases.filter((t) => t.twinOf !== undefined)) {
    const c = cases.find((t) => t.id === b.twinOf);
    for (const [key, name, better, floor, kind] of figures[c.workload] ?? []) {
      const [now, then] = [med(c, key), med(b, key)];
      if (now === null || then === null) continue;
      const r = Math.max(now, floor) / Math.max(then, floor);
      // The same ratio round by round (the two ran next to each other): its spread is the noise.
      const paired = c.runs.map((run, i) => Math.max(run[key] ?? NaN, floor) / Math.max(b.runs[i]?.[key] ?? NaN, floor)).filter(Number.isFinite);
      const worse = better === 'higher' ? 1 - r : r - 1;
      const verdict = worse > 0.1 ? `**${(100 * worse).toFixed(1)} % worse**` : worse < -0.1 ? `${(-100 * worse).toFixed(1)} % better` : 'within 10 %';
      const spread = paired.length > 1 ? ` (${fmt.x(Math.min(...paired))}–${fmt.x(Math.max(...paired))})` : '';
      rows.push([c.workload, c.impl, c.n ?? '', `${name} (${better} is better)`, fmt[kind](then), fmt[kind](now), `${fmt.x(r)}${spread}`, verdict]);
    }
  }
  md.push('### Change vs baseline', '');
  md.push(`This build (${built}) against the baseline (${baselineBuilt}), each kit case run next to its twin in every round (the order alternating). this ÷ baseline: of the medians, and (min–max) of the per-round pairs — the spread of the same code against itself is the noise to judge a change by.`, '');
  table(['workload', 'impl', 'N', 'figure', 'baseline', 'this build', 'this ÷ baseline', 'verdict (10 %)'], rows);
}

// ---- targets (issues 5, 9 and 10) ----

const targets = collectTargets({ of, find, med, ratio, twin, worst }, { size, eld, eldPass, vsGraphile });
if (targets.length > 0) {
  md.push('### Targets (issues 5, 9 and 10), full kit', '');
  table(
    ['target', 'needed', 'measured', 'result'],
    targets.map((t) => [t.name, t.need, t.note === '' ? t.value : `${t.value} — ${t.note}`, t.pass === null ? '—' : t.pass ? 'pass' : '**miss**']),
  );
}

// ---- how much of the distance the API shape alone accounts for (bench/ideal-api.mjs) ----
{
  const rows = [];
  const share = (w, key, name) => {
    const k = find(w, 'kit');
    const api = find(w, 'ideal-api', k?.n);
    const ideal = find(w, 'ideal', k?.n);
    const [a, b, c] = [med(k, key), med(api, key), med(ideal, key)];
    if (a === null || b === null || c === null) return;
    rows.push([name, fmt.x(b / c), fmt.x(a / b), fmt.x(a / c)]);
  };
  share('W1', 'addRate', 'W1 add rate');
  share('W2', 'bytesPerTask', 'W2 heap per pending task');
  share('W2', 'cancelRate', 'W2 cancel rate');
  share('W3', 'runRate', 'W3 run rate');
  if (rows.length > 0) {
    md.push('### The API shape\'s share', '', 'ideal-api = the ideal behind kokugen\'s API shape (awaited calls, string ids, an id map, frozen snapshots; bench/ideal-api.mjs).', '');
    table(['figure', 'ideal-api ÷ ideal', 'kit ÷ ideal-api', 'kit ÷ ideal'], rows);
  }
}

// ---- machine and versions ----

const version = (pkg) => {
  try {
    return JSON.parse(readFileSync(`${root}node_modules/${pkg}/package.json`, 'utf8')).version;
  } catch {
    return 'missing';
  }
};
/** A build directory and the git commit of the checkout it sits in (its build is assumed to be of that checkout). */
function buildOf(dir) {
  try {
    const git = (...args) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
    const top = git('rev-parse', '--show-toplevel');
    const dirty = git('-C', top, 'status', '--porcelain', '--', 'src');
    return `${dir === `${root}dist/` ? 'dist/' : dir} from git ${git('rev-parse', '--short', 'HEAD')}${dirty === '' ? '' : ' + uncommitted changes in src/'}`;
  } catch {
    return dir;
  }
}
const meta = {
  date: new Date().toISOString(),
  mode: quick ? 'quick' : 'full',
  repeats,
  elapsedSeconds: Math.round(elapsed),
  loadAverage: { before: +loadBefore.toFixed(2), after: +loadAfter.toFixed(2) },
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  nproc: availableParallelism(),
  memoryGiB: +(totalmem() / 2 ** 30).toFixed(1),
  free: (() => {
    try {
      return execFileSync('free', ['-h'], { encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  })(),
  build: buildOf(built),
  baseline: baselineBuilt === undefined ? undefined : buildOf(baselineBuilt),
  versions: {
    kokugen: JSON.parse(readFileSync(`${root}package.json`, 'utf8')).version,
    '@datastructures-js/heap': version('@datastructures-js/heap'),
    'node-schedule': version('node-schedule'),
    croner: version('croner'),
    typeorm: version('typeorm'),
    sqlite3: version('sqlite3'),
    pg: version('pg'),
    'graphile-worker': version('graphile-worker'),
  },
  skipped,
};
md.push(
  `Kit: ${meta.build}.${meta.baseline === undefined ? '' : ` Baseline: ${meta.baseline}.`} Machine: ${meta.cpu}, ${meta.nproc} CPUs, ${meta.memoryGiB} GiB, Node ${meta.node}. Peers: ${Object.entries(meta.versions)
    .filter(([k]) => k !== 'kokugen')
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}. Took ${meta.elapsedSeconds} s; 1-min load average ${meta.loadAverage.before} before, ${meta.loadAverage.after} after (other work on the machine skews absolute figures; the ratios compare cases run interleaved in the same rounds).`,
  '',
);

const markdown = md.join('\n');
console.log(`\n${markdown}`);
mkdirSync(resultsDir, { recursive: true });
const json = { meta, size, cases: cases.map(({ file, ...c }) => ({ ...c, args: { ...c.args, url: c.args.url === undefined ? undefined : '(redacted)' } })), targets };
writeFileSync(`${resultsDir}latest.json`, `${JSON.stringify(json, null, 2)}\n`);
writeFileSync(`${resultsDir}latest.md`, `${markdown}\n`);
console.log(`wrote ${resultsDir}latest.json and latest.md`);
