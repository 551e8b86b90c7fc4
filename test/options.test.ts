import { describe, expect, it } from 'vitest';
import { HeapRepository, SystemClock, WorkerPoolDispatcher, WorkRegistry } from '../src/index.js';
import type { HeapRepositoryOptions, SystemClockOptions, WorkerPoolDispatcherOptions, WorkOptions } from '../src/index.js';

/** The error `fn` throws, or undefined. */
function thrown(fn: () => unknown): { code?: string; message: string } | undefined {
  try {
    fn();
  } catch (error) {
    return error as { code?: string; message: string };
  }
  return undefined;
}

function expectRefused(fn: () => unknown, key: string): void {
  const error = thrown(fn);
  expect(error?.code).toBe('ERR_INVALID_ARGUMENT');
  expect(error?.message).toContain(key);
}

const works = new WorkRegistry().register('w', () => null);

describe('options at the public edges refuse typos and nonsense, naming the key', () => {
  it('WorkerPoolDispatcher', () => {
    expectRefused(() => new WorkerPoolDispatcher({ works, concurency: 4 } as unknown as WorkerPoolDispatcherOptions), 'concurency');
    expectRefused(() => new WorkerPoolDispatcher({ works: null } as unknown as WorkerPoolDispatcherOptions), 'works');
    expectRefused(() => new WorkerPoolDispatcher({} as unknown as WorkerPoolDispatcherOptions), 'works');
    expectRefused(() => new WorkerPoolDispatcher({ works: { has: () => true } } as unknown as WorkerPoolDispatcherOptions), 'works');
    expectRefused(() => new WorkerPoolDispatcher(null as unknown as WorkerPoolDispatcherOptions), 'WorkerPoolDispatcher options');
    expectRefused(() => new WorkerPoolDispatcher(undefined as unknown as WorkerPoolDispatcherOptions), 'WorkerPoolDispatcher options');
    expect(new WorkerPoolDispatcher({ works, concurrency: 2 }).concurrency).toBe(2);
  });

  it('HeapRepository', () => {
    expectRefused(() => new HeapRepository({ retension: {} } as unknown as HeapRepositoryOptions), 'retension');
    expectRefused(() => new HeapRepository({ retention: { maxEndded: 5 } } as unknown as HeapRepositoryOptions), 'maxEndded');
    expectRefused(() => new HeapRepository({ retention: null } as unknown as HeapRepositoryOptions), 'retention');
    expectRefused(() => new HeapRepository('big' as unknown as HeapRepositoryOptions), 'HeapRepository options');
    expect(new HeapRepository({ retention: { maxEnded: 5, maxAge: 10 } }).size).toBe(0);
    expect(new HeapRepository().size).toBe(0);
  });

  it('WorkRegistry.register, changing nothing', () => {
    const registry = new WorkRegistry();
    expectRefused(() => registry.register('a', () => null, { timout: 5 } as unknown as WorkOptions), 'timout');
    expectRefused(() => registry.register('a', () => null, null as unknown as WorkOptions), 'options');
    expect(registry.has('a')).toBe(false);
    registry.register('a', () => null, { timeout: 5, concurrency: 1 });
    expect(registry.settings('a').timeout).toBe(5);
  });

  it('SystemClock', () => {
    expectRefused(() => new SystemClock({ maxDelai: 5 } as unknown as SystemClockOptions), 'maxDelai');
    expectRefused(() => new SystemClock(null as unknown as SystemClockOptions), 'SystemClock options');
    expect(new SystemClock({ maxDelay: 5 }).now()).toBeGreaterThan(0);
  });
});
