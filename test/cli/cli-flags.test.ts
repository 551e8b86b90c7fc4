import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../typeorm/stores.js';
import { kokugen } from './run-cli.js';

/**
 * Bad flags are refused with ERR_INVALID_ARGUMENT and exit status 2 before the store is opened:
 * the SQLite file named by --db must not even be created (opening it would create and migrate it).
 */
const { dir, remove } = tempDir();
afterAll(remove);
let n = 0;
const freshDb = (): string => join(dir, `never-${++n}.sqlite`);

const refused: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['a --param that is not JSON', ['add', 'mail', '--param', '{"to":', '--delay', '0']],
  ['an --at that is not ISO', ['add', 'mail', '--at', 'tomorrow']],
  ['an --at without a zone', ['add', 'mail', '--at', '2026-12-01T09:00:00']],
  ['an --at on a day that does not exist', ['add', 'mail', '--at', '2026-02-30T09:00:00Z']],
  ['both --at and --delay', ['add', 'mail', '--at', '2026-12-01T09:00:00Z', '--delay', '5000']],
  ['--delay and --cron', ['add', 'mail', '--delay', '5000', '--cron', '0 * * * *']],
  ['no time at all', ['add', 'mail']],
  ['a negative --delay', ['add', 'mail', '--delay', '-5']],
  ['a --delay in an unknown unit', ['add', 'mail', '--delay', '5y']],
  ['--tz without --cron', ['add', 'mail', '--delay', '0', '--tz', 'Europe/Berlin']],
  ['a bad cron expression', ['add', 'mail', '--cron', 'every tuesday']],
  ['an unknown time zone', ['add', 'mail', '--cron', '0 9 * * *', '--tz', 'Mars/Olympus']],
  ['a --priority that is not an integer', ['add', 'mail', '--delay', '0', '--priority', '1.5']],
  ['an unknown state', ['ls', '--state', 'running']],
  ['a --limit of 0', ['ls', '--limit', '0']],
  ['a --limit that is not a number', ['ls', '--limit', '12abc']],
  ['purging a state that has not ended', ['purge', '--state', 'scheduled', '--older-than', '1d']],
  ['a bad duration', ['purge', '--state', 'done', '--older-than', '3x']],
  ['a duration without a unit', ['purge', '--state', 'done', '--older-than', '7']],
  ['purge without --older-than', ['purge', '--state', 'done']],
  ['a --batch of 0', ['purge', '--state', 'done', '--older-than', '1d', '--batch', '0']],
  ['retry with both --at and --delay', ['retry', 'some-id', '--at', '2026-12-01T09:00:00Z', '--delay', '0']],
  ['an unknown option', ['ls', '--colour']],
  ['an unknown command', ['frobnicate']],
  ['a missing argument', ['show']],
];

describe('kokugen refuses bad flags before it opens the store', () => {
  for (const [what, args] of refused) {
    it(`refuses ${what}`, async () => {
      const db = freshDb();
      const result = await kokugen(['--db', db, ...args]);
      expect(result.code, result.stderr).toBe('ERR_INVALID_ARGUMENT');
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(existsSync(db), 'the store was opened').toBe(false);
    });
  }

  it('names the flag and what it expected', async () => {
    const result = await kokugen(['--db', freshDb(), 'purge', '--state', 'done', '--older-than', '3x']);
    expect(result.stderr).toMatch(/^kokugen: ERR_INVALID_ARGUMENT: --older-than: expected a duration like .*, got "3x"\n$/);
  });

  it('wants a store: --db or DATABASE_URL', async () => {
    const result = await kokugen(['ls']);
    expect(result.code).toBe('ERR_INVALID_ARGUMENT');
    expect(result.stderr).toContain('--db');
  });

  it('refuses a URL that is not PostgreSQL, without echoing it', async () => {
    const result = await kokugen(['--db', 'mysql://root:hunter2@db/app', 'ls']);
    expect(result.code).toBe('ERR_INVALID_ARGUMENT');
    expect(result.stderr).not.toContain('hunter2');
  });

  it('prints help with exit status 0, and usage with 2 when no command is given', async () => {
    const help = await kokugen(['--help']);
    expect(help.status).toBe(0);
    for (const command of ['migrate', 'ls', 'show', 'add', 'cancel', 'retry', 'series', 'stats', 'purge', 'dashboard']) expect(help.stdout).toContain(command);
    const bare = await kokugen([]);
    expect(bare.status).toBe(2);
  });
});
