/**
 * Wake-ups between repositories on one store (two DataSources: two connections, as two processes
 * have). PostgreSQL: a write that makes a task due sooner sends one NOTIFY in its own transaction,
 * and a watched repository's timer follows it without waiting for its poll (pollInterval is an hour
 * here, so nothing else could wake it). SQLite: `PRAGMA data_version` at `watchInterval` on the
 * FakeClock. Real child processes are in wake-processes.test.ts.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/index.js';
import type { Series } from '../../src/index.js';
import { tableSql } from '../../src/repository/typeorm/entities.js';
import { dueChannel } from '../../src/repository/typeorm/pg-notifier.js';
import { tasksTable } from '../../src/repository/typeorm/task-entity.js';
import { FakeClock, newTask } from '../../src/testing/index.js';
import { TypeOrmRepository } from '../../src/typeorm.js';
import { codeOf, T0 } from '../helpers.js';
import { startOwnServer } from '../setup/postgres.js';
import { createStore, describePostgres, openOn } from './stores.js';
import type { StoreKind } from './stores.js';

const hour = 3_600_000;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Two repositories on one new store; `a` is watched on a FakeClock at T0, and `due` resolves at its next onDue. */
async function pair(kind: StoreKind): Promise<{ a: TypeOrmRepository; b: TypeOrmRepository; clock: FakeClock; location: string; due: () => Promise<number> }> {
  const { location, drop } = await createStore(kind);
  cleanups.push(drop);
  const a = await openOn(kind, location, { pollInterval: hour, watchInterval: 50 });
  cleanups.push(() => a.close());
  const b = await openOn(kind, location, { pollInterval: hour });
  cleanups.push(() => b.close());
  const clock = new FakeClock(T0);
  let onDue: ((at: number) => void) | undefined;
  const unwatch = a.watch({ clock, keepAlive: false, onDue: () => onDue?.(clock.now()) });
  cleanups.push(unwatch);
  await a.listening();
  return { a, b, clock, location, due: () => new Promise((resolve) => (onDue = resolve)) };
}

describePostgres('PostgreSQL wake-ups (LISTEN/NOTIFY)', () => {
  /** A plain pg client listening on the store's channel; `next()` sends a marker from its own session and returns what arrived before it. */
  async function listener(repository: TypeOrmRepository, location: string): Promise<{ next: () => Promise<string[]> }> {
    const channel = dueChannel(tableSql(repository.dataSource, tasksTable));
    const client = new pg.Client({ connectionString: location });
    await client.connect();
    cleanups.push(() => client.end());
    const heard: string[] = [];
    let marker: (() => void) | undefined;
    client.on('notification', ({ payload = '' }) => {
      if (payload === 'marker') marker?.();
      else heard.push(payload.split('/')[0] ?? ''); // the time, without the sender's tag
    });
    await client.query(`LISTEN "${channel}"`);
    return {
      // Notifications arrive in commit order: once the marker is heard, every earlier commit's is too.
      next: async () => {
        const arrived = new Promise<void>((resolve) => (marker = resolve));
        await client.query('SELECT pg_notify($1, $2)', [channel, 'marker']);
        await arrived;
        return heard.splice(0);
      },
    };
  }

  it('sends one NOTIFY per write that makes a task due sooner, with the earliest time, and none for a rollback or a cancel', async () => {
    const { location, drop } = await createStore('postgres');
    cleanups.push(drop);
    const repo = await openOn('postgres', location);
    cleanups.push(() => repo.close());
    const { next } = await listener(repo, location);
    const series: Series = { id: 's', workId: 'work', param: null, schedule: { kind: 'every', ms: 100, anchor: 0 }, misfire: 'once', grace: 1_000, priority: 0, meta: {}, retry: null, timeout: null, enabled: true, error: null, createdAt: 0 };

    await repo.add([newTask({ id: 'a', scheduledAt: 500 }), newTask({ id: 'b', scheduledAt: 300 }), newTask({ id: 'c', scheduledAt: 900 })]);
    expect(await next()).toEqual(['300']); // one for the batch
    expect(await codeOf(repo.add([newTask({ id: 'd', scheduledAt: 1 }), newTask({ id: 'a', scheduledAt: 1 })]))).toBe('ERR_DUPLICATE_ID');
    expect(await next()).toEqual([]); // rolled back: nothing sent
    await repo.update('c', { scheduledAt: 200 });
    expect(await next()).toEqual(['200']);
    await repo.cancel('a', 10);
    expect(await next()).toEqual([]);
    expect((await repo.claimDue(300, 2, 'me')).map((t) => t.id).sort()).toEqual(['b', 'c']);
    await repo.complete('b', { state: 'scheduled', scheduledAt: 700, error: { name: 'Error', message: 'again', attempt: 1, at: 300 } }, 300);
    expect(await next()).toEqual(['700']); // a retry
    await repo.complete('c', { state: 'done', result: null }, 301);
    expect(await next()).toEqual([]); // an ending makes nothing due
    await repo.retry('a', 800, 302);
    expect(await next()).toEqual(['800']);
    await repo.addSeries(series, newTask({ id: 's-1', seriesId: 's', scheduledAt: 100 }));
    expect(await next()).toEqual(['100']);
    await repo.claimDue(100, 1, 'me');
    await repo.complete('s-1', { state: 'done', result: null }, 100, newTask({ id: 's-2', seriesId: 's', scheduledAt: 200 }));
    expect(await next()).toEqual(['200']); // the next occurrence
  });

  it('wakes a watcher on another connection at once, and its timer follows the time that came', async () => {
    const { b, clock, due } = await pair('postgres');
    const woken = due();
    await b.add([newTask({ id: 'now', scheduledAt: T0 })]);
    expect(await woken).toBe(T0);
    // A task later than what the timer follows changes nothing; one sooner moves it.
    const later = due();
    await b.add([newTask({ id: 'later', scheduledAt: T0 + 5_000 })]);
    await b.add([newTask({ id: 'sooner', scheduledAt: T0 + 1_000 })]);
    await b.claimDue(T0, 1, 'b'); // 'now' is gone; the timer was armed by the notifications alone
    await clock.advance(999);
    await clock.advance(1);
    expect(await later).toBe(T0 + 1_000);
  });
});

