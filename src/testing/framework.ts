import { InvalidArgumentError } from '../errors.js';

/**
 * What the contract suites need from a test framework. vitest, jest and node:test all have these
 * four functions under these names: pass them in, e.g. `{ describe, it, beforeEach, afterEach }`
 * imported from 'node:test'. The suites assert with node:assert, so no `expect` is needed.
 */
export interface TestFramework {
  describe(name: string, body: () => void): unknown;
  it(name: string, body: () => Promise<void> | void): unknown;
  beforeEach(body: () => Promise<void> | void): unknown;
  afterEach(body: () => Promise<void> | void): unknown;
}

const names = ['describe', 'it', 'beforeEach', 'afterEach'] as const;

function isFramework(value: unknown): value is TestFramework {
  const object = value as Partial<Record<(typeof names)[number], unknown>> | null | undefined;
  return typeof object === 'object' && object !== null && names.every((name) => typeof object[name] === 'function');
}

/**
 * The framework given, or else the one running: vitest (whose workers expose its module as
 * `__vitest_index__`, so `import 'vitest'` is never needed here), then the globals jest, mocha and
 * vitest's `globals: true` define. Throws `ERR_INVALID_ARGUMENT` when there is none, naming what
 * to pass.
 */
export function resolveFramework(given: unknown, suite: string): TestFramework {
  if (given !== undefined) {
    if (!isFramework(given)) throw new InvalidArgumentError(`${suite} framework`, 'an object with describe, it, beforeEach and afterEach functions', given);
    return given;
  }
  const scope = globalThis as Record<string, unknown>;
  const vitest = scope['__vitest_index__'];
  if (isFramework(vitest)) return vitest;
  if (isFramework(scope)) return scope;
  throw new InvalidArgumentError(
    `${suite} framework`,
    "your test framework's { describe, it, beforeEach, afterEach } (e.g. from 'node:test') as the last argument",
    'none, and no test framework is running',
    { described: true },
  );
}
