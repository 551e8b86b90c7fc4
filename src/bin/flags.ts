import { InvalidArgumentError } from '../errors.js';
import { TaskState } from '../task/task.js';
import type { EndedState, JsonValue } from '../task/task.js';

/**
 * The CLI's flag values, checked. Every parser takes the raw string commander collected and either
 * returns the typed value or throws `ERR_INVALID_ARGUMENT` naming the flag, so that a command checks
 * all of its flags before it opens the store and a refused command changes nothing.
 */

/** ISO 8601: a date, or a date and time with `Z` or an offset (a local time would depend on the machine). */
const isoPattern = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** An ISO 8601 time as epoch ms; impossible dates (February 30) are refused, not rolled over. */
export function parseIsoTime(flag: string, text: string): number {
  const match = isoPattern.exec(text);
  const expected = 'an ISO 8601 time with a zone, like 2026-12-01T09:30:00Z';
  if (match === null) throw new InvalidArgumentError(flag, expected, text);
  const [year, month, day, hour = '0', minute = '0', second = '0'] = match.slice(1).map((part) => part ?? '0');
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const ms = Date.parse(text);
  if (date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day) || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59 || !Number.isFinite(ms)) {
    throw new InvalidArgumentError(flag, expected, text);
  }
  return ms;
}

const unitMs = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const durationPattern = /^(?:\d+(?:ms|s|m|h|d|w))+$/;
const maxDuration = 8.64e15;

/**
 * A duration such as `90s`, `15m`, `12h`, `30d`, `2w` or `1h30m`, in ms. With `bareMs`, a plain
 * integer is also accepted, as ms (`--delay 5000`); otherwise a unit is required, because
 * `--older-than 7` could mean days as well as ms.
 */
export function parseDuration(flag: string, text: string, bareMs = false): number {
  const expected = bareMs ? 'ms, or a duration like 90s, 15m, 12h, 30d, 1h30m' : 'a duration like 90s, 15m, 12h, 30d, 2w, 1h30m';
  let ms: number;
  if (bareMs && /^\d+$/.test(text)) {
    ms = Number(text);
  } else {
    if (!durationPattern.test(text)) throw new InvalidArgumentError(flag, expected, text);
    ms = 0;
    for (const [, amount, unit] of text.matchAll(/(\d+)(ms|s|m|h|d|w)/g)) ms += Number(amount) * unitMs[unit as keyof typeof unitMs];
  }
  if (!Number.isSafeInteger(ms) || ms > maxDuration) throw new InvalidArgumentError(flag, `${expected}, at most ${maxDuration} ms`, text);
  return ms;
}

/** A JSON document, as the value it stands for (the Scheduler checks its size and shape). */
export function parseJson(flag: string, text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch (error) {
    throw new InvalidArgumentError(flag, 'a JSON value, like \'{"to":"ada@example.com"}\'', `${JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text)} (${(error as Error).message})`, { cause: error, described: true });
  }
}

const states = Object.values(TaskState);
const endedStates: readonly EndedState[] = [TaskState.Done, TaskState.Failed, TaskState.Cancelled, TaskState.Expired];

export function parseState(flag: string, text: string): TaskState {
  if (!(states as readonly string[]).includes(text)) throw new InvalidArgumentError(flag, `one of ${states.join(', ')}`, text);
  return text as TaskState;
}

/** A state a task can end in: only those can be purged. */
export function parseEndedState(flag: string, text: string): EndedState {
  if (!(endedStates as readonly string[]).includes(text)) throw new InvalidArgumentError(flag, `an ended state: one of ${endedStates.join(', ')}`, text);
  return text as EndedState;
}

/** A decimal integer within [min, max]; `0x10`, `1e3` and `12abc` are refused. */
export function parseInteger(flag: string, text: string, min: number, max: number): number {
  const value = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new InvalidArgumentError(flag, `an integer from ${min} to ${max}`, text);
  return value;
}

/** Where the store is: a PostgreSQL URL, or else the path of an SQLite file. */
export type StoreLocation = { readonly type: 'postgres'; readonly url: string } | { readonly type: 'sqlite'; readonly database: string };

export function parseStoreLocation(text: string | undefined): StoreLocation {
  const expected = 'an SQLite file or a postgres:// URL (the --db flag or DATABASE_URL)';
  if (text === undefined || text.trim() === '') throw new InvalidArgumentError('--db', expected, text);
  if (/^postgres(ql)?:/i.test(text)) {
    if (!URL.canParse(text)) throw new InvalidArgumentError('--db', expected, 'a postgres URL that does not parse', { described: true });
    return { type: 'postgres', url: text };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) throw new InvalidArgumentError('--db', expected, `a URL of another scheme (${text.slice(0, text.indexOf(':'))})`, { described: true });
  return { type: 'sqlite', database: text };
}
