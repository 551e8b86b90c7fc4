import { InvalidArgumentError, KokugenError } from '../errors.js';
import type { Clock } from '../clock/clock.js';
import type { LoopPhase } from './events.js';

/**
 * Where a scheduler writes what an operator should see. The shape is pino's (and most structured
 * loggers'): an object of fields first, then an optional message, so a pino logger fits as is.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const levels = ['debug', 'info', 'warn', 'error'] as const;

/** Checks the `logger` option: a Logger, or `false` for silence. */
export function checkLogger(logger: unknown): Logger | false {
  if (logger === false) return false;
  const object = logger as Partial<Record<(typeof levels)[number], unknown>> | null;
  if (typeof object !== 'object' || object === null || levels.some((level) => typeof object[level] !== 'function')) {
    throw new InvalidArgumentError('logger', 'false or an object with debug, info, warn and error methods', logger);
  }
  return logger as Logger;
}

/**
 * The default logger: one line per entry on stderr,
 * `<ISO time> <LEVEL> kokugen: <message> key=value ...`, with the error's name and code as fields.
 * Plain text, because the default is read by people in a terminal or a container log; use a
 * structured logger (pino) to ship entries elsewhere.
 */
export function stderrLogger(clock: Pick<Clock, 'now'>, write: (line: string) => void = (line) => void process.stderr.write(line)): Logger {
  const line = (level: string, obj: object, msg?: string): void => {
    const fields = Object.entries(obj)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `${key}=${formatValue(value)}`);
    write(`${new Date(clock.now()).toISOString()} ${level.toUpperCase()} kokugen: ${msg ?? ''}${fields.length === 0 ? '' : ` ${fields.join(' ')}`}\n`);
  };
  return {
    debug: (obj, msg) => line('debug', obj, msg),
    info: (obj, msg) => line('info', obj, msg),
    warn: (obj, msg) => line('warn', obj, msg),
    error: (obj, msg) => line('error', obj, msg),
  };
}

function formatValue(value: unknown): string {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return JSON.stringify(`${value.name}${typeof code === 'string' ? ` [${code}]` : ''}: ${value.message}`);
  }
  if (typeof value === 'string') return /^[\w.:/@-]+$/.test(value) ? value : JSON.stringify(value);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * What a scheduler logs: loop errors at `warn`, start and stop at `info`. A logger that throws is
 * ignored (logging must never stop the loop).
 *
 * Repeated identical loop errors — same phase, error name, code and message — are rate-limited:
 * the first is logged, the next ones within `window` ms (monotonic) are only counted, and the first
 * one after the window is logged with `repeated: n`, the number left out since. A store that is
 * down therefore yields about one line per window, not one per claim.
 */
export class SchedulerLog {
  readonly #logger: Logger | false;
  readonly #clock: Clock;
  readonly #window: number;
  /** Per error key: when it was last logged (monotonic ms) and how many were left out since. */
  readonly #recent = new Map<string, { at: number; left: number }>();

  constructor(logger: Logger | false, clock: Clock, window = 60_000) {
    this.#logger = logger;
    this.#clock = clock;
    this.#window = window;
  }

  started(owner: string): void {
    this.#write('info', { owner }, 'scheduler started');
  }

  stopped(owner: string, error: unknown): void {
    this.#write('info', error === undefined ? { owner } : { owner, err: error }, 'scheduler stopped');
  }

  loopError(error: unknown, phase: LoopPhase, taskId: string | undefined): void {
    if (this.#logger === false) return;
    const key = errorKey(error, phase);
    const now = this.#clock.monotonic();
    const seen = this.#recent.get(key);
    if (seen !== undefined && now - seen.at < this.#window) {
      seen.left++;
      return;
    }
    if (this.#recent.size >= maxKeys) this.#forgetOld(now);
    this.#recent.set(key, { at: now, left: 0 });
    const fields: Record<string, unknown> = { phase, err: error };
    if (taskId !== undefined) fields['taskId'] = taskId;
    if (seen !== undefined && seen.left > 0) fields['repeated'] = seen.left;
    this.#write('warn', fields, `loop error in ${phase}: ${messageOf(error)}`);
  }

  #forgetOld(now: number): void {
    for (const [key, entry] of this.#recent) if (now - entry.at >= this.#window) this.#recent.delete(key);
    // Many distinct errors at once (each message naming a task, say): start over rather than grow.
    if (this.#recent.size >= maxKeys) this.#recent.clear();
  }

  #write(level: 'info' | 'warn', fields: object, msg: string): void {
    if (this.#logger === false) return;
    try {
      this.#logger[level](fields, msg);
    } catch {
      // A failing logger has nowhere to report to; the scheduler goes on.
    }
  }
}

/** Distinct keys the rate limiter remembers at most. */
const maxKeys = 1_000;

function errorKey(error: unknown, phase: LoopPhase): string {
  if (!(error instanceof Error)) return `${phase}\0${String(error)}`;
  const code = error instanceof KokugenError ? error.code : (error as { code?: unknown }).code;
  return `${phase}\0${error.name}\0${String(code)}\0${error.message}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
