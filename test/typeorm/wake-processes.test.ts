/**
 * Producer-only processes and wake-ups across real processes. A child process (test/fixtures/
 * wake-worker.mjs, on the built dist/) runs the works with a poll of an hour; this process is a
 * producer-only Scheduler (no dispatcher, never started, no works) on the same store. A task it
 * adds runs at once only if the worker is woken (NOTIFY, or data_version), and its `wait()`
 * resolves only if it hears of an ending another process wrote. Nothing here measures time.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler, SystemClock, TaskState } from '../../src/index.js';
import { createStore, describePostgres, openOn } from './stores.js';
import type { StoreKind } from './stores.js';

const fixture = join(fileURLToPath(new URL('../..', import.meta.url)), 'test', 'fixtures', 'wake-worker.mjs');
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts the worker and resolves once it prints `ready` (it listens); ending it closes its stdin. */
async function startWorker(kind: StoreKind, location: string): Promise<void> {
  const child = spawn(process.execPath, [fixture], { env: { ...process.env, KIND: kind, LOCATION: location }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  cleanups.push(async () => {
    child.stdin.end();
    expect(await exited, stderr).toBe(0);
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    void exited.then((code) => reject(new Error(`the worker exited (${code}): ${stderr}`)));
  });
}

function producerOnly(kind: StoreKind): void {
  it('schedules, updates, cancels, reads and waits without start() or works; wait() resolves when the other process ends the task', async () => {
    const { location, drop } = await createStore(kind);
    cleanups.push(drop);
    const repository = await openOn(kind, location);
    cleanups.push(() => repository.close());
    await startWorker(kind, location);
    const producer = new Scheduler({ repository, clock: new SystemClock(), logger: false });

    const one = await producer.schedule({ id: 'one', workId: 'echo', delay: 0, param: 1 });
    expect((await producer.wait(one.id)).result).toBe(1);
    const batch = await producer.scheduleMany([1, 2, 3].map((n) => ({ id: `many-${n}`, workId: 'echo', delay: 0, param: n })));
    const ended = await Promise.all(batch.map((task) => producer.wait(task.id)));
    expect(ended.map((task) => [task.id, task.state, task.result])).toEqual([1, 2, 3].map((n) => [`many-${n}`, TaskState.Done, n]));

    // A task an hour ahead, then made due now by update(): the worker is woken by that write.
    await producer.schedule({ id: 'moved', workId: 'echo', delay: 3_600_000, param: 'moved' });
    const moved = producer.wait('moved');
    await producer.update('moved', { at: Date.now() });
    expect((await moved).result).toBe('moved');

    await producer.schedule({ id: 'dropped', workId: 'echo', delay: 3_600_000 });
    const dropped = producer.wait('dropped');
    expect(await producer.cancel('dropped')).toBe(true);
    expect((await dropped).state).toBe(TaskState.Cancelled);
    expect((await producer.get('one')).state).toBe(TaskState.Done);
    expect((await producer.find({ state: TaskState.Done })).map((t) => t.id).sort()).toEqual(['many-1', 'many-2', 'many-3', 'moved', 'one']);
  });
}

describePostgres('a producer-only process and a worker process on PostgreSQL', () => producerOnly('postgres'));
describe('a producer-only process and a worker process on SQLite', () => producerOnly('sqlite'));
