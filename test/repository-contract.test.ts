import { beforeEach, describe } from 'vitest';
import { HeapRepository } from '../src/index.js';
import { flowContract, newTask, repositoryContract } from '../src/testing/index.js';

repositoryContract('HeapRepository', () => ({ repository: new HeapRepository() }));

describe('flow cases: HeapRepository', () => {
  let repo = new HeapRepository();
  beforeEach(() => {
    repo = new HeapRepository();
  });
  flowContract(() => repo, newTask);
});
