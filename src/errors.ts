/**
 * Every error kokugen throws is a `KokugenError` with a stable `code`. Callers match on `code`
 * (or `instanceof`), never on the message, which is for people and may change.
 *
 * The classes live in src/errors/ by where they arise: bad input and store refusals, running
 * work, and the dashboard's HTTP edge.
 */
export { ErrorCode, KokugenError } from './errors/kokugen-error.js';
export { describe } from './errors/describe.js';
export * from './errors/input-errors.js';
export * from './errors/run-errors.js';
export * from './errors/http-errors.js';
export * from './errors/lease-errors.js';
