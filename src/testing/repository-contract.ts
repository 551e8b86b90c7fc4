import type { TaskRepository } from '../repository/task-repository.js';
import { claimsContract } from './claims-contract.js';
import { newTask } from './contract-helpers.js';
import { flowContract } from './flow-contract.js';
import { keysContract } from './keys-contract.js';
import { resolveFramework } from './framework.js';
import type { TestFramework } from './framework.js';
import { operationsContract } from './operations-contract.js';
import { seriesContract } from './series-contract.js';
import { timerContract } from './timer-contract.js';
import { wakeContract } from './wake-contract.js';
import { writesContract } from './writes-contract.js';

export { newTask } from './contract-helpers.js';

/** What a contract run needs from the implementation under test: a fresh, empty repository. */
export interface RepositoryFixture {
  readonly repository: TaskRepository;
  /** Closes connections, removes files. */
  readonly close?: () => Promise<void>;
}

/**
 * The behaviour every TaskRepository must have. Call it inside a test file with a factory that
 * returns a fresh, empty repository each time; the suite runs unchanged on every implementation.
 *
 * `framework` is the test framework's `{ describe, it, beforeEach, afterEach }` (e.g. from
 * 'node:test'); under vitest, or with jest's or mocha's globals, it may be left out.
 *
 * Each topic is a file of its own exporting `(repo: () => TaskRepository, test: TestFramework) =>
 * void`, called below inside the suite's `describe`.
 */
export function repositoryContract(name: string, create: () => Promise<RepositoryFixture> | RepositoryFixture, framework?: TestFramework): void {
  const test = resolveFramework(framework, 'repositoryContract');
  test.describe(`TaskRepository contract: ${name}`, () => {
    let fixture: RepositoryFixture | undefined;
    const repo = (): TaskRepository => {
      if (fixture === undefined) throw new Error('the repository is made per test: read repo() inside a test');
      return fixture.repository;
    };

    test.beforeEach(async () => {
      fixture = await create();
    });
    test.afterEach(async () => {
      await fixture?.close?.();
      fixture = undefined;
    });

    writesContract(repo, test);
    claimsContract(repo, test);
    timerContract(repo, test);
    seriesContract(repo, test);
    test.describe('flows', () => {
      flowContract(repo, newTask, test);
    });
    test.describe('conflicts and keys', () => {
      keysContract(repo, newTask, test);
    });
    operationsContract(repo, test);
    wakeContract(repo, test);
  });
}
