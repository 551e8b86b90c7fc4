/**
 * Epoch-ms times as HeapRepository keeps them for pending tasks. A number in an object field costs a
 * 16-byte heap box unless it is a small integer (a Smi, stored in the field itself), and epoch ms
 * never are: a million pending tasks would keep two million boxes. Times within ±2^30 ms (about
 * 12 days) of a base (see `baseFor`) are therefore kept as their integer offset from it; any other
 * time (far off, fractional, NaN...) is kept exactly in a `FarTime`. Because no field ever holds a number that
 * is not a Smi, V8 never switches it to its boxed double representation, which would box the
 * offsets too. 2^30 rather than 2^31: Smis have 31 bits on builds with pointer compression.
 */
export class FarTime {
  constructor(readonly ms: number) {}
}

export type PackedTime = number | FarTime;

const smiLimit = 2 ** 30;

/**
 * The base a store of packed times can take from `ms`: any safe integer. A store takes its base
 * from the first time it keeps that can be one, then keeps it: pending tasks are created about
 * "now" and due within days of it, so their times fit; taking it from the data rather than the wall
 * clock keeps time reads behind the Clock, and a FakeClock's times fit too.
 */
export function baseFor(ms: number): number | undefined {
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/** `ms` as an offset from `base` when it fits exactly, else a `FarTime` (always one without a base). */
export function packTime(ms: number, base: number | undefined): PackedTime {
  if (base === undefined) return new FarTime(ms);
  const offset = ms - base;
  // The round trip rules out fractions and -0 (and anything an offset would not give back exactly).
  return offset >= -smiLimit && offset < smiLimit && base + (offset | 0) === ms && !Object.is(ms, -0) ? offset | 0 : new FarTime(ms);
}

/** The time `packTime(ms, base)` packed; `base` must be the one it was packed with. */
export function unpackTime(packed: PackedTime, base: number | undefined): number {
  return typeof packed === 'number' ? (base as number) + packed : packed.ms;
}
