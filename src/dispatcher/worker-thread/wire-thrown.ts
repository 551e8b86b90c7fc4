import { describe, ErrorCode, KokugenError, RetryLaterError } from '../../errors.js';

/**
 * A thrown value on its way from one thread to another.
 *
 * Structured clone keeps an Error's message but not its class, its `name` (unless it is a built-in
 * one) or its own properties such as `code`, and it refuses functions and symbols. So errors travel
 * as their parts and are rebuilt on arrival: a built-in class comes back as itself, an error with a
 * kokugen `code` as a `KokugenError` (a `RetryLaterError` as one, so the scheduler honours its
 * delay), anything else as an `Error`; each with the same `name`, `message`, own enumerable
 * properties, `cause` and the stack of the thread it was thrown in. Other values travel as they are
 * when structured clone can copy them.
 */
export type WireThrown = { readonly value: unknown } | { readonly error: WireError };

export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  /** Own enumerable properties that structured clone can copy (`code`, `delay`, ...). */
  readonly props: Readonly<Record<string, unknown>>;
  readonly cause?: WireThrown;
}

/** Causes nest; past this depth they are dropped rather than followed (they may form a cycle). */
const maxCauseDepth = 8;

const builtins: Readonly<Record<string, ErrorConstructor>> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

const errorCodes = new Set<unknown>(Object.values(ErrorCode));

export function toWire(thrown: unknown, depth = 0): WireThrown {
  try {
    return encode(thrown, depth);
  } catch {
    // A getter that throws (a hostile `name`, a revoked Proxy): send what can be said safely.
    return { error: { name: 'Error', message: `the work threw a value that could not be read: ${describe(thrown)}`, stack: undefined, props: {} } };
  }
}

function encode(thrown: unknown, depth: number): WireThrown {
  if (thrown instanceof Error) {
    const props: Record<string, unknown> = {};
    for (const key of Object.keys(thrown)) {
      const value = (thrown as unknown as Record<string, unknown>)[key];
      if (key !== 'stack' && key !== 'message' && key !== 'cause' && cloneable(value)) props[key] = value;
    }
    const error: WireError = {
      name: String(thrown.name),
      message: String(thrown.message),
      stack: typeof thrown.stack === 'string' ? thrown.stack : undefined,
      props,
      ...('cause' in thrown && depth < maxCauseDepth ? { cause: toWire(thrown.cause, depth + 1) } : {}),
    };
    return { error };
  }
  if (cloneable(thrown)) return { value: thrown };
  return { error: { name: 'NonErrorThrownError', message: `the work threw a non-Error value that cannot leave its thread: ${describe(thrown)}`, stack: undefined, props: { code: ErrorCode.NonErrorThrown } } };
}

/** Rebuilds what `toWire` sent. Never throws: a part that cannot be rebuilt is left out. */
export function fromWire(wire: WireThrown): unknown {
  if ('value' in wire) return wire.value;
  const { name, message, stack, props, cause } = wire.error;
  const options = cause === undefined ? undefined : { cause: fromWire(cause) };
  let error: Error;
  const code = props['code'];
  const delay = props['delay'];
  if (code === ErrorCode.RetryLater && typeof delay === 'number' && Number.isFinite(delay) && delay >= 0) error = new RetryLaterError(delay, message);
  else if (errorCodes.has(code)) error = new KokugenError(code as ErrorCode, message, options);
  else error = new (builtins[name] ?? Error)(message, options);
  if (options !== undefined && !('cause' in error)) define(error, 'cause', options.cause, false);
  if (error.name !== name) define(error, 'name', name, false);
  for (const [key, value] of Object.entries(props)) define(error, key, value, true);
  if (stack !== undefined) define(error, 'stack', stack, false);
  return error;
}

function define(error: Error, key: string, value: unknown, enumerable: boolean): void {
  try {
    Object.defineProperty(error, key, { value, enumerable, writable: true, configurable: true });
  } catch {
    // A property the rebuilt error will not take is left out; the error itself still arrives.
  }
}

/** Whether structured clone copies `value` (primitives other than symbols at once; objects by trying). */
function cloneable(value: unknown): boolean {
  switch (typeof value) {
    case 'function':
    case 'symbol':
      return false;
    case 'object':
      if (value === null) return true;
      try {
        structuredClone(value);
        return true;
      } catch {
        return false;
      }
    default:
      return true;
  }
}
