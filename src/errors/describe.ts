/** The message of a thrown Error, or a short description of any other thrown value. */
export function messageOf(thrown: unknown): string {
  return thrown instanceof Error ? thrown.message : describe(thrown);
}

/** A short, safe description of a value for error messages (never the whole value). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return value.length > 60 ? `a string of length ${value.length}` : JSON.stringify(value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof value} ${String(value)}`;
    case 'undefined':
      return 'undefined';
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
    default:
      // Never throws, whatever the object: a Proxy's traps or a fake Date's methods may.
      try {
        if (Array.isArray(value)) return `an array of length ${value.length}`;
        const time = value instanceof Date ? Date.prototype.getTime.call(value) : undefined;
        if (time !== undefined) return `Date ${Number.isNaN(time) ? 'Invalid Date' : new Date(time).toISOString()}`;
        return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
      } catch {
        return 'an object';
      }
  }
}
