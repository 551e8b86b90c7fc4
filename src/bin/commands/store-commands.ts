import type { Command } from 'commander';
import { print, storeLocation, withStore } from '../context.js';
import type { CliContext, GlobalFlags } from '../context.js';
import type { StoreLocation } from '../flags.js';

/** `migrate`, `stats` and `purge`: commands about the store as a whole. */
export function registerStoreCommands(program: Command, ctx: CliContext): void {
  program
    .command('migrate')
    .description("create or upgrade kokugen's tables (every command does this on open; this does only that)")
    .action(async (_options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<GlobalFlags>();
      const location = storeLocation(flags, ctx);
      await withStore(location, () => Promise.resolve());
      print(ctx, flags, { migrated: true, store: displayLocation(location) }, () => `migrated ${displayLocation(location)}\n`);
    });
}

/** The store as it may be shown: a PostgreSQL URL without its password. */
export function displayLocation(location: StoreLocation): string {
  if (location.type === 'sqlite') return location.database;
  const url = new URL(location.url);
  if (url.password !== '') url.password = '***';
  return url.href;
}
