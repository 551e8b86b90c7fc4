import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { baseFor, FarTime, packTime, unpackTime } from '../src/repository/packed-time.js';

const B = 1_800_000_000_000;
const bases = [B, 0, -(2 ** 40), 1_700_000_000_123];

describe('packTime / unpackTime', () => {
  it('take a base from safe integers only, and pack nothing as an offset without one', () => {
    expect(baseFor(B)).toBe(B);
    expect(baseFor(0)).toBe(0);
    for (const ms of [Number.NaN, B + 0.5, Infinity, 2 ** 53]) expect(baseFor(ms)).toBeUndefined();
    expect(packTime(B, undefined)).toEqual(new FarTime(B));
    expect(unpackTime(new FarTime(B), undefined)).toBe(B);
    expect(packTime(B + 7, B)).toBe(7);
    expect(unpackTime(7, B)).toBe(B + 7);
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
    const base = B;
    expect(packTime(base, base)).toBe(0);
    expect(packTime(base + 3_600_000, base)).toBe(3_600_000);
    expect(packTime(base - 2 ** 30, base)).toBe(-(2 ** 30));
    expect(packTime(base + 2 ** 30 - 1, base)).toBe(2 ** 30 - 1);
    expect(packTime(base + 2 ** 30, base)).toEqual(new FarTime(base + 2 ** 30));
    expect(packTime(base - 2 ** 30 - 1, base)).toBeInstanceOf(FarTime);
    expect(packTime(base + 0.5, base)).toBeInstanceOf(FarTime);
    expect(packTime(-0, 0)).toBeInstanceOf(FarTime);
    expect(packTime(Number.NaN, base)).toBeInstanceOf(FarTime);
    expect(packTime(5, 0)).toBe(5);
  });
});
