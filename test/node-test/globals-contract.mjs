// Run by test/node-test.test.ts with `node --test`: with the framework's functions as globals, as
// jest and mocha define them, the suites need no framework argument.
import { afterEach, beforeEach, describe, it } from 'node:test';
import { WorkerPoolDispatcher } from 'kokugen';
import { dispatcherContract } from 'kokugen/testing';

Object.assign(globalThis, { describe, it, beforeEach, afterEach });
dispatcherContract('WorkerPoolDispatcher (globals)', (options) => new WorkerPoolDispatcher(options));
