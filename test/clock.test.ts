import { afterEach, describe, expect, it, vi } from 'vitest';
import { SystemClock } from '../src/index.js';
import { FakeClock } from '../src/testing/index.js';

describe('FakeClock', () => {
  it('fires timers in time order, then set order, with now() at each timer time', async () => {
    const clock = new FakeClock(1_000);
    const fired: Array<[string, number]> = [];
    clock.setTimer(1_200, () => fired.push(['b', clock.now()]));
    clock.setTimer(1_100, () => fired.push(['a', clock.now()]));
    clock.setTimer(1_200, () => fired.push(['c', clock.now()]));
    const cancelled = clock.setTimer(1_150, () => fired.push(['x', clock.now()]));
    cancelled.cancel();
    await clock.advance(150);
    expect(fired).toEqual([['a', 1_100]]);
    expect(clock.now()).toBe(1_150);
    await clock.advance(50);
    expect(fired).toEqual([['a', 1_100], ['b', 1_200], ['c', 1_200]]);
    expect(clock.pending).toBe(0);
  });

  it('fires timers set by timers within the same advance', async () => {
    const clock = new FakeClock(0);
    const fired: number[] = [];
    clock.setTimer(10, () => {
      fired.push(clock.now());
      clock.setTimer(clock.now() + 10, () => fired.push(clock.now()));
    });
    await clock.advance(30);
    expect(fired).toEqual([10, 20]);
  });

  it('jumps back without firing, and refuses nonsense', async () => {
    const clock = new FakeClock(new Date(5_000));
    let fired = 0;
    clock.setTimer(6_000, () => fired++);
    await clock.set(1_000);
    expect(clock.now()).toBe(1_000);
    await clock.advance(4_999);
    expect(fired).toBe(0);
    await clock.set(new Date(6_000));
    expect(fired).toBe(1);
    await expect(clock.advance(-1)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(() => new FakeClock(Number.NaN)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
  it('advance() fires after() timers in monotonic order, interleaved with wall timers', async () => {
    const clock = new FakeClock(1_000);
    const fired: Array<[string, number, number]> = [];
    const note = (name: string) => () => void fired.push([name, clock.now(), clock.monotonic()]);
    clock.setTimer(1_010, note('wall 10'));
    clock.after(5, note('after 5'));
    clock.after(10, note('after 10'));
    clock.setTimer(1_020, note('wall 20'));
    clock.after(15, note('after 15'));
    clock.after(30, note('after 30')).cancel();
    await clock.advance(25);
    expect(fired).toEqual([
      ['after 5', 1_005, 5],
      ['wall 10', 1_010, 10],
      ['after 10', 1_010, 10],
      ['after 15', 1_015, 15],
      ['wall 20', 1_020, 20],
    ]);
    expect([clock.now(), clock.monotonic(), clock.pending]).toEqual([1_025, 25, 0]);
  });

  it('set() forward never fires an after() timer, set() back never delays one', async () => {
    const clock = new FakeClock(0);
    const fired: number[] = [];
    clock.after(1_000, () => void fired.push(clock.monotonic()));
    await clock.set(3_600_000);
    expect(fired).toEqual([]);
    expect(clock.monotonic()).toBe(0);
    await clock.advance(999);
    expect(fired).toEqual([]);
    await clock.set(-3_600_000);
    expect(clock.monotonic()).toBe(999);
    await clock.advance(1);
    expect(fired).toEqual([1_000]);
    expect(clock.now()).toBe(-3_599_999);
  });

  it('after() with 0 or less fires on the next turn, without moving time', async () => {
    const clock = new FakeClock(0);
    let fired = 0;
    clock.after(0, () => fired++);
    clock.after(-5, () => fired++);
    expect(fired).toBe(0);
    await clock.tick();
    expect([fired, clock.now(), clock.monotonic()]).toEqual([2, 0, 0]);
  });
});


describe('SystemClock (with vitest fake timers standing in for the OS)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('never arms a timeout longer than maxDelay, re-arms, and fires exactly once at the time', () => {
    vi.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const clock = new SystemClock({ maxDelay: 30_000 });
    const spy = vi.spyOn(globalThis, 'setTimeout');
    let fired = 0;
    const thirtyDays = 30 * 86_400_000;
    clock.setTimer(thirtyDays, () => fired++);
    expect(Math.max(...spy.mock.calls.map((c) => c[1] ?? 0))).toBeLessThanOrEqual(30_000);
    vi.advanceTimersByTime(thirtyDays - 1);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(1);
    vi.advanceTimersByTime(thirtyDays);
    expect(fired).toBe(1);
    for (const call of spy.mock.calls) expect(call[1] ?? 0).toBeLessThanOrEqual(30_000);
  });

  it('does not fire early when the timer wakes before the wall clock reaches the time', () => {
    vi.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const clock = new SystemClock();
    let firedAt: number | undefined;
    clock.setTimer(1_000, () => (firedAt = Date.now()));
    // The wall clock is set back while the timer sleeps, as after an NTP correction.
    vi.advanceTimersByTime(500);
    vi.setSystemTime(0);
    vi.advanceTimersByTime(500);
    expect(firedAt).toBeUndefined();
    vi.advanceTimersByTime(500);
    expect(firedAt).toBe(1_000);
  });

  it('can be cancelled, and refuses a bad maxDelay', () => {
    vi.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const clock = new SystemClock({ maxDelay: 10 });
    let fired = 0;
    const timer = clock.setTimer(100, () => fired++);
    vi.advanceTimersByTime(50);
    timer.cancel();
    vi.advanceTimersByTime(100);
    expect(fired).toBe(0);
    expect(() => new SystemClock({ maxDelay: 0 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => new SystemClock({ maxDelay: 2 ** 31 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
  it('after() never arms a timeout longer than maxDelay, re-arms, and fires once after ms of monotonic time', () => {
    vi.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const clock = new SystemClock({ maxDelay: 2 ** 30 });
    const spy = vi.spyOn(globalThis, 'setTimeout');
    let fired = 0;
    // Beyond 2^31-1 ms, which Node's setTimeout would fire at once.
    const long = 2 ** 32 + 5;
    clock.after(long, () => fired++);
    vi.advanceTimersByTime(long - 1);
    expect(fired).toBe(0);
    vi.advanceTimersByTime(1);
    expect(fired).toBe(1);
    vi.advanceTimersByTime(long);
    expect(fired).toBe(1);
    expect(spy.mock.calls.length).toBeGreaterThan(1);
    for (const call of spy.mock.calls) expect(call[1] ?? 0).toBeLessThanOrEqual(2 ** 30);
  });

  it('after() ignores wall-clock changes both ways', () => {
    vi.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const clock = new SystemClock({ maxDelay: 100 });
    const start = clock.monotonic();
    const fired: number[] = [];
    clock.after(1_000, () => void fired.push(clock.monotonic() - start));
    vi.setSystemTime(3_600_000);
    vi.advanceTimersByTime(500);
    expect(fired).toEqual([]);
    vi.setSystemTime(-3_600_000);
    vi.advanceTimersByTime(499);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([1_000]);
  });

  it('an after() timer can be cancelled', () => {
    vi.useFakeTimers({ now: 0, toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
    const clock = new SystemClock({ maxDelay: 10 });
    let fired = 0;
    const timer = clock.after(100, () => fired++);
    vi.advanceTimersByTime(50);
    timer.cancel();
    timer.cancel();
    vi.advanceTimersByTime(100);
    expect(fired).toBe(0);
  });
});

describe('SystemClock with a time already reached', () => {
  it('fires on the next turn of the event loop, without a timeout of a millisecond first', async () => {
    const clock = new SystemClock();
    const fired: string[] = [];
    clock.setTimer(clock.now() - 5, () => fired.push('wall'));
    clock.after(0, () => fired.push('monotonic'));
    // Immediates run in the order they were queued: this one comes after the timers' own.
    await new Promise((resolve) => setImmediate(resolve));
    expect(fired).toEqual(['wall', 'monotonic']);
  });

  it('can be cancelled before that turn', async () => {
    const clock = new SystemClock();
    let fired = 0;
    clock.setTimer(clock.now(), () => fired++).cancel();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(fired).toBe(0);
  });
});