describePostgres('PostgreSQL wake-ups across a server restart', () => {
  it('reconnects its listening connection on the Clock, re-reads once, and is woken again, with no unhandled rejection', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => void rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    cleanups.push(() => void process.off('unhandledRejection', onRejection));
    const server = await startOwnServer();
    cleanups.push(server.stop);
    const a = await TypeOrmRepository.open({ type: 'postgres', url: server.url, pollInterval: hour });
    cleanups.push(() => a.close());
    const b = await TypeOrmRepository.open({ type: 'postgres', url: server.url, pollInterval: hour });
    cleanups.push(() => b.close());
    const clock = new FakeClock(T0);
    let onDue: (() => void) | undefined;
    cleanups.push(a.watch({ clock, keepAlive: false, onDue: () => onDue?.() }));
    await a.listening();

    await server.restart();
    // Written while the listener was away: its notification is lost; the re-read after reconnecting finds it.
    await b.add([newTask({ id: 'while-away', scheduledAt: T0 + 10 })]).catch(() => b.add([newTask({ id: 'while-away', scheduledAt: T0 + 10 })]));
    let up = false;
    void a.listening().then(() => (up = true));
    // Reconnection attempts wait on the FakeClock, with growing delays: move it until one succeeds.
    while (!up) await clock.advance(1_000);
    const away = new Promise<void>((resolve) => (onDue = resolve));
    await clock.set(Math.max(clock.now(), T0 + 10));
    await away;

    const woken = new Promise<void>((resolve) => (onDue = resolve));
    await b.add([newTask({ id: 'after', scheduledAt: clock.now() })]);
    await woken;
    expect(rejections).toEqual([]);
  });
});

describe('SQLite wake-ups (PRAGMA data_version)', () => {
  it('notices a commit of another connection at the next watchInterval, and re-reads only then', async () => {
    const { b, clock, due } = await pair('sqlite');
    const woken = due();
    await b.add([newTask({ id: 'now', scheduledAt: T0 })]);
    await clock.advance(49);
    await clock.advance(1); // the change watch reads data_version now, sees the commit, and re-reads the time
    expect(await woken).toBe(T0 + 50);
  });

  it('refuses a bad watchEndings call with ERR_INVALID_ARGUMENT', async () => {
    const { a } = await pair('sqlite');
    const clock = new FakeClock(T0);
    for (const [ids, watcher] of [
      ['one', { clock, onEnded: () => undefined }],
      [[1], { clock, onEnded: () => undefined }],
      [['one'], { clock }],
      [['one'], undefined],
    ] as const) {
      expect(() => a.watchEndings(ids as never, watcher as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    }
  });

  it("a producer's wait() on a closed repository rejects with ERR_NOT_RUNNING, every time", async () => {
    const { a } = await pair('sqlite');
    const producer = new Scheduler({ repository: a, clock: new FakeClock(T0), logger: false });
    await producer.schedule({ id: 'x', workId: 'elsewhere', delay: 10 });
    await a.close();
    expect(await codeOf(producer.wait('x'))).toBe('ERR_NOT_RUNNING');
    expect(await codeOf(producer.wait('x'))).toBe('ERR_NOT_RUNNING');
  });
});
