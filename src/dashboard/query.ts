import { InvalidArgumentError } from '../errors.js';
import { TaskState } from '../task/task.js';
import { checkId } from '../validation/validate.js';

/**
 * A request's query string as the pages read it: keys outside `allowed` are refused, repeated
 * keys are refused, and every value is checked, so a bad link gets `ERR_INVALID_ARGUMENT` naming
 * the parameter instead of a page built on a guess.
 */
export class Query {
  readonly #params: URLSearchParams;

  constructor(params: URLSearchParams, allowed: readonly string[]) {
    const seen = new Set<string>();
    for (const key of params.keys()) {
      if (!allowed.includes(key)) throw new InvalidArgumentError(`query parameter ${key}`, allowed.length === 0 ? 'no query parameters' : `one of ${allowed.join(', ')}`, key);
      if (seen.has(key)) throw new InvalidArgumentError(`query parameter ${key}`, 'at most one value', `${params.getAll(key).length} values`, { described: true });
      seen.add(key);
    }
    this.#params = params;
  }

  /** The value, or undefined when absent or empty (an empty form field means "any"). */
  text(key: string): string | undefined {
    const value = this.#params.get(key);
    return value === null || value === '' ? undefined : value;
  }

  id(key: string): string | undefined {
    const value = this.text(key);
    return value === undefined ? undefined : checkId(value, `query parameter ${key}`);
  }

  state(key: string): TaskState | undefined {
    const value = this.text(key);
    if (value === undefined) return undefined;
    if (!(Object.values(TaskState) as string[]).includes(value)) throw new InvalidArgumentError(`query parameter ${key}`, Object.values(TaskState).join(', '), value);
    return value as TaskState;
  }

  integer(key: string, min: number, max: number, fallback: number): number {
    const value = this.text(key);
    if (value === undefined) return fallback;
    const n = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`query parameter ${key}`, `an integer from ${min} to ${max}`, value);
    return n;
  }
}
