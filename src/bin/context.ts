import type { Clock } from '../clock/clock.js';
import type { TypeOrmRepository } from '../typeorm.js';
import { parseStoreLocation } from './flags.js';
import type { StoreLocation } from './flags.js';

/** What every command is given: where to write, the time, and how to reach the store. */
export interface CliContext {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly clock: Clock;
  /** The environment the store location falls back to (`DATABASE_URL`). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves when the process is asked to stop (SIGINT, SIGTERM): ends a long-running command. */
  readonly stopped: () => Promise<void>;
}

/** The options every command shares, from the program: `--db` and `--json`. */
export interface GlobalFlags {
  readonly db?: string;
  readonly json?: boolean;
}

/** The store location from `--db`, else `DATABASE_URL`; checked before anything is opened. */
export function storeLocation(flags: GlobalFlags, ctx: CliContext): StoreLocation {
  return parseStoreLocation(flags.db ?? ctx.env['DATABASE_URL']);
}

/**
 * Opens the store (which runs kokugen's migrations), runs `body`, and closes it even when `body`
 * throws. TypeORM is loaded here, on first use, so `kokugen --help` works without it.
 */
export async function withStore<T>(location: StoreLocation, body: (repository: TypeOrmRepository) => Promise<T>): Promise<T> {
  const { TypeOrmRepository } = await import('../typeorm.js');
  const repository = await TypeOrmRepository.open(location.type === 'sqlite' ? { type: 'sqlite', database: location.database } : { type: 'postgres', url: location.url, poolSize: 2 });
  try {
    return await body(repository);
  } finally {
    await repository.close();
  }
}

/** Prints `value` as JSON with `--json`, else the human text `human()` makes. */
export function print(ctx: CliContext, flags: GlobalFlags, value: unknown, human: () => string): void {
  ctx.stdout(flags.json === true ? `${JSON.stringify(value, null, 2)}\n` : human());
}
