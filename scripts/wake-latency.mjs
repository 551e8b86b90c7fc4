// Cross-process pickup latency: a producer process adds one due-now task every 20 ms (300 tasks);
// a worker process runs them; latency = the work's start - the add, both by Date.now() (one machine).
// Usage: npm run build && node scripts/wake-latency.mjs <postgres-url | sqlite-file> [pollInterval]
// Not part of `npm test`; the official figures are bench W6's.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/', import.meta.url);
const { Scheduler, WorkerPoolDispatcher, WorkRegistry, SystemClock } = await import(new URL('index.js', dist).href);
const { TypeOrmRepository } = await import(new URL('typeorm.js', dist).href);

const [role, target, poll = '1000'] = process.argv.slice(2);
const openOptions = (location) =>
  location.startsWith('postgres') ? { type: 'postgres', url: location, pollInterval: Number(poll) } : { type: 'sqlite', database: location, pollInterval: Number(poll) };
const count = 300;

if (role === 'worker') {
  const repository = await TypeOrmRepository.open(openOptions(target));
  const starts = [];
  // When the wake-ups arrive in this process, heard on a connection of its own on the same channel.
  const heard = [];
  if (target.startsWith('postgres')) {
    const { dueChannel } = await import(new URL('repository/typeorm/pg-notifier.js', dist).href);
    const { tableSql } = await import(new URL('repository/typeorm/entities.js', dist).href);
    const { tasksTable } = await import(new URL('repository/typeorm/task-entity.js', dist).href);
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: target });
    await client.connect();
    client.on('notification', () => heard.push(Date.now()));
    await client.query(`LISTEN "${dueChannel(tableSql(repository.dataSource, tasksTable))}"`);
  }
  const works = new WorkRegistry().register('ping', async (param) => {
    starts.push([param.i, Date.now()]);
    if (starts.length === count) process.send({ starts, heard });
  });
  const scheduler = new Scheduler({ repository, dispatcher: new WorkerPoolDispatcher({ works, concurrency: 8 }), clock: new SystemClock(), logger: false });
  await scheduler.start();
  await repository.listening();
  process.send({ ready: true });
  process.on('message', async () => {
    await scheduler.stop();
    await repository.close();
    process.exit(0);
  });
} else if (role === 'producer') {
  const repository = await TypeOrmRepository.open(openOptions(target));
  const scheduler = new Scheduler({ repository, clock: new SystemClock(), logger: false });
  const adds = [];
  for (let i = 0; i < count; i++) {
    const before = Date.now();
    await scheduler.schedule({ workId: 'ping', delay: 0, param: { i } });
    adds.push([before, Date.now()]);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  process.send({ adds });
  await repository.close();
  process.exit(0);
} else {
  const location = role;
  const self = fileURLToPath(import.meta.url);
  const setup = await TypeOrmRepository.open(openOptions(location));
  if (location.startsWith('postgres')) await setup.dataSource.query('TRUNCATE kokugen_tasks, kokugen_series');
  await setup.close();
  const worker = fork(self, ['worker', location, target ?? poll]);
  await new Promise((resolve) => worker.on('message', (m) => m.ready && resolve()));
  let heard = [];
  const done = new Promise((resolve) => worker.on('message', (m) => m.starts && ((heard = m.heard), resolve(m.starts))));
  const producer = fork(self, ['producer', location, target ?? poll]);
  const added = new Promise((resolve) => producer.on('message', (m) => m.adds && resolve(m.adds)));
  const [starts, adds] = await Promise.all([done, added]);
  const figures = (values) => {
    const sorted = values.sort((a, b) => a - b);
    const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) };
  };
  const store = location.startsWith('postgres') ? 'postgres' : 'sqlite';
  console.log(JSON.stringify({ store, tasks: starts.length, 'start - add': figures(starts.map(([i, t]) => t - adds[i][0])), 'start - add resolved': figures(starts.map(([i, t]) => t - adds[i][1])), 'add duration': figures(adds.map(([a, b]) => b - a)),
    // In add order, one NOTIFY per add: when it reached the worker's process, and how long the start took after it.
    ...(heard.length === count ? { 'heard - add': figures(heard.map((t, i) => t - adds[i][0])), 'start - heard': figures(starts.map(([i, t]) => t - heard[i])) } : {}),
  }));
  worker.send('stop');
}
