import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { HeapRepository, Scheduler, WorkerPoolDispatcher, WorkRegistry } from '../src/index.js';
import type { Logger, TaskRepository } from '../src/index.js';
import { FakeClock } from '../src/testing/index.js';
import { codeOf, T0 } from './helpers.js';
import { track } from './setup/leak-guard.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function runFixture(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  if (!existsSync(join(root, 'dist', 'index.js'))) throw new Error('dist/index.js is missing: run `npm run build` first (npm test does)');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'test/fixtures/logger-default.mjs')], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A logger that keeps every entry. */
function memoryLogger(): Logger & { entries: Array<{ level: string; obj: Record<string, unknown>; msg: string | undefined }> } {
  const entries: Array<{ level: string; obj: Record<string, unknown>; msg: string | undefined }> = [];
  const at = (level: string) => (obj: object, msg?: string) => void entries.push({ level, obj: obj as Record<string, unknown>, msg });
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A heap repository whose claims fail with one and the same error while `down` is true. */
function flakyStore(): { repository: TaskRepository; setDown: (down: boolean) => void } {
  const heap = new HeapRepository();
  let down = true;
  const repository = new Proxy(heap, {
    get(target, key) {
      if (key === 'claimDue' && down) return () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { repository, setDown: (value) => void (down = value) };
}

describe('logging', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('by default writes start, stop and loop errors to stderr, one line each', async () => {
    const { code, stdout, stderr } = await runFixture({});
    expect(code).toBe(0);
    expect(stdout).toBe('done\n');
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO kokugen: scheduler started owner=fixture$/);
    expect(lines[1]).toMatch(/^\S+Z WARN kokugen: loop error in hook: .* phase=hook err=".*\[ERR_HOOK_FAILED\].*"$/);
    expect(lines[2]).toMatch(/^\S+Z INFO kokugen: scheduler stopped owner=fixture$/);
  });

  it('logger: false writes nothing', async () => {
    const { code, stdout, stderr } = await runFixture({ LOGGER: 'false' });
    expect(code).toBe(0);
    expect(stdout).toBe('done\n');
    expect(stderr).toBe('');
  });

  it('rate-limits identical loop errors: one line per minute, then the count left out', async () => {
    const clock = new FakeClock(T0);
    const logger = memoryLogger();
    const { repository, setDown } = flakyStore();
    const works = new WorkRegistry().register('x', () => null);
    const scheduler = track(new Scheduler({ repository, dispatcher: new WorkerPoolDispatcher({ works }), clock, logger, retryDelay: 1_000 }));
    await scheduler.schedule({ workId: 'x', delay: 0 });
    let errors = 0;
    scheduler.on('loop:error', () => void errors++);
    await scheduler.start();
    for (let i = 0; i < 59; i++) await clock.advance(1_000);
    const warnings = () => logger.entries.filter((entry) => entry.level === 'warn');
    expect(errors).toBeGreaterThan(30);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]?.obj).toMatchObject({ phase: 'claim' });
    expect(warnings()[0]?.obj['repeated']).toBeUndefined();
    const before = errors;
    for (let i = 0; i < 5 && warnings().length < 2; i++) await clock.advance(1_000);
    expect(warnings()).toHaveLength(2);
    // Every error in between was counted, none logged: the second line carries their number.
    const repeated = warnings()[1]?.obj['repeated'] as number;
    expect(repeated).toBeGreaterThanOrEqual(before - 1);
    expect(repeated).toBeLessThanOrEqual(errors - 2);
    setDown(false);
    await scheduler.stop();
    expect(logger.entries.map((entry) => entry.msg)).toContain('scheduler stopped');
  });

  it('hands entries to a real pino logger (read back from its file)', async () => {
    dir = mkdtempSync(join(tmpdir(), 'kokugen-log-'));
    const file = join(dir, 'log.ndjson');
    const destination = pino.destination({ dest: file, sync: true });
    const logger = pino({ level: 'debug' }, destination);
    const works = new WorkRegistry();
    const scheduler = track(new Scheduler({ repository: new HeapRepository(), dispatcher: new WorkerPoolDispatcher({ works }), clock: new FakeClock(T0), logger, owner: 'p1', hooks: { onStop: () => Promise.reject(new Error('stop hook')) } }));
    await scheduler.start();
    await scheduler.stop();
    destination.flushSync();
    const entries = readFileSync(file, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.map((entry) => [entry['level'], entry['msg']])).toEqual([
      [30, 'scheduler started'],
      [30, 'scheduler stopped'],
      [40, 'loop error in hook: hook onStop threw: stop hook'],
    ]);
    expect(entries[0]).toMatchObject({ owner: 'p1' });
    expect(entries[2]).toMatchObject({ phase: 'hook', err: { type: 'HookFailedError', code: 'ERR_HOOK_FAILED' } });
  });

  it('refuses a logger without the four methods, and survives one that throws', async () => {
    const options = { repository: new HeapRepository(), dispatcher: new WorkerPoolDispatcher({ works: new WorkRegistry() }), clock: new FakeClock(T0) };
    for (const logger of [true, null, {}, { info: () => undefined }]) {
      expect(await codeOf(() => new Scheduler({ ...options, logger: logger as never }))).toBe('ERR_INVALID_ARGUMENT');
    }
    const throwing = (): never => {
      throw new Error('logger down');
    };
    const scheduler = track(new Scheduler({ ...options, logger: { debug: throwing, info: throwing, warn: throwing, error: throwing } }));
    await scheduler.start();
    await scheduler.stop();
    expect(scheduler.state).toBe('stopped');
  });
});
