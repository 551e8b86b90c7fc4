import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Series, Task } from '../../src/index.js';
import type { NewTask } from '../../src/task/task.js';
import { createStore, openOn } from '../typeorm/stores.js';
import type { StoreKind } from '../typeorm/stores.js';
import { kokugen, kokugenJson } from './run-cli.js';

/**
 * Every command, run as a child process on a real store: an SQLite file (cli-store-sqlite.test.ts)
 * and a PostgreSQL database of the test server (cli-store-postgres.test.ts) — two files, so that
 * vitest runs them in parallel. Data that must look old (tasks that ended in 2020) is written
 * through the repository with explicit times, so nothing here depends on the wall clock.
 */
const jan2020 = Date.UTC(2020, 0, 1);
/** Each command is a new Node process that loads TypeORM: seconds apiece on a busy machine. */
export const slow = { timeout: 60_000 };

function newTask(id: string, workId: string, scheduledAt: number): NewTask {
  return { id, workId, param: { n: id }, scheduledAt, priority: 0, meta: {}, createdAt: scheduledAt, seriesId: null, retry: null, timeout: null, deadline: null };
}

export function storeSuite(kind: StoreKind): void {
  let db = '';
  let drop: () => Promise<void> = () => Promise.resolve();
  const cli = (...args: string[]) => kokugen(['--db', db, ...args]);
  const json = <T>(...args: string[]) => kokugenJson<T>(['--db', db, ...args]);

  beforeAll(async () => {
    ({ location: db, drop } = await createStore(kind, true));
  });
  afterAll(() => drop());

  it('migrate creates the tables, and says where', slow, async () => {
    const result = await cli('migrate');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^migrated /);
    expect(await json<unknown[]>('ls')).toEqual([]);
  });

  it('add schedules a task that ls and show then report', slow, async () => {
    const added = await json<Task>('add', 'send-mail', '--param', '{"to":"ada@example.com"}', '--at', '2030-01-02T03:04:05Z', '--id', 'mail-1', '--priority', '5');
    expect(added).toMatchObject({ id: 'mail-1', workId: 'send-mail', state: 'scheduled', param: { to: 'ada@example.com' }, scheduledAt: Date.UTC(2030, 0, 2, 3, 4, 5), priority: 5 });
    const later = await json<Task>('add', 'resize', '--delay', '90m');
    expect(later.scheduledAt - later.createdAt).toBe(90 * 60_000);

    const table = await cli('ls');
    expect(table.status).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+WORK\s+STATE\s+SCHEDULED AT/);
    expect(table.stdout).toContain('mail-1');
    expect(table.stdout).toContain('2030-01-02T03:04:05.000Z');

    expect((await json<Task[]>('ls', '--work', 'send-mail')).map((t) => t.id)).toEqual(['mail-1']);
    expect((await json<Task[]>('ls', '--state', 'scheduled', '--limit', '1')).map((t) => t.id)).toEqual([later.id]);

    const shown = await cli('show', 'mail-1');
    expect(shown.status).toBe(0);
    expect(shown.stdout).toMatch(/^param\s+\{"to":"ada@example.com"\}$/m);
    expect(shown.stdout).toMatch(/^scheduled at\s+2030-01-02T03:04:05.000Z$/m);
  });

  it('a refused add changes nothing in an existing store', slow, async () => {
    const before = await json<Task[]>('ls');
    const result = await cli('add', 'send-mail', '--param', '{oops', '--delay', '0');
    expect(result.code).toBe('ERR_INVALID_ARGUMENT');
    expect(await json<Task[]>('ls')).toEqual(before);
  });

  it('show and cancel of an unknown id fail with ERR_TASK_NOT_FOUND', slow, async () => {
    for (const command of ['show', 'cancel']) {
      const result = await cli(command, 'no-such-task');
      expect(result.status).toBe(1);
      expect(result.code).toBe('ERR_TASK_NOT_FOUND');
      expect(result.stdout).toBe('');
    }
  });

  it('cancel ends a scheduled task; a second cancel leaves it as it is; retry schedules it again', slow, async () => {
    expect(await json('cancel', 'mail-1')).toEqual({ id: 'mail-1', cancelled: true, state: 'cancelled' });
    expect(await json('cancel', 'mail-1')).toEqual({ id: 'mail-1', cancelled: false, state: 'cancelled' });
    const retried = await json<Task>('retry', 'mail-1', '--at', '2031-06-01T00:00:00+02:00');
    expect(retried).toMatchObject({ id: 'mail-1', state: 'scheduled', scheduledAt: Date.UTC(2031, 4, 31, 22) });
  });

  it('retry runs a failed task again; retrying a scheduled one is refused', slow, async () => {
    const repository = await openOn(kind, db);
    try {
      await repository.add([newTask('flaky-1', 'flaky', jan2020)]);
      await repository.claimDue(jan2020, 1, 'test');
      await repository.complete('flaky-1', { state: 'failed', error: { name: 'Error', message: 'upstream 503', attempt: 1, at: jan2020 } }, jan2020);
    } finally {
      await repository.close();
    }
    const failed = await cli('show', 'flaky-1');
    expect(failed.stdout).toMatch(/^error\s+Error: upstream 503$/m);
    expect(await json<Task>('retry', 'flaky-1')).toMatchObject({ state: 'scheduled', attempt: 1 });
    const again = await cli('retry', 'flaky-1');
    expect(again.status).toBe(1);
    expect(again.code).toMatch(/^ERR_/);
  });

  it('series: add --cron, then series ls shows it', slow, async () => {
    const first = await json<Task>('add', 'report', '--cron', '0 9 * * 1', '--tz', 'Europe/Berlin', '--id', 'weekly', '--param', '{"kind":"weekly"}');
    expect(first).toMatchObject({ seriesId: 'weekly', state: 'scheduled' });
    const listed = await cli('series', 'ls');
    expect(listed.stdout).toMatch(/^weekly\s+report\s+yes\s+\S+Z\s+once\s+cron 0 9 \* \* 1 \(Europe\/Berlin\)$/m);
  });

  it('series disable cancels the occurrence; enable schedules one again', slow, async () => {
    const [first] = await json<Task[]>('ls', '--series', 'weekly', '--state', 'scheduled');
    expect(await json('series', 'disable', 'weekly')).toEqual({ id: 'weekly', enabled: false });
    expect((await json<Task>('show', first?.id ?? '')).state).toBe('cancelled');
    expect(await json<Array<Series & { nextAt: number | null }>>('series', 'ls')).toMatchObject([{ id: 'weekly', enabled: false, nextAt: null }]);

    await json('series', 'enable', 'weekly');
    const [enabled] = await json<Array<Series & { nextAt: number | null }>>('series', 'ls');
    expect(enabled).toMatchObject({ id: 'weekly', enabled: true });
    expect(enabled?.nextAt).toBeTypeOf('number');
  });

  it('series remove deletes the series and its occurrences, never a task', slow, async () => {

    // `series remove` never removes a task that happens to have the id.
    const notSeries = await cli('series', 'remove', 'mail-1');
    expect(notSeries.code).toBe('ERR_SERIES_NOT_FOUND');
    expect((await json<Task>('show', 'mail-1')).state).toBe('scheduled');

    await json('series', 'remove', 'weekly');
    expect(await json('series', 'ls')).toEqual([]);
    expect(await json('ls', '--series', 'weekly')).toEqual([]);
    expect((await cli('series', 'disable', 'weekly')).code).toBe('ERR_SERIES_NOT_FOUND');
  });

  it('stats counts tasks by state and by work', slow, async () => {
    const tasks = await json<Task[]>('ls', '--limit', '10000');
    const stats = await json<{ byState: Record<string, number>; byWork: Record<string, Record<string, number>> }>('stats');
    const scheduled = tasks.filter((t) => t.state === 'scheduled').length;
    expect(stats.byState['scheduled']).toBe(scheduled);
    expect(Object.values(stats.byState).reduce((a, b) => a + b, 0)).toBe(tasks.length);
    expect(stats.byWork['send-mail']).toMatchObject({ scheduled: 1 });
    const human = await cli('stats');
    expect(human.stdout).toMatch(/^scheduled\s+\d+$/m);
    expect(human.stdout).toMatch(/^oldest due\s+\S+/m);
  });

  it('purge deletes old ended tasks in bounded batches, showing progress, and keeps recent ones', slow, async () => {
    const repository = await openOn(kind, db);
    const old = Array.from({ length: 25 }, (_, i) => newTask(`old-${i}`, 'cleanup', jan2020));
    const recent = newTask('recent-1', 'cleanup', jan2020);
    try {
      await repository.add([...old, recent]);
      for (const task of old) await repository.cancel(task.id, jan2020 + 1);
      // Ended "in the future": never older than any cutoff the CLI computes from its clock.
      await repository.cancel(recent.id, Date.UTC(2100, 0, 1));
    } finally {
      await repository.close();
    }
    const result = await cli('purge', '--state', 'cancelled', '--older-than', '30d', '--batch', '10');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual(['purged 10 cancelled tasks so far...', 'purged 20 cancelled tasks so far...']);
    expect(result.stdout).toMatch(/^purged 25 cancelled tasks that ended before \S+Z$/m);
    const left = await json<Task[]>('ls', '--state', 'cancelled', '--work', 'cleanup');
    expect(left.map((t) => t.id)).toEqual(['recent-1']);
    expect(await json('purge', '--state', 'cancelled', '--older-than', '30d')).toMatchObject({ purged: 0, state: 'cancelled' });
  });
}

