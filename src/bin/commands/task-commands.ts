import type { Command } from 'commander';
import { TaskNotFoundError } from '../../errors.js';
import type { TaskQuery } from '../../task/task.js';
import { print, storeLocation, withStore } from '../context.js';
import type { CliContext, GlobalFlags } from '../context.js';
import { parseInteger, parseState } from '../flags.js';
import { taskFields, taskTable } from '../format.js';

interface LsFlags extends GlobalFlags {
  readonly state?: string;
  readonly work?: string;
  readonly series?: string;
  readonly limit?: string;
}

/** The most tasks one `ls` lists; more is a job for `--json` and paging in a script. */
const maxLimit = 10_000;

/**
 * Reading tasks goes to the repository directly; changing them goes through a producer-only
 * Scheduler (no dispatcher, never started), so that its checks and its series logic apply.
 */
export function registerTaskCommands(program: Command, ctx: CliContext): void {
  program
    .command('ls')
    .description('list tasks: scheduled ones in run order, others by creation')
    .option('--state <state>', 'only tasks in this state')
    .option('--work <workId>', 'only tasks of this work')
    .option('--series <seriesId>', 'only occurrences of this series')
    .option('--limit <n>', 'at most this many tasks', '100')
    .action(async (_options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<LsFlags>();
      const query: { -readonly [K in keyof TaskQuery]: TaskQuery[K] } = { limit: parseInteger('--limit', flags.limit ?? '100', 1, maxLimit) };
      if (flags.state !== undefined) query.state = parseState('--state', flags.state);
      if (flags.work !== undefined) query.workId = flags.work;
      if (flags.series !== undefined) query.seriesId = flags.series;
      const tasks = await withStore(storeLocation(flags, ctx), (repository) => repository.find(query));
      print(ctx, flags, tasks, () => taskTable(tasks));
    });

  program
    .command('show <id>')
    .description('show one task, with its param, result and errors')
    .action(async (id: string, _options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<GlobalFlags>();
      const task = await withStore(storeLocation(flags, ctx), (repository) => repository.get(id));
      if (task === undefined) throw new TaskNotFoundError(id);
      print(ctx, flags, task, () => taskFields(task));
    });
}

