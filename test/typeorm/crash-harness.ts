/**
 * The kill -9 harness (used by crash-sqlite.test.ts and crash-postgres.test.ts, which run in
 * parallel): real child processes (test/fixtures/crash-worker.mjs, on the built dist/) run a
 * scheduler over one store while this test SIGKILLs them at random moments and restarts them.
 * The assertions are about outcomes, never about timing: every task ended exactly once in the
 * store, none was lost, and only tasks flagged `recovered` ran more than once.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { Scheduler, TaskState, WorkerPoolDispatcher, WorkRegistry } from '../../src/index.js';
import type { Task } from '../../src/index.js';
import { childExecArgv } from '../compat/line.js';
import { createStore, openOn, tempDir } from './stores.js';
import type { StoreKind } from './stores.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = join(root, 'test', 'fixtures', 'crash-worker.mjs');
const taskCount = 2_000;
const spreadMs = 3_000;
const kills = 10;

interface Worker {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
  /** Resolves when a line starting with `prefix` was printed (or the process exited). */
  readonly printed: (prefix: string) => Promise<void>;
  stderr: string;
}

function startWorker(kind: StoreKind, location: string, owner: string, log: string, exitWhenDone = false): Worker {
  const env = { ...process.env, KIND: kind, LOCATION: location, OWNER: owner, LOG: log, EXIT_WHEN_DONE: exitWhenDone ? '1' : '0' };
  const child = spawn(process.execPath, [...childExecArgv, fixture], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  const worker: Worker = {
    child,
    lines,
    stderr: '',
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    printed: (prefix) =>
      new Promise((resolve) => {
        const check = (): boolean => lines.some((line) => line.startsWith(prefix)) || child.exitCode !== null || child.signalCode !== null;
        if (check()) resolve();
        else waiters.push(() => check() && resolve());
      }),
  };
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts);
    for (const waiter of waiters) waiter();
  });
  child.stderr?.on('data', (chunk: Buffer) => void (worker.stderr += chunk.toString()));
  child.once('exit', () => {
    for (const waiter of waiters) waiter();
  });
  return worker;
}

async function kill(worker: Worker): Promise<void> {
  if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
  await worker.exited;
}

const random = (max: number): number => Math.floor(Math.random() * max);

/** What a crash run stores and what it checks beyond "every task ended done, ran, re-ran only if recovered". */
export interface Scenario {
  readonly name: string;
  readonly taskCount: number;
  /** Stores the tasks through a Scheduler that is not started (work id 'append'). */
  readonly seed: (scheduler: Scheduler) => Promise<void>;
  /** Checks the stored tasks against the log, in the order the works appended to it. */
  readonly check?: (tasks: readonly Task[], log: readonly string[]) => void;
}

/** 2 000 independent tasks spread over a few seconds, seeded in one scheduleMany. */
export const plainTasks: Scenario = {
  name: 'tasks',
  taskCount,
  seed: async (scheduler) => {
    const seeded = await scheduler.scheduleMany(Array.from({ length: taskCount }, (_, i) => ({ id: `t${i}`, workId: 'append', delay: Math.floor((i * spreadMs) / taskCount) })));
    expect(seeded).toHaveLength(taskCount);
  },
};

export async function crashRun(kind: StoreKind, owners: readonly string[], scenario: Scenario = plainTasks): Promise<void> {
  if (!existsSync(join(root, 'dist', 'typeorm.js'))) throw new Error('dist/typeorm.js is missing: run `npm run build` first (npm test does)');
  const { dir, remove } = tempDir();
  const { location, drop } = await createStore(kind);
  const log = join(dir, 'ran.log');
  const started = performance.now();
  const spawned: Worker[] = [];
  const start = (owner: string, exitWhenDone = false): Worker => {
    const worker = startWorker(kind, location, owner, log, exitWhenDone);
    spawned.push(worker);
    return worker;
  };
  try {
    // Seed through the Scheduler (not started): scheduleMany is one transaction for all of them.
    const seeding = await openOn(kind, location);
    const scheduler = new Scheduler({ repository: seeding, dispatcher: new WorkerPoolDispatcher({ works: new WorkRegistry().register('append', () => null) }) });
    await scenario.seed(scheduler);
    await seeding.close();

    // Kill phase: workers never stop by themselves; each is SIGKILLed at a random moment, mostly a
    // little after it has recovered and started, sometimes during start-up and recovery, and restarted.
    const workers = new Map(owners.map((owner) => [owner, start(owner)]));
    let killed = 0;
    const killAtRandom = async (worker: Worker): Promise<void> => {
      if (killed % 4 === 3) await sleep(random(400));
      else await worker.printed('started');
      await sleep(random(300));
      expect(worker.child.exitCode, `a worker died by itself:\n${worker.stderr}`).toBeNull();
      await kill(worker);
      killed++;
    };
    while (killed < kills) {
      const owner = owners[killed % owners.length] as string;
      await killAtRandom(workers.get(owner) as Worker);
      workers.set(owner, start(owner));
    }
    for (const worker of workers.values()) await killAtRandom(worker);
    // Then the same owners finish the work and exit.
    for (const owner of owners) workers.set(owner, start(owner, true));
    for (const worker of workers.values()) {
      const code = await worker.exited;
      expect(code, `a worker failed:\n${worker.stderr}`).toBe(0);
      expect(worker.lines).toContain('finished');
    }

    const ran = new Map<string, number>();
    const order = readFileSync(log, 'utf8').split('\n').filter((line) => line !== '');
    for (const id of order) ran.set(id, (ran.get(id) ?? 0) + 1);
    const repository = await openOn(kind, location);
    try {
      const tasks: Task[] = await repository.find({ limit: scenario.taskCount + 1 });
      expect(tasks).toHaveLength(scenario.taskCount);
      expect([...new Set(tasks.map((t) => t.state))], 'every task ended done').toEqual([TaskState.Done]);
      for (const task of tasks) {
        const times = ran.get(task.id) ?? 0;
        expect(task.result, task.id).toBe(task.id);
        expect(times, `${task.id} ran`).toBeGreaterThanOrEqual(1);
        expect(times, `${task.id} ran more often than it was dispatched`).toBeLessThanOrEqual(task.attempt);
        if (times > 1 || task.attempt > 1) expect(task.recovered, `${task.id} re-ran without being recovered`).toBe(true);
      }
      expect([...ran.keys()].every((id) => /^t\d+$/.test(id))).toBe(true);
      scenario.check?.(tasks, order);
      const recovered = tasks.filter((t) => t.recovered).length;
      expect(killed, 'kills').toBeGreaterThanOrEqual(10);
      expect(recovered, 'the kills hit tasks in flight').toBeGreaterThan(0);
      if (kind === 'sqlite') expect(await repository.dataSource.query('PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      const reruns = [...ran.values()].filter((n) => n > 1).length;
      console.log(`${kind} crash run (${scenario.name}): ${scenario.taskCount} tasks, ${owners.length} worker(s), ${killed} kills, ${recovered} recovered, ${reruns} re-run, ${Math.round(performance.now() - started)} ms`);
    } finally {
      await repository.close();
    }
  } finally {
    // A failed assertion must not leave workers running (kill phase ones never stop by themselves).
    await Promise.all(spawned.map(kill));
    await drop();
    remove();
  }
}
