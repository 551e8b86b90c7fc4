import { HeapRepository } from '../src/index.js';
import { repositoryContract } from '../src/testing/index.js';

repositoryContract('HeapRepository', () => ({ repository: new HeapRepository() }));
