export { FakeClock, flush } from './fake-clock.js';
export { newTask, repositoryContract } from './repository-contract.js';
export { flowContract } from './flow-contract.js';
export type { RepositoryFixture } from './repository-contract.js';
export { deferred, dispatchedTask, dispatcherContract } from './dispatcher-contract.js';
export type { DispatcherFactory } from './dispatcher-contract.js';
export type { TestFramework } from './framework.js';
