/**
 * `kokugen/worker-threads`: a dispatcher that runs works in worker threads. A subpath of its own so
 * that the core never loads piscina; install `piscina` to use it.
 */
export { WorkerThreadDispatcher } from './dispatcher/worker-thread/worker-thread-dispatcher.js';
export type { WorkerThreadDispatcherOptions } from './dispatcher/worker-thread/worker-thread-dispatcher.js';
export type { ThreadWork, WorkModule } from './dispatcher/worker-thread/work-module.js';
export { WorkModuleError } from './errors.js';
