import { AssertionError } from 'node:assert';
import { describe, expect as vitestExpect, it } from 'vitest';
import { expect } from '../src/testing/expect.js';
import { resolveFramework } from '../src/testing/framework.js';

/** The node:assert matchers the contract suites use, held to vitest's meaning of each. */
describe('the contract suites’ expect', () => {
  const fails = (assertion: () => void): void => vitestExpect(assertion).toThrow(AssertionError);

  it('toEqual ignores undefined properties and prototypes, nothing else', () => {
    expect({ a: 1, b: undefined, c: [1, { d: null }] }).toEqual({ a: 1, c: [1, { d: null }] });
    expect(Object.assign(Object.create(null) as object, { a: 1 })).toEqual({ a: 1 });
    expect(new Date(5)).toEqual(new Date(5));
    fails(() => expect({ a: 1, b: 2 }).toEqual({ a: 1 }));
    fails(() => expect([1, 2]).toEqual([1]));
    fails(() => expect({ a: [1] }).toEqual({ a: { 0: 1 } }));
    fails(() => expect(new Date(5)).toEqual(new Date(6)));
    fails(() => expect(-0).toEqual(0));
  });

  it('toMatchObject and objectContaining compare the expected properties only', () => {
    expect({ a: 1, b: { c: 2, d: 3 } }).toMatchObject({ b: { c: 2 } });
    expect([{ a: 1, b: 2 }]).toEqual([expect.objectContaining({ a: 1 })]);
    fails(() => expect({ a: 1 }).toMatchObject({ a: 1, b: 2 }));
    fails(() => expect([{ a: 1 }, { a: 2 }]).toMatchObject([{ a: 1 }]));
    fails(() => expect([{ a: 2 }]).toEqual([expect.objectContaining({ a: 1 })]));
  });

  it('the other matchers', async () => {
    expect(NaN).toBe(NaN);
    fails(() => expect({}).toBe({}));
    expect(undefined).toBeUndefined();
    fails(() => expect(null).toBeUndefined());
    expect(0).toBeDefined();
    fails(() => expect(undefined).toBeDefined());
    expect(null).toBeNull();
    expect([1, 2]).toHaveLength(2);
    fails(() => expect([1]).toHaveLength(2));
    expect(new TypeError('x')).toBeInstanceOf(Error);
    fails(() => expect({}).toBeInstanceOf(Error));
    const reason = new Error('why');
    await expect(Promise.reject(reason)).rejects.toBe(reason);
    await vitestExpect(expect(Promise.resolve(1)).rejects.toBe(reason)).rejects.toThrow(AssertionError);
    await vitestExpect(expect(Promise.reject(new Error('other'))).rejects.toBe(reason)).rejects.toThrow(AssertionError);
  });
});

describe('resolveFramework', () => {
  it('takes the framework given, finds vitest when none is, and refuses a partial one', () => {
    const framework = { describe: () => undefined, it: () => undefined, beforeEach: () => undefined, afterEach: () => undefined };
    vitestExpect(resolveFramework(framework, 'x')).toBe(framework);
    vitestExpect(typeof resolveFramework(undefined, 'x').describe).toBe('function');
    vitestExpect(() => resolveFramework({ it: () => undefined }, 'repositoryContract')).toThrow(vitestExpect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
