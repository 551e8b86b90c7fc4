import type { Command } from 'commander';
import { SeriesNotFoundError } from '../../errors.js';
import { Scheduler } from '../../scheduler/scheduler.js';
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

  series
    .command('disable <id>')
    .description('stop a series: its scheduled occurrence is cancelled, a running one finishes')
    .action(async (id: string, _options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<GlobalFlags>();
      await withStore(storeLocation(flags, ctx), (repository) => new Scheduler({ repository }).disable(id));
      print(ctx, flags, { id, enabled: false }, () => `disabled series ${id}\n`);
    });

  series
    .command('enable <id>')
    .description('restart a disabled series at its first time after now')
    .action(async (id: string, _options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<GlobalFlags>();
      await withStore(storeLocation(flags, ctx), (repository) => new Scheduler({ repository }).enable(id));
      print(ctx, flags, { id, enabled: true }, () => `enabled series ${id}\n`);
    });

  series
    .command('remove <id>')
    .description('delete a series and its occurrences that are not running')
    .action(async (id: string, _options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<GlobalFlags>();
      await withStore(storeLocation(flags, ctx), async (repository) => {
        // Scheduler.remove() also deletes a task of that id: make sure `series remove` never does.
        if ((await repository.getSeries(id)) === undefined) throw new SeriesNotFoundError(id);
        await new Scheduler({ repository }).remove(id);
      });
      print(ctx, flags, { id, removed: true }, () => `removed series ${id}\n`);
    });
}
