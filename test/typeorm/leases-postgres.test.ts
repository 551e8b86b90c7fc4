/**
 * The lease proofs of issue 10 on a real PostgreSQL with real child processes (the built dist/,
 * the system clock, the database's clock deciding what is due). Assertions are about outcomes and
 * about the database's own timestamps, bounded by the lease; the waits are real because the
 * processes are.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { every, Scheduler, TaskState, WorkerPoolDispatcher, WorkRegistry } from '../../src/index.js';
import type { Task } from '../../src/index.js';
import { dbNow, exitCodes, holdersPerEpoch, killWorker, query, startLeaseWorker } from './lease-harness.js';
import type { LeaseWorker } from './lease-harness.js';
import { createStore, describePostgres, openOn } from './stores.js';

const lease = 1_000;
const spawned: LeaseWorker[] = [];
const drops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(spawned.splice(0).map((worker) => killWorker(worker)));
  for (const drop of drops.splice(0)) await drop();
});

async function store(): Promise<string> {
  const { location, drop } = await createStore('postgres');
  drops.push(drop);
  return location;
}

/** Stores tasks (and series) through a Scheduler that is not started. */
async function seed(url: string, works: readonly string[], fill: (scheduler: Scheduler) => Promise<unknown>): Promise<void> {
  const repository = await openOn('postgres', url);
  const registry = new WorkRegistry();
  for (const workId of works) registry.register(workId, () => null);
  try {
    await fill(new Scheduler({ repository, dispatcher: new WorkerPoolDispatcher({ works: registry }) }));
  } finally {
    await repository.close();
  }
}

function worker(url: string, owner: string, env: Record<string, string> = {}): LeaseWorker {
  const started = startLeaseWorker(url, owner, { LEASE: String(lease), ...env });
  spawned.push(started);
  return started;
}

async function stored(url: string): Promise<Map<string, Task>> {
  const repository = await openOn('postgres', url);
  try {
    return new Map((await repository.find({ limit: 100_000 })).map((task) => [task.id, task]));
  } finally {
    await repository.close();
  }
}

/** Polls the store (real processes, real time) until `done` holds, for at most `ms`. */
async function until(done: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await done())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const count = async (url: string, where: string, params: unknown[] = []): Promise<number> => Number((await query(url, `SELECT count(*) AS n FROM kokugen_tasks WHERE ${where}`, params))[0]?.['n']);

function expectOneHolderPerEpoch(workers: readonly LeaseWorker[]): void {
  for (const [epoch, holders] of holdersPerEpoch(workers)) expect([...holders], `holders of ${epoch}`).toHaveLength(1);
}

