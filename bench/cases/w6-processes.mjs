// W6 several processes on one store (issue 10): kokugen (TypeOrmRepository) and graphile-worker,
// each on a fresh database of its own. This process is the coordinator and the producer; the
// workers are child processes (w6-processes.worker.mjs).
//   part 'throughput': bulk add of n due-now tasks in chunks of `chunk` (kokugen scheduleMany,
//     graphile-worker addJobs), then `processes` workers sharing `concurrency` drain them: from
//     the order to start until every task has ended (kokugen: outcome committed; graphile-worker:
//     every job deleted from its table).
//   part 'pickup': one worker process (concurrency as given) waits; this process adds one due-now
//     task every `every` ms, `n` of them (kokugen schedule, graphile-worker addJob); the worker
//     records its start time minus the time just before the add call, both on the wall clock.
//   system: 'kokugen' | 'graphile'; db: 'postgres' (url: the server) | 'sqlite' (kokugen only).
import { fork } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { caseArgs, emit, peakRssMb } from '../lib/case.mjs';
import { quantile } from '../lib/stats.mjs';
import { systems } from '../lib/w6-systems.mjs';

const args = caseArgs();
const { system, part, db = 'postgres', url, n = part === 'pickup' ? 300 : 20_000, chunk = 1_000, processes = 2, concurrency = 24, every = 20, grace = 120_000 } = args;
const impl = systems[system];
if (impl === undefined) throw new Error(`unknown system ${JSON.stringify(system)}: expected 'kokugen' or 'graphile'`);
const workerFile = new URL('./w6-processes.worker.mjs', import.meta.url);
const now = () => performance.timeOrigin + performance.now();
/** The worker processes, for fail() to kill. */
const children = [];

const { store, drop } = await impl.prepare({ db, url });
try {
  emit(part === 'pickup' ? await pickup() : await throughput());
} finally {
  await drop();
}

async function throughput() {
  const shares = split(concurrency, processes);
  const workers = await Promise.all(shares.map((share, k) => spawnWorker(share, k)));
  const producer = await impl.producer(store);
  let t = performance.now();
  for (let from = 0; from < n; from += chunk) {
    const params = [];
    for (let i = from; i < Math.min(n, from + chunk); i++) params.push({ i });
    await producer.addMany(params);
  }
  const addMs = performance.now() - t;
  await producer.close();

  const watcher = await impl.pendingWatcher(store);
  t = performance.now();
  for (const w of workers) w.send({ type: 'start' });
  const allEnded = await until(() => sum(workers.map((w) => w.ended)) >= n, grace);
  if (allEnded && watcher !== undefined) await until(async () => (await watcher.count()) === 0, grace, 2);
  const drainMs = performance.now() - t;
  await watcher?.close();
  const runs = await stopAll(workers);
  return {
    addRate: n / (addMs / 1000),
    dueNowRate: n / (drainMs / 1000),
    drainMs,
    // Ran but never counted as ended within `grace` (a failed or unconfirmed outcome).
    unended: allEnded ? 0 : n - Math.min(n, sum(workers.map((w) => w.ended))),
    ...tally(runs.flatMap((r) => r.ran), n),
    perProcess: runs.map((r) => r.ran.length),
    firstRunMs: Math.min(...runs.map((r) => r.firstRunMs ?? Infinity)),
    peakRssMb: peakRssMb(),
  };
}

async function pickup() {
  const worker = await spawnWorker(concurrency, 0);
  worker.send({ type: 'start' });
  await worker.started;
  const producer = await impl.producer(store);
  await producer.addOne({ i: -1 }); // a first add, outside the figures: connections and statements warm
  await until(() => worker.ended >= 1, grace);
  const begin = performance.now();
  for (let i = 0; i < n; i++) {
    await producer.addOne({ i, t: now() });
    const next = begin + (i + 1) * every;
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
  }
  const allEnded = await until(() => worker.ended >= n + 1, grace);
  await producer.close();
  const [run] = await stopAll([worker]);
  const sorted = Float64Array.from(run.lateness).sort();
  return {
    pickupP50: quantile(sorted, 0.5),
    pickupP99: quantile(sorted, 0.99),
    pickupMax: sorted.length === 0 ? null : sorted[sorted.length - 1],
    unended: allEnded ? 0 : n + 1 - Math.min(n + 1, worker.ended),
    ...tally(run.ran.filter((i) => i >= 0), n),
    peakRssMb: peakRssMb(),
  };
}

/** A worker that dies unasked fails the whole case at once (not after `grace`): the others are killed. */
async function fail(error) {
  console.error(error);
  for (const child of children) child.kill('SIGKILL');
  await drop().catch(() => {});
  process.exit(1);
}

/** Forks worker k and resolves once its store is open. */
function spawnWorker(share, k) {
  const owner = `w6-worker-${k}-${process.pid}`;
  const child = fork(workerFile, [JSON.stringify({ system, store, concurrency: share, owner })], { stdio: ['ignore', 2, 2, 'ipc'] });
  children.push(child);
  const w = { child, ended: 0, send: (message) => child.send(message) };
  let ready;
  let started;
  let stopped;
  const readyP = new Promise((resolve) => (ready = resolve));
  w.started = new Promise((resolve) => (started = resolve));
  w.stopped = new Promise((resolve) => (stopped = resolve));
  let result;
  child.on('message', (message) => {
    if (message.type === 'ready') ready();
    else if (message.type === 'started') started();
    else if (message.type === 'ended') w.ended = message.count;
    else if (message.type === 'stopped') stopped((result = message));
  });
  child.on('exit', (code, signal) => {
    if (result === undefined) void fail(new Error(`W6 worker ${k} (${system}) exited (${code ?? signal}) before it was stopped`));
  });
  return readyP.then(() => w);
}

/** Stops every worker and returns what each ran; a worker that does not stop within 30 s is killed. */
async function stopAll(workers) {
  for (const w of workers) w.send({ type: 'stop' });
  const kill = setTimeout(() => workers.forEach((w) => w.child.kill('SIGKILL')), 30_000);
  try {
    return await Promise.all(workers.map((w) => w.stopped));
  } finally {
    clearTimeout(kill);
  }
}

/** Polls `check` every `interval` ms until it holds (true) or `limit` ms pass (false). */
async function until(check, limit, interval = 1) {
  const end = performance.now() + limit;
  while (!(await check())) {
    if (performance.now() > end) return false;
    await sleep(interval);
  }
  return true;
}

/** lost: params 0..count-1 never run; duplicates: runs beyond the first of a param. */
function tally(ran, count) {
  const seen = new Uint8Array(count);
  let duplicates = 0;
  for (const i of ran) if (seen[i]++ > 0) duplicates++;
  return { ended: ran.length - duplicates, lost: seen.filter((s) => s === 0).length, duplicates };
}

/** `total` split into `parts` integers as even as can be. */
function split(total, parts) {
  return Array.from({ length: parts }, (_, k) => Math.floor(total / parts) + (k < total % parts ? 1 : 0));
}

function sum(values) {
  return values.reduce((a, b) => a + b, 0);
}
