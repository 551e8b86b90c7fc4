import type { Command } from 'commander';
import { TaskState } from '../../task/task.js';
import { print, storeLocation, withStore } from '../context.js';
import type { CliContext, GlobalFlags } from '../context.js';
import { seriesTable } from '../format.js';

/** `series ls | disable | enable | remove`: listing reads the repository, the changes go through the Scheduler. */
export function registerSeriesCommands(program: Command, ctx: CliContext): void {
  const series = program.command('series').description('list and control recurring series');

  series
    .command('ls')
    .description('list every series, with its next scheduled occurrence')
    .action(async (_options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<GlobalFlags>();
      const rows = await withStore(storeLocation(flags, ctx), async (repository) => {
        const all = await repository.listSeries();
        return Promise.all(all.map(async (s) => ({ series: s, next: (await repository.find({ seriesId: s.id, state: TaskState.Scheduled, limit: 1 }))[0] })));
      });
      print(ctx, flags, rows.map(({ series: s, next }) => ({ ...s, nextAt: next?.scheduledAt ?? null, nextTaskId: next?.id ?? null })), () => seriesTable(rows));
    });
}
