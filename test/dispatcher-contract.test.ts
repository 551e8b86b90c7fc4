import { WorkerPoolDispatcher } from '../src/index.js';
import { dispatcherContract } from '../src/testing/index.js';

dispatcherContract('WorkerPoolDispatcher', (options) => new WorkerPoolDispatcher(options));
