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
});
