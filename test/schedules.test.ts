import { describe, expect, it } from 'vitest';
import { cron, every, Misfire, reviveSchedule, TaskState } from '../src/index.js';
import type { Schedule } from '../src/index.js';
import { kit } from './helpers.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Occurrences of a schedule in (from, to], computed purely. */
function occurrences(schedule: Schedule, from: number, to: number): number[] {
  const out: number[] = [];
  for (let at = schedule.next(new Date(from)); at !== null && at.getTime() <= to; at = schedule.next(at)) out.push(at.getTime());
  return out;
}

/** Runs a real series on the FakeClock from `from` to `to` and returns the times its work started. */
async function runSeries(schedule: Schedule, from: number, to: number, options: { misfire?: Misfire } = {}): Promise<number[]> {
  const { scheduler, clock } = kit();
  await clock.set(from);
  const starts: number[] = [];
  scheduler.on('task:dispatched', () => void starts.push(clock.now()));
  await scheduler.start();
  await scheduler.schedule({ workId: 'record', schedule, ...options });
  await clock.advance(to - from);
  await scheduler.stop();
  return starts;
}

describe('cron() and every() as pure values', () => {
  it('every second and every five minutes in UTC', () => {
    const t = Date.UTC(2026, 5, 1);
    expect(occurrences(cron('* * * * * *'), t, t + 60_000)).toHaveLength(60);
    const fives = occurrences(cron('0 */5 * * * *'), t, t + DAY);
    expect(fives).toHaveLength(288);
    expect(fives.every((at) => at % 300_000 === 0)).toBe(true);
  });

  it('monthly on the 31st skips the months without one', () => {
    const hits = occurrences(cron('0 0 12 31 * *'), Date.UTC(2026, 0, 1), Date.UTC(2028, 0, 1));
    expect(hits).toHaveLength(14);
    expect(hits.map((at) => new Date(at).getUTCMonth() + 1)).toEqual([1, 3, 5, 7, 8, 10, 12, 1, 3, 5, 7, 8, 10, 12]);
  });

  // Local days with 23 and 25 hours: every 5 minutes fires 276 and 300 times between local midnights.
  const dstDays: Array<[string, string, number, number]> = [
    ['Europe/Berlin', 'spring 2026', Date.UTC(2026, 2, 28, 23), 23],
    ['Europe/Berlin', 'autumn 2026', Date.UTC(2026, 9, 24, 22), 25],
    ['Europe/Berlin', 'spring 2027', Date.UTC(2027, 2, 27, 23), 23],
    ['Europe/Berlin', 'autumn 2027', Date.UTC(2027, 9, 30, 22), 25],
    ['America/New_York', 'spring 2026', Date.UTC(2026, 2, 8, 5), 23],
    ['America/New_York', 'autumn 2026', Date.UTC(2026, 10, 1, 4), 25],
    ['America/New_York', 'spring 2027', Date.UTC(2027, 2, 14, 5), 23],
    ['America/New_York', 'autumn 2027', Date.UTC(2027, 10, 7, 4), 25],
  ];
  for (const [timezone, change, localMidnight, hours] of dstDays) {
    it(`every 5 minutes in ${timezone} on its ${change} day fires once per real 5 minutes (${hours * 12} times)`, () => {
      const hits = occurrences(cron('0 */5 * * * *', { timezone }), localMidnight - 1, localMidnight + hours * HOUR - 1);
      expect(hits).toHaveLength(hours * 12);
      expect(new Set(hits).size).toBe(hits.length);
      for (let i = 1; i < hits.length; i++) expect((hits[i] as number) - (hits[i - 1] as number)).toBe(300_000);
    });
  }

  it('a daily time in the spring gap runs once, at the first instant after it; a repeated time runs once', () => {
    const cases: Array<[string, string, number, string[]]> = [
      ['Europe/Berlin', '0 30 2 * * *', Date.UTC(2026, 2, 28), ['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']],
      ['Europe/Berlin', '0 30 2 * * *', Date.UTC(2026, 9, 24), ['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']],
      ['America/New_York', '0 30 2 * * *', Date.UTC(2027, 2, 13, 12), ['2027-03-14T07:00:00.000Z', '2027-03-15T06:30:00.000Z']],
      ['America/New_York', '0 30 1 * * *', Date.UTC(2026, 9, 31, 12), ['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']],
      ['America/New_York', '0 30 1 * * *', Date.UTC(2027, 10, 6, 12), ['2027-11-07T05:30:00.000Z', '2027-11-08T06:30:00.000Z']],
      ['Europe/Berlin', '0 30 2 * * *', Date.UTC(2027, 9, 30), ['2027-10-30T00:30:00.000Z', '2027-10-31T00:30:00.000Z', '2027-11-01T01:30:00.000Z']],
    ];
    for (const [timezone, expression, from, expected] of cases) {
      const hits = occurrences(cron(expression, { timezone }), from, from + expected.length * DAY + HOUR);
      expect(hits.slice(0, expected.length).map(iso)).toEqual(expected);
    }
  });

  it('every() keeps a fixed grid from its anchor and accepts units', () => {
    const s = every({ minutes: 1, seconds: 30 }, { anchor: 1_000 });
    expect(s.next(new Date(0))?.getTime()).toBe(1_000);
    expect(s.next(new Date(1_000))?.getTime()).toBe(91_000);
    expect(s.next(new Date(90_999))?.getTime()).toBe(91_000);
    expect(every(5_000).next(new Date(12_345))?.getTime()).toBe(15_000);
  });

  it('survives a round trip through its stored spec', () => {
    for (const schedule of [cron('0 */5 * * * *', { timezone: 'Europe/Berlin' }), every(7_000, { anchor: 3 })]) {
      const revived = reviveSchedule(JSON.parse(JSON.stringify(schedule.toJSON())) as ReturnType<Schedule['toJSON']>);
      const t = Date.UTC(2026, 9, 25);
      expect(occurrences(revived, t, t + DAY)).toEqual(occurrences(schedule, t, t + DAY));
    }
  });

  it('refuses bad expressions, zones and intervals with ERR_INVALID_ARGUMENT', () => {
    for (const make of [() => cron('61 * * * * *'), () => cron('* * * * *', { timezone: 'Mars/Olympus' }), () => every(0), () => every(1.5), () => every({ weeks: 1 } as never), () => reviveSchedule({ kind: 'lunar' })]) {
      expect(make).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    }
  });
});

