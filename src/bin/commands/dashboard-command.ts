import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { createDashboard } from '../../dashboard.js';
import { InvalidArgumentError } from '../../errors.js';
import { print, storeLocation, withStore } from '../context.js';
import type { CliContext, GlobalFlags } from '../context.js';
import { parseInteger } from '../flags.js';

interface DashboardFlags extends GlobalFlags {
  readonly port?: string;
  readonly token?: string;
}

/** Loopback only: the dashboard has no TLS, and its actions are guarded by a token alone. */
const host = '127.0.0.1';

/**
 * `dashboard`: serves `createDashboard` over HTTP until the process is told to stop (SIGINT or
 * SIGTERM), then closes the server and the store. The token may come from the environment
 * (KOKUGEN_DASHBOARD_TOKEN) so that it does not show in the process list.
 */
export function registerDashboardCommand(program: Command, ctx: CliContext): void {
  program
    .command('dashboard')
    .description('serve the web dashboard on 127.0.0.1 until interrupted')
    .option('--port <n>', 'the port; 0 picks a free one', '8080')
    .option('--token <token>', 'allow actions to clients that present it, 16+ characters (default: $KOKUGEN_DASHBOARD_TOKEN; none: read-only)')
    .action(async (_options: unknown, command: Command) => {
      const flags = command.optsWithGlobals<DashboardFlags>();
      const port = parseInteger('--port', flags.port ?? '8080', 0, 65_535);
      const token = flags.token ?? ctx.env['KOKUGEN_DASHBOARD_TOKEN'];
      // createDashboard() checks this too, but only once the store is open: refuse it before.
      if (token !== undefined && (token.length < 16 || token.length > 1024)) throw new InvalidArgumentError('--token', 'a string of 16 to 1024 characters', `a string of length ${token.length}`, { described: true });
      await withStore(storeLocation(flags, ctx), async (repository) => {
        const handler = createDashboard({ repository, clock: ctx.clock, onError: (error) => ctx.stderr(`kokugen dashboard: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`), ...(token === undefined ? {} : { token }) });
        const server = createServer((req, res) => void handler(req, res));
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(port, host, () => {
            server.off('error', reject);
            resolve();
          });
        });
        const url = `http://${host}:${(server.address() as AddressInfo).port}/`;
        print(ctx, flags, { url, actions: token !== undefined }, () => `dashboard on ${url}${token === undefined ? ' (read-only: no token)' : ''} (Ctrl-C to stop)\n`);
        await ctx.stopped();
        await new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        });
      });
    });
}
