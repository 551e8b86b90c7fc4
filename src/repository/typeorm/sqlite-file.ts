import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { StoreLostError } from '../../errors.js';

/**
 * Whether the SQLite file a connection opened is still the one at its path. SQLite goes on reading
 * and writing an open file after it was unlinked (its directory removed, or the file renamed or
 * replaced), without an error; everything written from then on is gone when the connection
 * closes. So the path's device and inode are compared with those seen at open before each
 * commit, and before the reads of a connection that was idle (the timer's poll): a `stat` each,
 * whose cost docs/performance.md gives.
 *
 * States: unknown (no connection open yet, or it closed) → watching (after `opened()`) → lost,
 * for good: `check()` then always throws, until the DataSource opens a connection again.
 * A database that is no plain file path (`:memory:`, a `file:` URI) is never watched.
 */
export class SqliteFile {
  readonly #path: string | undefined;
  #opened: { readonly dev: bigint; readonly ino: bigint } | undefined;
  #lost: string | undefined;

  /** `database`: the DataSource's `database` option. */
  constructor(database: unknown) {
    const plain = typeof database === 'string' && database !== '' && database !== ':memory:' && !database.startsWith('file:');
    this.#path = plain ? resolve(database) : undefined;
  }

  /** The connection just opened the file: what the path leads to now is the store. */
  opened(): void {
    this.#lost = undefined;
    this.#opened = undefined;
    if (this.#path === undefined) return;
    const stats = statSync(this.#path, { bigint: true, throwIfNoEntry: false });
    if (stats !== undefined) this.#opened = { dev: stats.dev, ino: stats.ino };
  }

  /** Whether a check found the file lost (and the connection did not open again since). */
  get lost(): boolean {
    return this.#lost !== undefined;
  }

  /** The connection closed: nothing to compare until it opens again. */
  closed(): void {
    this.#opened = undefined;
  }

  /**
   * Throws `ERR_STORE_LOST` if the path no longer leads to the file that was opened (nothing to
   * compare while none is open). A synchronous `stat`: cheaper for the event loop than handing one
   * to the thread pool, which costs a wake-up of a worker thread.
   */
  check(): void {
    if (this.#lost !== undefined) throw new StoreLostError(this.#path ?? '', this.#lost);
    if (this.#opened === undefined || this.#path === undefined) return;
    let reason: string | undefined;
    try {
      const now = statSync(this.#path, { bigint: true, throwIfNoEntry: false });
      if (now === undefined) reason = 'its file, or its directory, was removed';
      else if (now.ino !== this.#opened.ino || now.dev !== this.#opened.dev) reason = 'another file took its path';
    } catch (error) {
      // A path through something that is no directory any more; anything else (EACCES) says nothing about the file.
      if ((error as { code?: unknown }).code !== 'ENOTDIR') throw error;
      reason = 'its directory was replaced';
    }
    if (reason === undefined) return;
    this.#lost = reason;
    throw new StoreLostError(this.#path, reason);
  }
}
