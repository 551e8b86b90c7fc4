/**
 * Epoch-ms times as HeapRepository keeps them for pending tasks. A number in an object field costs a
 * 16-byte heap box unless it is a small integer (a Smi, stored in the field itself), and epoch ms
 * never are: a million pending tasks would keep two million boxes. Times within ±2^30 ms (about
 * 12 days) of a base (see `timeBase`) are therefore kept as their integer offset from it; any other time (far
 * off, fractional, NaN...) is kept exactly in a `FarTime`. Because no field ever holds a number that
 * is not a Smi, V8 never switches it to its boxed double representation, which would box the
 * offsets too. 2^30 rather than 2^31: Smis have 31 bits on builds with pointer compression.
 */
export class FarTime {
  constructor(readonly ms: number) {}
}

export type PackedTime = number | FarTime;

const smiLimit = 2 ** 30;

/**
 * The base of the offsets: the first time packed in this process that can be one (a safe integer),
 * then fixed. Pending tasks are created about "now" and due within days of it, so their times fit;
 * taking it from the data rather than the wall clock keeps time reads behind the Clock, and a
 * FakeClock's times fit too. Undefined until then.
 */
let sharedBase: number | undefined;

export function timeBase(): number | undefined {
  return sharedBase;
}

export function packTime(ms: number, base: number | undefined = (sharedBase ??= Number.isSafeInteger(ms) ? ms : undefined)): PackedTime {
  if (base === undefined) return new FarTime(ms);
  const offset = ms - base;
  // The round trip rules out fractions and -0 (and anything an offset would not give back exactly).
  return offset >= -smiLimit && offset < smiLimit && base + (offset | 0) === ms && !Object.is(ms, -0) ? offset | 0 : new FarTime(ms);
}

export function unpackTime(packed: PackedTime, base: number | undefined = sharedBase): number {
  // A number was packed against the shared base, which is set by then and never changes.
  return typeof packed === 'number' ? (base as number) + packed : packed.ms;
}
