import type { Command } from 'commander';
import { InvalidArgumentError, TaskNotFoundError } from '../../errors.js';
import { cron } from '../../schedule/cron.js';
import { Scheduler } from '../../scheduler/scheduler.js';
import type { TaskQuery } from '../../task/task.js';
import type { ScheduleInput } from '../../validation/validate.js';
import { print, storeLocation, withStore } from '../context.js';
import type { CliContext, GlobalFlags } from '../context.js';
import { parseDuration, parseInteger, parseIsoTime, parseJson, parseState } from '../flags.js';
import { taskFields, taskTable } from '../format.js';

interface LsFlags extends GlobalFlags {
  readonly state?: string;
  readonly work?: string;
  readonly series?: string;
  readonly limit?: string;
}

interface AddFlags extends GlobalFlags {
  readonly param?: string;
  readonly at?: string;
  readonly delay?: string;
  readonly cron?: string;
  readonly tz?: string;
  readonly id?: string;
  readonly priority?: string;
}

interface WhenFlags extends GlobalFlags {
  readonly at?: string;
  readonly delay?: string;
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

  program
    .command('add <workId>')
    .description('schedule a task (--at or --delay), or a recurring series (--cron)')
    .option('--param <json>', 'the JSON param for the work (default: null)')
    .option('--at <iso>', 'when, as an ISO 8601 time with a zone')
    .option('--delay <ms>', 'when, as ms from now (or a duration: 90s, 15m, 2h)')
    .option('--cron <expr>', 'a recurring series on this cron expression')
    .option('--tz <zone>', 'the IANA time zone of --cron (default: UTC)')
    .option('--id <id>', 'the task id, or the series id with --cron (default: a random UUID)')
    .option('--priority <n>', 'higher runs first among tasks due at the same time')
    .action(async (workId: string, _options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<AddFlags>();
      const input = addInput(workId, flags);
      const task = await withStore(storeLocation(flags, ctx), (repository) => new Scheduler({ repository }).schedule(input));
      print(ctx, flags, task, () => taskFields(task));
    });

  program
    .command('cancel <id>')
    .description('cancel a scheduled task (a task that already ended is left as it is)')
    .action(async (id: string, _options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<GlobalFlags>();
      const result = await withStore(storeLocation(flags, ctx), async (repository) => {
        const cancelled = await new Scheduler({ repository }).cancel(id);
        const task = await repository.get(id);
        return { id, cancelled, state: task?.state ?? null };
      });
      print(ctx, flags, result, () => (result.cancelled ? `cancelled ${id}\n` : `${id} was not cancelled: it had already ended (${result.state ?? 'gone'})\n`));
    });

  program
    .command('retry <id>')
    .description('run a failed, expired or cancelled task again (now, or --at / --delay)')
    .option('--at <iso>', 'when, as an ISO 8601 time with a zone')
    .option('--delay <ms>', 'when, as ms from now (or a duration: 90s, 15m, 2h)')
    .action(async (id: string, _options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<WhenFlags>();
      const when = whenInput(flags);
      const task = await withStore(storeLocation(flags, ctx), (repository) => new Scheduler({ repository }).retry(id, when));
      print(ctx, flags, task, () => taskFields(task));
    });
}

function whenInput(flags: WhenFlags): { at?: number; delay?: number } {
  if (flags.at !== undefined && flags.delay !== undefined) throw new InvalidArgumentError('--at, --delay', 'one of them, not both', `--at ${flags.at} and --delay ${flags.delay}`, { described: true });
  if (flags.at !== undefined) return { at: parseIsoTime('--at', flags.at) };
  if (flags.delay !== undefined) return { delay: parseDuration('--delay', flags.delay, true) };
  return {};
}

/** The Scheduler input `add` asks for; throws before the store is opened when a flag is wrong. */
export function addInput(workId: string, flags: AddFlags): ScheduleInput {
  const given = (['at', 'delay', 'cron'] as const).filter((key) => flags[key] !== undefined);
  if (given.length !== 1) {
    throw new InvalidArgumentError('--at, --delay, --cron', 'exactly one of them', given.length === 0 ? 'none' : given.map((key) => `--${key}`).join(' and '), { described: true });
  }
  if (flags.tz !== undefined && flags.cron === undefined) throw new InvalidArgumentError('--tz', 'only with --cron', flags.tz);
  const input: { -readonly [K in keyof ScheduleInput]: ScheduleInput[K] } = { workId, ...whenInput(flags) };
  if (flags.cron !== undefined) input.schedule = cron(flags.cron, flags.tz === undefined ? {} : { timezone: flags.tz });
  if (flags.param !== undefined) input.param = parseJson('--param', flags.param);
  if (flags.id !== undefined) input.id = flags.id;
  if (flags.priority !== undefined) input.priority = parseInteger('--priority', flags.priority, -(2 ** 31 - 1), 2 ** 31 - 1);
  return input;
}
