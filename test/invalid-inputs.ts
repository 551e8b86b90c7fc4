import { T0 } from './helpers.js';

export const cycle: Record<string, unknown> = { a: 1 };
cycle['self'] = cycle;
const protoKey = JSON.parse('{"__proto__": {"polluted": true}}') as unknown;
/** JSON keeps an array's elements only: a named property, a symbol key or a hidden property would be lost without a word. */
const namedArray = Object.assign([1], { x: 2 });
const symbolArray = Object.assign([1], { [Symbol('k')]: 2 });
const hidden = Object.defineProperty({ shown: 1 }, 'hidden', { value: 2, enumerable: false });
/** Objects that pass for a Date (`instanceof Date`) but have no time: Date's methods throw a TypeError on them. */
const proxyDate = (): Date => new Proxy(new Date(T0), {});
const protoDate = (): Date => Object.create(Date.prototype) as Date;

/**
 * Every input schedule() must refuse with ERR_INVALID_ARGUMENT, on any repository (work id 'record').
 * Shared by the heap tests and the persistent repositories' parity tests.
 */
export const invalidScheduleInputs: Array<[string, unknown]> = [
  ['not an object', 'greet'],
  ['null', null],
  ['at NaN', { workId: 'record', at: Number.NaN }],
  ['at Invalid Date', { workId: 'record', at: new Date('nope') }],
  ['at +Infinity', { workId: 'record', at: Number.POSITIVE_INFINITY }],
  ['at -Infinity', { workId: 'record', at: Number.NEGATIVE_INFINITY }],
  ['at beyond 8.64e15', { workId: 'record', at: 8.64e15 + 1 }],
  ['at before -8.64e15', { workId: 'record', at: -8.64e15 - 1 }],
  ['at a string', { workId: 'record', at: '2026-01-01' }],
  ['negative delay', { workId: 'record', delay: -1 }],
  ['NaN delay', { workId: 'record', delay: Number.NaN }],
  ['infinite delay', { workId: 'record', delay: Number.POSITIVE_INFINITY }],
  ['delay past the Date range', { workId: 'record', delay: 8.64e15 }],
  ['both at and delay', { workId: 'record', at: T0, delay: 5 }],
  ['neither at nor delay', { workId: 'record' }],
  ['a function param', { workId: 'record', delay: 0, param: () => 1 }],
  ['a nested function', { workId: 'record', delay: 0, param: { f: () => 1 } }],
  ['a BigInt param', { workId: 'record', delay: 0, param: 1n }],
  ['a cyclic param', { workId: 'record', delay: 0, param: cycle }],
  ['a __proto__ key', { workId: 'record', delay: 0, param: protoKey }],
  ['a Date param', { workId: 'record', delay: 0, param: new Date(0) }],
  ['NaN inside the param', { workId: 'record', delay: 0, param: [Number.NaN] }],
  ['undefined inside the param', { workId: 'record', delay: 0, param: { a: undefined } }],
  ['a sparse array', { workId: 'record', delay: 0, param: [1, , 3] }],
  ['a symbol param', { workId: 'record', delay: 0, param: Symbol('s') }],
  ['a param over the cap', { workId: 'record', delay: 0, param: 'x'.repeat(1_048_577) }],
  ['a deep param over the cap', { workId: 'record', delay: 0, param: { list: Array.from({ length: 2_000 }, () => 'y'.repeat(600)) } }],
  ['a fractional priority', { workId: 'record', delay: 0, priority: 1.5 }],
  ['a huge priority', { workId: 'record', delay: 0, priority: 2 ** 40 }],
  ['an empty id', { workId: 'record', delay: 0, id: '' }],
  ['a non-string id', { workId: 'record', delay: 0, id: 7 }],
  ['a 201-character id', { workId: 'record', delay: 0, id: 'i'.repeat(201) }],
  ['an id with NUL', { workId: 'record', delay: 0, id: 'a\u0000b' }],
  ['an id with a lone surrogate', { workId: 'record', delay: 0, id: 'a\uD800b' }],
  ['non-string meta', { workId: 'record', delay: 0, meta: { n: 1 } }],
  ['an unknown key', { workId: 'record', delay: 0, dealy: 5 }],
  ['an empty workId', { workId: '', delay: 0 }],
  ['an array param with a named property', { workId: 'record', delay: 0, param: namedArray }],
  ['a nested array with a named property', { workId: 'record', delay: 0, param: { list: [namedArray] } }],
  ['an array param with a symbol key', { workId: 'record', delay: 0, param: symbolArray }],
  ['a param with a non-enumerable property', { workId: 'record', delay: 0, param: { inner: hidden } }],
  ['a param whose getter throws', { workId: 'record', delay: 0, param: { get boom(): never { throw new Error('read me not'); } } }],
  ['a param behind a Proxy whose trap throws', { workId: 'record', delay: 0, param: new Proxy({}, { ownKeys: () => { throw new Error('no keys'); } }) }],
  ['at a Proxy of a Date', { workId: 'record', at: proxyDate() }],
  ['at an object made from Date.prototype', { workId: 'record', at: protoDate() }],
  ['a deadline that is a Proxy of a Date', { workId: 'record', delay: 0, deadline: proxyDate() }],
  ['a deadline made from Date.prototype', { workId: 'record', delay: 0, deadline: protoDate() }],
];

/** Every patch update() must refuse with ERR_INVALID_ARGUMENT. */
export const invalidUpdateInputs: Array<[string, unknown]> = [
  ['at a Proxy of a Date', { at: proxyDate() }],
  ['at an object made from Date.prototype', { at: protoDate() }],
  ['an array param with a named property', { param: namedArray }],
];

