// Run by test/node-test.test.ts with `node --test`: the contract suites under node:test, loaded
// from the built package through its own exports (no vitest anywhere in this process).
import { afterEach, beforeEach, describe, it } from 'node:test';
import { HeapRepository, WorkerPoolDispatcher } from 'kokugen';
import { dispatcherContract, FakeClock, repositoryContract } from 'kokugen/testing';

const framework = { describe, it, beforeEach, afterEach };
repositoryContract('HeapRepository (node:test)', () => ({ repository: new HeapRepository() }), framework);
dispatcherContract('WorkerPoolDispatcher (node:test)', (options) => new WorkerPoolDispatcher(options), framework);

it('FakeClock loads without a test framework', () => {
  if (new FakeClock(5).now() !== 5) throw new Error('FakeClock');
});
