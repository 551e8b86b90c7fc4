import { Command, CommanderError } from 'commander';
import { ErrorCode, KokugenError } from '../errors.js';
import type { CliContext } from './context.js';
import { registerStoreCommands } from './commands/store-commands.js';
import { registerTaskCommands } from './commands/task-commands.js';
import { registerSeriesCommands } from './commands/series-commands.js';
import { registerDashboardCommand } from './commands/dashboard-command.js';

/** Exit statuses: 0 success, 1 a command failed (the error's code on stderr), 2 bad usage (`ERR_INVALID_ARGUMENT`). */
export const ExitCode = { Ok: 0, Failed: 1, Usage: 2 } as const;

/**
 * The `kokugen` program. Commander collects raw strings; each command checks its flags itself
 * (src/bin/flags.ts) before it opens the store, so a refused command changes nothing.
 */
export function buildProgram(ctx: CliContext): Command {
  const program = new Command('kokugen')
    .description('Inspect and manage the tasks of a kokugen store (SQLite file or PostgreSQL).')
    .option('--db <location>', 'the store: an SQLite file or a postgres:// URL (default: $DATABASE_URL)')
    .option('--json', 'print JSON for scripts instead of tables')
    .exitOverride()
    .configureOutput({ writeOut: ctx.stdout, writeErr: ctx.stderr, outputError: () => undefined });
  registerStoreCommands(program, ctx);
  registerTaskCommands(program, ctx);
  registerSeriesCommands(program, ctx);
  registerDashboardCommand(program, ctx);
  return program;
}

/** Runs the program on `argv` (without node and the script) and returns the exit status. */
export async function run(argv: readonly string[], ctx: CliContext): Promise<number> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return ExitCode.Ok;
  } catch (error) {
    return report(error, ctx);
  }
}

/** One line on stderr, `kokugen: CODE: message`, so scripts can match on the code. */
function report(error: unknown, ctx: CliContext): number {
  if (error instanceof CommanderError) {
    // --help and --version end the parse with a "error" of exit code 0; plain `kokugen` prints help and fails.
    if (error.exitCode === 0) return ExitCode.Ok;
    if (error.code === 'commander.help' || error.code === 'commander.helpDisplayed') return ExitCode.Usage;
    ctx.stderr(`kokugen: ${ErrorCode.InvalidArgument}: ${error.message.replace(/^error: /, '')}\n`);
    return ExitCode.Usage;
  }
  if (error instanceof KokugenError) {
    ctx.stderr(`kokugen: ${error.code}: ${error.message}\n`);
    return error.code === ErrorCode.InvalidArgument ? ExitCode.Usage : ExitCode.Failed;
  }
  const code = typeof (error as { code?: unknown } | null)?.code === 'string' ? (error as { code: string }).code : error instanceof Error ? error.name : 'Error';
  ctx.stderr(`kokugen: ${code}: ${error instanceof Error ? error.message : String(error)}\n`);
  return ExitCode.Failed;
}
