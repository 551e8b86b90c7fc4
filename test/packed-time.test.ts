import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FarTime, packTime, timeBase, unpackTime } from '../src/repository/packed-time.js';

/** The shared base, as the first safe-integer time packed in this file (the first test) fixes it. */
const B = 1_800_000_000_000;
const bases = [B, 0, -(2 ** 40), 1_700_000_000_123];

describe('packTime / unpackTime', () => {
  it('take the shared base from the first safe-integer time packed, and keep it', () => {
    expect(timeBase()).toBeUndefined();
    expect(packTime(Number.NaN)).toBeInstanceOf(FarTime);
    expect(packTime(B + 0.5)).toBeInstanceOf(FarTime);
    expect(timeBase()).toBeUndefined();
    expect(packTime(B)).toBe(0);
    expect(timeBase()).toBe(B);
    expect(packTime(B + 7)).toBe(7);
    expect(unpackTime(7)).toBe(B + 7);
    expect(timeBase()).toBe(B);
  });

  it('give back every number exactly (NaN, -0, infinities, fractions, far times included), from any base', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer(), fc.integer({ min: -(2 ** 31), max: 2 ** 31 }).map((d) => B + d)), fc.constantFrom(...bases), (ms, base) => {
        expect(Object.is(unpackTime(packTime(ms, base), base), ms)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
    for (const base of bases) {
      for (const ms of [Number.NaN, -0, 0, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE, Number.MAX_SAFE_INTEGER, base + 0.5, base - 2 ** 30, base + 2 ** 30 - 1]) {
        expect(Object.is(unpackTime(packTime(ms, base), base), ms)).toBe(true);
      }
    }
  });

  it('keep integer times within ±2^30 ms of the base as the offset, others in a FarTime', () => {
    const timeBase = B;
    expect(packTime(timeBase)).toBe(0);
    expect(packTime(timeBase + 3_600_000)).toBe(3_600_000);
    expect(packTime(timeBase - 2 ** 30)).toBe(-(2 ** 30));
    expect(packTime(timeBase + 2 ** 30 - 1)).toBe(2 ** 30 - 1);
    expect(packTime(timeBase + 2 ** 30)).toEqual(new FarTime(timeBase + 2 ** 30));
    expect(packTime(timeBase - 2 ** 30 - 1)).toBeInstanceOf(FarTime);
    expect(packTime(timeBase + 0.5)).toBeInstanceOf(FarTime);
    expect(packTime(-0, 0)).toBeInstanceOf(FarTime);
    expect(packTime(Number.NaN)).toBeInstanceOf(FarTime);
    expect(packTime(5, 0)).toBe(5);
  });
});
