import type { Command } from 'commander';
import { TaskState } from '../../task/task.js';
import { print, storeLocation, withStore } from '../context.js';
import type { CliContext, GlobalFlags } from '../context.js';
import { parseDuration, parseEndedState, parseInteger } from '../flags.js';
import type { StoreLocation } from '../flags.js';
import { duration, iso, table } from '../format.js';

interface PurgeFlags extends GlobalFlags {
  readonly state?: string;
  readonly olderThan?: string;
  readonly batch?: string;
}

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

  program
    .command('stats')
    .description('count tasks by state and by work, and show the oldest due time')
    .action(async (_options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<GlobalFlags>();
      const now = ctx.clock.now();
      const stats = await withStore(storeLocation(flags, ctx), (repository) => repository.stats(now));
      print(ctx, flags, stats, () => {
        const states = Object.values(TaskState);
        const totals = table(['STATE', 'TASKS'], states.map((state) => [state, String(stats.byState[state])]));
        const works = Object.keys(stats.byWork).sort();
        const byWork = works.length === 0 ? '' : '\n' + table(['WORK', ...states.map((s) => s.toUpperCase())], works.map((work) => [work, ...states.map((s) => String(stats.byWork[work]?.[s] ?? 0))]));
        const due = stats.oldestDueAt === null ? 'none: no scheduled task is due' : `${iso(stats.oldestDueAt)} (${duration(now - stats.oldestDueAt)} late)`;
        return `${totals}\noldest due  ${due}\n${byWork}`;
      });
    });

  program
    .command('purge')
    .description('delete ended tasks of one state that ended before a cutoff, in bounded batches')
    .requiredOption('--state <state>', 'done, failed, cancelled or expired')
    .requiredOption('--older-than <duration>', 'ended at least this long ago: 90s, 15m, 12h, 30d, 2w')
    .option('--batch <n>', 'tasks deleted per statement', '1000')
    .action(async (_options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<PurgeFlags>();
      const state = parseEndedState('--state', flags.state ?? '');
      const age = parseDuration('--older-than', flags.olderThan ?? '');
      const limit = parseInteger('--batch', flags.batch ?? '1000', 1, 100_000);
      const location = storeLocation(flags, ctx);
      // One cutoff for the whole run, so that tasks ending meanwhile do not keep it going.
      const endedBefore = ctx.clock.now() - age;
      const purged = await withStore(location, async (repository) => {
        let total = 0;
        for (;;) {
          const count = await repository.purge({ state, endedBefore, limit });
          total += count;
          if (count < limit) return total;
          ctx.stderr(`purged ${total} ${state} tasks so far...\n`);
        }
      });
      print(ctx, flags, { purged, state, endedBefore }, () => `purged ${purged} ${state} tasks that ended before ${iso(endedBefore)}\n`);
    });
}

/** The store as it may be shown: a PostgreSQL URL without its password. */
export function displayLocation(location: StoreLocation): string {
  if (location.type === 'sqlite') return location.database;
  const url = new URL(location.url);
  if (url.password !== '') url.password = '***';
  return url.href;
}