describePostgres('leases across processes (real PostgreSQL, real processes)', () => {
  it('a process SIGKILLed for good: its tasks are taken over within lease + 2 s, every task ends, its series goes on', async () => {
    const url = await store();
    await seed(url, ['w'], async (scheduler) => {
      await scheduler.scheduleMany(Array.from({ length: 150 }, (_, i) => ({ id: `t${i}`, workId: 'w', delay: Math.floor(i * 20), param: { ms: 40 } })));
      await scheduler.schedule({ id: 's', workId: 'w', schedule: every(300), param: { ms: 1_500 } });
    });
    const workers = ['pod-7f9c2', 'pod-a41d8', 'pod-c03e1'].map((owner) => worker(url, owner));
    // The victim is whoever runs the series' occurrence first: it dies holding it.
    const victim = await Promise.race(workers.map(async (w) => ((await w.printed((line) => line.startsWith('start ') && line.endsWith(' s'))) === undefined ? undefined : w)));
    expect(victim, 'a process ran the series').toBeDefined();
    if (victim === undefined) return;
    await killWorker(victim);
    const killedAt = await dbNow(url);
    await until(async () => (await count(url, `series_id IS NULL AND state <> 'done'`)) === 0 && (await count(url, `series_id = 's' AND state = 'done' AND scheduled_at > $1`, [killedAt + lease + 2_000])) >= 2, 60_000, 'every task to end and the series to go on');
    const survivors = workers.filter((w) => w !== victim);
    const tasks = await stored(url);
    // What the victim held when it died: the runs whose outcome it had not stored (a run it stored just before dying is its own).
    const held = victim.starts().filter((start) => tasks.get(start.id)?.result !== `${victim.owner}/a${start.attempt}`);
    expect(held.length, 'the victim held tasks when it died').toBeGreaterThan(0);
    for (const start of held) {
      const next = survivors.flatMap((w) => w.starts()).find((s) => s.id === start.id && s.attempt === start.attempt + 1);
      expect(next, `${start.id} taken over`).toBeDefined();
      expect((next?.dbNow ?? Infinity) - killedAt, `${start.id} taken over within lease + 2 s`).toBeLessThanOrEqual(lease + 2_000);
      expect(tasks.get(start.id)).toMatchObject({ state: TaskState.Done, recovered: true });
    }
    expect(held.some((start) => tasks.get(start.id)?.seriesId === 's'), 'the series occurrence was among them').toBe(true);
    expect([...tasks.values()].filter((t) => t.seriesId === null).every((t) => t.state === TaskState.Done)).toBe(true);
    expectOneHolderPerEpoch(workers);
    const takeover = Math.max(...held.map((start) => (survivors.flatMap((w) => w.starts()).find((s) => s.id === start.id && s.attempt === start.attempt + 1)?.dbNow ?? 0) - killedAt));
    console.log(`SIGKILL: ${held.length} held task(s) taken over, the slowest ${takeover} ms after the kill (lease ${lease} ms)`);
  }, 120_000);

  it('a process paused past its lease: its late completion is refused with ERR_LEASE_LOST, once; the re-run outcome stands', async () => {
    const url = await store();
    await seed(url, ['w'], (scheduler) => scheduler.schedule({ id: 'slow', workId: 'w', delay: 0, param: { ms: 1_500 } }));
    const paused = worker(url, 'pod-paused');
    expect(await paused.printed((line) => line.startsWith('start slow 1 '))).toBeDefined();
    paused.child.kill('SIGSTOP');
    try {
      const other = worker(url, 'pod-other');
      expect(await other.printed((line) => line === 'end slow 2 ok')).toBeDefined();
    } finally {
      paused.child.kill('SIGCONT');
    }
    expect(await paused.printed((line) => line.startsWith('error complete ERR_LEASE_LOST slow'))).toBeDefined();
    // Nothing tries again: give it the time of a few retries to show it does not.
    await sleep(600);
    expect(paused.lines.filter((line) => line.startsWith('error ')), 'reported once').toEqual(['error complete ERR_LEASE_LOST slow']);
    expect((await stored(url)).get('slow')).toMatchObject({ state: TaskState.Done, attempt: 2, recovered: true, result: 'pod-other/a2' });
    expectOneHolderPerEpoch([paused]);
  }, 120_000);

  it('claims respect the works each process has: none fails ERR_UNKNOWN_WORK', async () => {
    const url = await store();
    await seed(url, ['x', 'y'], (scheduler) => scheduler.scheduleMany(Array.from({ length: 200 }, (_, i) => ({ id: `${i % 2 === 0 ? 'x' : 'y'}${i}`, workId: i % 2 === 0 ? 'x' : 'y', delay: 0 }))));
    const onlyX = worker(url, 'pod-x', { WORKS: 'x', EXIT_WHEN_DONE: '1' });
    const onlyY = worker(url, 'pod-y', { WORKS: 'y', EXIT_WHEN_DONE: '1' });
    expect(await exitCodes([onlyX, onlyY], url, 90_000), onlyX.stderr + onlyY.stderr).toEqual([0, 0]);
    expect(onlyX.starts().every((s) => s.id.startsWith('x'))).toBe(true);
    expect(onlyY.starts().every((s) => s.id.startsWith('y'))).toBe(true);
    expect([...onlyX.lines, ...onlyY.lines].filter((line) => line.startsWith('error '))).toEqual([]);
    const tasks = [...(await stored(url)).values()];
    expect(tasks.filter((t) => t.state === TaskState.Done && t.attempt === 1)).toHaveLength(200);
  }, 120_000);

  it('a process whose clock is 2 s off starts nothing early by the database time, nor late by its skew', async () => {
    const url = await store();
    const lateness: number[] = [];
    for (const [round, skew] of [2_000, -2_000].entries()) {
      const prefix = skew > 0 ? 'fast' : 'slow';
      // Started first, so that start-up time is not counted as lateness; the tasks come due after its first poll.
      const skewed = worker(url, `pod-${prefix}`, { SKEW_MS: String(skew), EXIT_WHEN_DONE: '1', MIN_DONE: String(20 * (round + 1)) });
      expect(await skewed.printed((line) => line.startsWith('started'))).toBeDefined();
      const at = await dbNow(url);
      await seed(url, ['w'], (scheduler) => scheduler.scheduleMany(Array.from({ length: 20 }, (_, i) => ({ id: `${prefix}${i}`, workId: 'w', at: at + 1_500 + i * 100, param: { ms: 5 } }))));
      expect(await exitCodes([skewed], url, 45_000), skewed.stderr).toEqual([0]);
      const tasks = await stored(url);
      for (const start of skewed.starts()) {
        const scheduledAt = tasks.get(start.id)?.scheduledAt ?? 0;
        expect(start.dbNow, `${start.id} started early by the database's clock`).toBeGreaterThanOrEqual(scheduledAt);
        lateness.push(start.dbNow - scheduledAt);
      }
    }
    lateness.sort((a, b) => a - b);
    console.log(`clock skew ±2 s: 0 early starts of ${lateness.length}; lateness p50 ${lateness[Math.floor(lateness.length / 2)]} ms, max ${lateness.at(-1)} ms`);
    expect(lateness.at(-1), 'late by far less than the skew').toBeLessThan(1_000);
  }, 120_000);

  it('every connection cut mid-run, three times (what a server restart does to clients): every task ends', async () => {
    const url = await store();
    await seed(url, ['w'], (scheduler) => scheduler.scheduleMany(Array.from({ length: 300 }, (_, i) => ({ id: `r${i}`, workId: 'w', delay: i * 10, param: { ms: 20 } }))));
    const workers = ['pod-1', 'pod-2', 'pod-3'].map((owner) => worker(url, owner, { EXIT_WHEN_DONE: '1' }));
    // Cuts while running, not while starting: a start() whose reads fail rejects, by design.
    await Promise.all(workers.map((w) => w.printed((line) => line.startsWith('started '))));
    const database = new URL(url).pathname.slice(1);
    for (let cut = 0; cut < 3; cut++) {
      await sleep(700);
      await query(url, 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
    }
    expect(await exitCodes(workers, url, 90_000), workers.map((w) => w.stderr).join('')).toEqual([0, 0, 0]);
    const tasks = [...(await stored(url)).values()];
    expect(tasks.filter((t) => t.state !== TaskState.Done).map((t) => [t.id, t.state, t.error?.message ?? t.errors.at(-1)?.message])).toEqual([]);
    expect(tasks.filter((t) => t.state === TaskState.Done)).toHaveLength(300);
    expectOneHolderPerEpoch(workers);
  }, 120_000);
});
