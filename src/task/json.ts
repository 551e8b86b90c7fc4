import { InvalidArgumentError } from '../errors.js';
import type { JsonValue } from './task.js';

/**
 * Checks that `value` survives a JSON round trip unchanged and returns a frozen deep copy, so the
 * stored task can neither surprise a persistent repository nor be changed by its caller later.
 * Throws `ERR_INVALID_ARGUMENT` naming `what` and the first problem found.
 */
export function toFrozenJson(value: unknown, maxBytes: number, what: string): JsonValue {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    if (value.length * 3 > maxBytes && byteLength(JSON.stringify(value)) > maxBytes) throw invalid(what, tooLarge(maxBytes));
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw invalid(what, `a non-finite number (${value})`);
    // JSON spells -0 as 0, so SQL stores give it back as 0; the heap must not keep it either.
    return value + 0;
  }
  let problem: string | undefined;
  let json: string | undefined;
  try {
    problem = check(value, '$', new Set());
    if (problem === undefined) json = JSON.stringify(value);
  } catch (error) {
    // Too deep for the stack, or a getter or a Proxy trap that throws: either way, not data.
    if (error instanceof RangeError) problem = 'a value nested too deeply';
    else throw invalid(what, 'a value that throws when it is read', error);
  }
  if (problem !== undefined || json === undefined) throw invalid(what, problem ?? 'a value without JSON text');
  if (json.length * 3 > maxBytes && byteLength(json) > maxBytes) throw invalid(what, tooLarge(maxBytes));
  return deepFreeze(JSON.parse(json) as JsonValue);
}

function invalid(what: string, problem: string, cause?: unknown): InvalidArgumentError {
  return new InvalidArgumentError(what, 'a value that survives JSON unchanged', problem, { described: true, ...(cause === undefined ? {} : { cause }) });
}

function check(value: unknown, path: string, ancestors: Set<object>): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `a non-finite number at ${path}`;
    case 'object':
      break;
    default:
      return `${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`} at ${path}`;
  }
  if (value === null) return undefined;
  if (ancestors.has(value)) return `a cycle at ${path}`;
  ancestors.add(value);
  try {
    // JSON keeps an array's elements and an object's enumerable string keys; anything else it drops without a word.
    if (Array.isArray(value)) {
      if (Object.getOwnPropertySymbols(value).length > 0) return `a symbol key at ${path}`;
      for (let i = 0; i < value.length; i++) {
        if (!(i in value)) return `a hole at ${path}[${i}]`;
        const problem = check(value[i], `${path}[${i}]`, ancestors);
        if (problem !== undefined) return problem;
      }
      // Without holes the keys are the indices, then any named property. (A non-enumerable one would
      // take getOwnPropertyNames, which costs more than the JSON round trip on a long array.)
      const keys = Object.keys(value);
      return keys.length === value.length ? undefined : `a named property of an array at ${path}.${keys[value.length] as string}`;
    }
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto !== Object.prototype && proto !== null) return `a non-plain object (${Object.prototype.toString.call(value).slice(8, -1)}) at ${path}`;
    if (Object.getOwnPropertySymbols(value).length > 0) return `a symbol key at ${path}`;
    const keys = Object.keys(value);
    if (Object.getOwnPropertyNames(value).length !== keys.length) {
      const hidden = Object.getOwnPropertyNames(value).find((key) => !keys.includes(key)) as string;
      return `a non-enumerable property at ${path}.${hidden}`;
    }
    for (const key of keys) {
      if (key === '__proto__') return `a "__proto__" key at ${path}`;
      const problem = check((value as Record<string, unknown>)[key], `${path}.${key}`, ancestors);
      if (problem !== undefined) return problem;
    }
    return undefined;
  } finally {
    ancestors.delete(value);
  }
}

/**
 * JSON text of a value to store, kept as text (not jsonb) by the databases so that key order and
 * number spelling come back byte-identical. Throws `ERR_INVALID_ARGUMENT` naming `what` for a value
 * that has no JSON text (undefined, a function, a symbol).
 */
export function toJsonText(value: unknown, what: string): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new InvalidArgumentError(what, 'a JSON value', value);
  return text;
}

/** The frozen value of stored JSON text. */
export function parseFrozenJson(text: string): JsonValue {
  return deepFreeze(JSON.parse(text) as JsonValue);
}

/** Freezes `value` and everything in it; returns it. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function tooLarge(maxBytes: number): string {
  return `more than ${maxBytes} bytes of JSON`;
}