describe('series on the scheduler (FakeClock)', () => {
  it('runs every second exactly on time across the Berlin spring change', async () => {
    const change = Date.UTC(2026, 2, 29, 1);
    const starts = await runSeries(cron('* * * * * *', { timezone: 'Europe/Berlin' }), change - 300_000, change + 300_000);
    expect(starts).toHaveLength(600);
    expect(starts[0]).toBe(change - 299_000);
    for (let i = 1; i < starts.length; i++) expect((starts[i] as number) - (starts[i - 1] as number)).toBe(1_000);
  });

  it('runs every 5 minutes through the New York autumn day: 300 runs, none twice, none early', async () => {
    const midnight = Date.UTC(2026, 10, 1, 4);
    const starts = await runSeries(cron('0 */5 * * * *', { timezone: 'America/New_York' }), midnight - 1, midnight + 25 * HOUR - 1);
    expect(starts).toHaveLength(300);
    expect(new Set(starts).size).toBe(300);
    expect(starts.every((at) => at % 300_000 === 0)).toBe(true);
  });

  it('runs a Berlin 02:30 daily job once on each change day of 2026', async () => {
    const schedule = cron('0 30 2 * * *', { timezone: 'Europe/Berlin' });
    const spring = await runSeries(schedule, Date.UTC(2026, 2, 28, 12), Date.UTC(2026, 2, 30, 12));
    expect(spring.map(iso)).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
    const autumn = await runSeries(schedule, Date.UTC(2026, 9, 24, 12), Date.UTC(2026, 9, 26, 12));
    expect(autumn.map(iso)).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('runs monthly on the 31st over a year: 7 runs at noon UTC', async () => {
    const starts = await runSeries(cron('0 0 12 31 * *'), Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1));
    expect(starts.map(iso)).toEqual(['01', '03', '05', '07', '08', '10', '12'].map((m) => `2026-${m}-31T12:00:00.000Z`));
  });

  it('neither doubles nor fires early when the wall clock jumps back or forward an hour', async () => {
    const { scheduler, clock } = kit();
    const t = Date.UTC(2026, 5, 1);
    await clock.set(t);
    const starts: number[] = [];
    scheduler.on('task:dispatched', ({ task }) => {
      expect(clock.now()).toBeGreaterThanOrEqual(task.scheduledAt);
      starts.push(task.scheduledAt);
    });
    await scheduler.start();
    await scheduler.schedule({ workId: 'record', schedule: cron('0 * * * * *'), misfire: 'skip' });
    await clock.advance(10 * 60_000);
    await clock.set(clock.now() - HOUR);
    await clock.advance(2 * HOUR);
    await clock.set(clock.now() + HOUR);
    await clock.advance(10 * 60_000);
    await scheduler.stop();
    expect(new Set(starts).size).toBe(starts.length);
  });

  const missedTen = async (misfire: Misfire): Promise<number> => {
    const { scheduler, clock } = kit();
    const t = Date.UTC(2026, 5, 1);
    await clock.set(t);
    const series = await scheduler.schedule({ workId: 'record', schedule: every(60_000), misfire, grace: 1_000 });
    // Down for 10 occurrences: the first pending one is now 10 minutes late.
    await clock.set(t + 10 * 60_000 + 30_000);
    const runs: number[] = [];
    scheduler.on('task:done', ({ task }) => void runs.push(task.scheduledAt));
    await scheduler.start();
    await scheduler.idle();
    await scheduler.stop();
    expect(series.seriesId).not.toBeNull();
    return runs.length;
  };

  it('misfire skip / once / all after 10 missed occurrences: 0 / 1 / 10 catch-up runs', async () => {
    expect(await missedTen(Misfire.Skip)).toBe(0);
    expect(await missedTen(Misfire.Once)).toBe(1);
    expect(await missedTen(Misfire.All)).toBe(10);
  });

  it('continues on time after a misfire, and reports it', async () => {
    const { scheduler, clock, events } = kit();
    await clock.set(Date.UTC(2026, 5, 1));
    const first = await scheduler.schedule({ workId: 'record', schedule: every(60_000), misfire: 'skip' });
    await clock.advance(5 * 60_000 + 500);
    await scheduler.start();
    await scheduler.idle();
    const misfired = events.filter(([n]) => n === 'series:misfired').map(([, p]) => p as { missed: number; policy: string });
    expect(misfired).toEqual([expect.objectContaining({ missed: 5, policy: 'skip' })]);
    expect((await scheduler.get(first.id)).state).toBe(TaskState.Expired);
    const [pending] = await scheduler.find({ seriesId: first.seriesId as string, state: 'scheduled' });
    expect(pending?.scheduledAt).toBe(Date.UTC(2026, 5, 1) + 6 * 60_000);
    await clock.advance(60_000);
    expect((await scheduler.find({ seriesId: first.seriesId as string, state: 'done' })).map((t) => t.scheduledAt)).toEqual([Date.UTC(2026, 5, 1) + 6 * 60_000]);
    await scheduler.stop();
  });

  it('never overlaps an occurrence with its predecessor; one that fell due meanwhile follows the misfire policy', async () => {
    let active = 0;
    let peak = 0;
    const { scheduler, clock } = kit({
      concurrency: 4,
      works: (works, { clock: c }) =>
        works.register('slow', async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise<void>((resolve) => c.setTimer(c.now() + 150_000, resolve));
          active--;
        }),
    });
    await clock.set(Date.UTC(2026, 5, 1));
    await scheduler.start();
    const runs: number[] = [];
    scheduler.on('task:dispatched', ({ task }) => void runs.push(task.scheduledAt - Date.UTC(2026, 5, 1)));
    await scheduler.schedule({ workId: 'slow', schedule: every(60_000), misfire: 'skip' });
    await clock.advance(10 * 60_000);
    await scheduler.stop({ force: true });
    expect(peak).toBe(1);
    // Each run takes 2.5 periods, so the skip policy starts at 1, 4, 7, 10 minutes.
    expect(runs).toEqual([1, 4, 7, 10].map((m) => m * 60_000));
  });

  it('rejects series inputs it cannot honour', async () => {
    const { scheduler } = kit();
    const bad: unknown[] = [
      { workId: 'record', schedule: { next: 'soon' } },
      { workId: 'record', schedule: every(1_000), misfire: 'sometimes' },
      { workId: 'record', schedule: every(1_000), grace: -1 },
      { workId: 'record', schedule: every(1_000), deadline: Date.UTC(2030, 0, 1) },
      { workId: 'record', schedule: { next: () => null, toJSON: () => ({ kind: 'ended' }) } },
    ];
    for (const input of bad) await expect(scheduler.schedule(input as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(scheduler.scheduleMany([{ workId: 'record', schedule: every(1_000) }])).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });
});
