/**
 * Child processes for the lease proofs (leases-postgres.test.ts): each runs
 * test/fixtures/lease-worker.mjs on the built dist/ against one PostgreSQL database, on the
 * database's clock, and prints what it starts and how it ends (see the fixture).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = join(root, 'test', 'fixtures', 'lease-worker.mjs');

/** A `start` line: one run of a work. */
export interface Start {
  readonly id: string;
  readonly attempt: number;
  readonly owner: string;
  /** The database's time when the work started. */
  readonly dbNow: number;
}

export interface LeaseWorker {
  readonly owner: string;
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exited: Promise<number | null>;
  /** Resolves when a line matching `test` was printed (or the process exited). */
  readonly printed: (test: (line: string) => boolean) => Promise<string | undefined>;
  readonly starts: () => Start[];
  stderr: string;
}

export function startLeaseWorker(url: string, owner: string, env: Record<string, string> = {}): LeaseWorker {
  if (!existsSync(join(root, 'dist', 'typeorm.js'))) throw new Error('dist/typeorm.js is missing: run `npm run build` first (npm test does)');
  const child = spawn(process.execPath, [fixture], { env: { ...process.env, URL: url, OWNER: owner, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: Array<() => boolean> = [];
  const worker: LeaseWorker = {
    owner,
    child,
    lines,
    stderr: '',
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
    printed: (test) =>
      new Promise((resolve) => {
        const check = (): boolean => {
          const line = lines.find(test);
          if (line !== undefined || child.exitCode !== null || child.signalCode !== null) {
            resolve(line);
            return true;
          }
          return false;
        };
        if (!check()) waiters.push(check);
      }),
    starts: () =>
      lines
        .filter((line) => line.startsWith('start '))
        .map((line) => {
          const [, id, attempt, by, dbNow] = line.split(' ');
          return { id: id as string, attempt: Number(attempt), owner: by as string, dbNow: Number(dbNow) };
        }),
  };
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts);
    for (const waiter of [...waiters]) if (waiter()) waiters.splice(waiters.indexOf(waiter), 1);
  });
  child.stderr?.on('data', (chunk: Buffer) => void (worker.stderr += chunk.toString()));
  child.once('exit', () => {
    for (const waiter of waiters.splice(0)) waiter();
  });
  return worker;
}

export async function killWorker(worker: LeaseWorker, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (worker.child.exitCode === null && worker.child.signalCode === null) {
    worker.child.kill(signal);
  }
  await worker.exited;
}

/** One query on its own connection. */
export async function query(url: string, text: string, params: unknown[] = []): Promise<Array<Record<string, unknown>>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>(text, params)).rows;
  } finally {
    await client.end();
  }
}

export async function dbNow(url: string): Promise<number> {
  const [row] = await query(url, 'SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint AS t');
  return Number(row?.['t']);
}

/** Every (task, attempt) started by one process only: exactly one holder per lease epoch. */
export function holdersPerEpoch(workers: readonly LeaseWorker[]): Map<string, Set<string>> {
  const holders = new Map<string, Set<string>>();
  for (const worker of workers) {
    for (const start of worker.starts()) {
      const key = `${start.id}#${start.attempt}`;
      const set = holders.get(key) ?? new Set<string>();
      set.add(start.owner);
      holders.set(key, set);
    }
  }
  return holders;
}

/**
 * The exit codes of `workers` once all exited; after `ms`, an error that says where they stood
 * (the store's tasks by work, state and owner, and each process's last lines and stderr), so that
 * a run that hangs on a loaded machine tells why instead of only timing out.
 */
export async function exitCodes(workers: readonly LeaseWorker[], url: string, ms: number): Promise<Array<number | null>> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  const codes = await Promise.race([Promise.all(workers.map((worker) => worker.exited)), late]).finally(() => clearTimeout(timer));
  if (codes !== 'late') return codes;
  const tasks = await query(url, `SELECT work_id, state, owner, count(*)::int AS n FROM kokugen_tasks GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`).catch((error: unknown) => String(error));
  const state = workers.map((worker) => `${worker.owner} (exit ${worker.child.exitCode}): ${worker.lines.length} lines, last: ${JSON.stringify(worker.lines.slice(-8))}; stderr: ${JSON.stringify(worker.stderr.slice(-2_000))}`);
  throw new Error(`processes still running after ${ms} ms\ntasks: ${JSON.stringify(tasks)}\n${state.join('\n')}`);
}
