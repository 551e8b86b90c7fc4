/**
 * Restarts on the FakeClock: each "process" is a new DataSource, repository and Scheduler on the
 * same store, with nothing kept in memory between them. Tasks run at their exact times after
 * clean restarts, a series goes on, and a task ten years ahead survives and runs once, on time.
 */
import { describe, expect, it } from 'vitest';
import { every } from '../../src/index.js';
import { kit, T0 } from '../helpers.js';
import type { Kit } from '../helpers.js';
import { createStore, describePostgres, openOn } from './stores.js';
import type { StoreKind } from './stores.js';

const tenYears = 10 * 365 * 86_400_000;

async function restarts(kind: StoreKind): Promise<void> {
  const { location, drop } = await createStore(kind);
  const runs: Array<[string, number]> = [];
  const booted: Array<{ end: () => Promise<void> }> = [];
  /** A new process on the store whose clock reads `at` when it starts. */
  const boot = async (at: number): Promise<Kit & { step: (to: number) => Promise<void>; end: () => Promise<void> }> => {
    const repository = await openOn(kind, location);
    const k = kit({ repository, works: (works, { clock }) => works.register('note', (_param, { task }) => void runs.push([task.seriesId ?? task.id, clock.now()])) });
    await k.clock.set(at);
    await k.scheduler.start();
    let ended: Promise<void> | undefined;
    const end = (): Promise<void> =>
      (ended ??= (async () => {
        await k.scheduler.stop();
        await repository.close();
      })());
    booted.push({ end });
    return {
      ...k,
      step: async (to) => {
        await k.clock.set(to);
        await k.scheduler.idle();
      },
      end,
    };
  };
  try {
    const first = await boot(T0);
    await first.scheduler.scheduleMany([
      { id: 'soon', workId: 'note', delay: 100 },
      { id: 'later', workId: 'note', delay: 5_000 },
      { id: 'decade', workId: 'note', at: T0 + tenYears },
    ]);
    await first.scheduler.schedule({ id: 'minutely', workId: 'note', schedule: every(60_000) });
    await first.step(T0 + 99);
    expect(runs).toEqual([]);
    await first.step(T0 + 100);
    expect(runs).toEqual([['soon', T0 + 100]]);
    await first.end();

    // Down for 900 ms; nothing was due meanwhile.
    const second = await boot(T0 + 1_000);
    await second.step(T0 + 4_999);
    expect(runs).toHaveLength(1);
    await second.step(T0 + 5_000);
    await second.step(T0 + 60_000);
    expect(runs).toEqual([
      ['soon', T0 + 100],
      ['later', T0 + 5_000],
      ['minutely', T0 + 60_000],
    ]);
    await second.end();

    const third = await boot(T0 + 61_000);
    expect((await third.scheduler.find({ seriesId: 'minutely', state: 'scheduled' })).map((t) => t.scheduledAt)).toEqual([T0 + 120_000]);
    expect(await third.scheduler.remove('minutely')).toBe(true);
    await third.end();

    const last = await boot(T0 + tenYears - 1);
    await last.step(T0 + tenYears - 1);
    expect(runs).toHaveLength(3);
    await last.step(T0 + tenYears);
    expect(runs.at(-1)).toEqual(['decade', T0 + tenYears]);
    expect(runs).toHaveLength(4);
    // Removing the series removed its ended occurrences too; the one-off tasks stay, done.
    expect((await last.scheduler.find({ state: 'done' })).map((t) => t.id)).toEqual(['soon', 'later', 'decade']);
    await last.end();
  } finally {
    for (const running of booted) await running.end();
    await drop();
  }
}

describe('restarts on SQLite', () => {
  it('runs tasks on time across clean restarts; series go on; a task ten years ahead runs once, on time', () => restarts('sqlite'));
});

describePostgres('restarts on PostgreSQL', () => {
  it('runs tasks on time across clean restarts; series go on; a task ten years ahead runs once, on time', () => restarts('postgres'));
});
