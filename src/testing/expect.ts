import { AssertionError } from 'node:assert';
import { inspect } from 'node:util';

/**
 * The few matchers the contract suites use, in vitest's words, on node:assert's AssertionError: the
 * suites then run under any test framework (vitest, jest, node:test) without importing one.
 *
 * `toEqual` follows vitest: properties whose value is undefined are ignored, prototypes are not
 * compared. `toMatchObject` compares only the expected object's properties, recursively, and
 * arrays element by element (same length). `objectContaining` does the same inside either.
 */
export interface Matchers {
  toBe(expected: unknown): void;
  toEqual(expected: unknown): void;
  toMatchObject(expected: object): void;
  toBeUndefined(): void;
  toBeDefined(): void;
  toBeNull(): void;
  toHaveLength(length: number): void;
  toBeInstanceOf(type: abstract new (...args: never[]) => unknown): void;
  readonly rejects: { toBe(expected: unknown): Promise<void> };
}

const containing = Symbol('objectContaining');

interface Containing {
  readonly [containing]: object;
}

function isContaining(value: unknown): value is Containing {
  return typeof value === 'object' && value !== null && containing in value;
}

function isObject(value: unknown): value is Record<PropertyKey, unknown> {
  return typeof value === 'object' && value !== null;
}

function equal(actual: unknown, expected: unknown, partial: boolean): boolean {
  if (isContaining(expected)) return equal(actual, expected[containing], true);
  if (Object.is(actual, expected)) return true;
  if (!isObject(actual) || !isObject(expected)) return false;
  if (actual instanceof Date || expected instanceof Date) {
    return actual instanceof Date && expected instanceof Date && Object.is(actual.getTime(), expected.getTime());
  }
  if (Array.isArray(actual) !== Array.isArray(expected)) return false;
  if (Array.isArray(actual) && Array.isArray(expected)) {
    return actual.length === expected.length && actual.every((item, i) => equal(item, expected[i], partial));
  }
  const keys = (object: Record<PropertyKey, unknown>): string[] => Object.keys(object).filter((key) => object[key] !== undefined);
  const expectedKeys = keys(expected);
  if (!partial && keys(actual).length !== expectedKeys.length) return false;
  return expectedKeys.every((key) => (partial || Object.hasOwn(actual, key)) && equal(actual[key], expected[key], partial));
}

function fail(actual: unknown, expected: unknown, operator: string): never {
  throw new AssertionError({ message: `expected ${inspect(actual, { depth: 6 })} ${operator} ${inspect(expected, { depth: 6 })}`, actual, expected, operator });
}

export function expect(actual: unknown): Matchers {
  return {
    toBe: (expected) => {
      if (!Object.is(actual, expected)) fail(actual, expected, 'to be');
    },
    toEqual: (expected) => {
      if (!equal(actual, expected, false)) fail(actual, expected, 'to equal');
    },
    toMatchObject: (expected) => {
      if (!equal(actual, expected, true)) fail(actual, expected, 'to match');
    },
    toBeUndefined: () => {
      if (actual !== undefined) fail(actual, undefined, 'to be');
    },
    toBeDefined: () => {
      if (actual === undefined) fail(actual, 'anything but undefined', 'to be');
    },
    toBeNull: () => {
      if (actual !== null) fail(actual, null, 'to be');
    },
    toHaveLength: (length) => {
      const actualLength = isObject(actual) ? actual['length'] : undefined;
      if (actualLength !== length) fail(actual, length, 'to have length');
    },
    toBeInstanceOf: (type) => {
      if (!(actual instanceof type)) fail(actual, type.name, 'to be an instance of');
    },
    rejects: {
      toBe: async (expected) => {
        try {
          await actual;
        } catch (error) {
          if (!Object.is(error, expected)) fail(error, expected, 'to be');
          return;
        }
        fail('a resolved promise', expected, 'to reject with');
      },
    },
  };
}

/** An object that matches any object having these properties (recursively, as `toMatchObject`). */
expect.objectContaining = (properties: object): Containing => ({ [containing]: properties });
