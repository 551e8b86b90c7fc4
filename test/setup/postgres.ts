/**
 * vitest globalSetup: a throw-away PostgreSQL for the TypeORM tests, provided as `inject('pgUrl')`.
 *
 * - `PG_URL` set: that server is used as is (tests create and drop their own databases in it).
 * - Otherwise the newest `/usr/lib/postgresql/<version>/bin` (Debian's `postgresql` package) is
 *   used: initdb into a temp dir, a free loopback port, `postgres` started here and stopped by its
 *   pid at teardown, the dir removed. As root (CI containers) it runs as the `postgres` user.
 * - Under `CI=true` any failure fails the run. Elsewhere, missing binaries skip the PostgreSQL
 *   tests, loudly; a server that is present but fails to start still fails the run.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser URL of the test server, or null when the PostgreSQL tests are skipped. */
    pgUrl: string | null;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const given = process.env['PG_URL'];
  if (given !== undefined && given !== '') {
    project.provide('pgUrl', given);
    return undefined;
  }
  const bin = findBin();
  if (bin === undefined) {
    if (process.env['CI'] === 'true') throw new Error('CI=true but no PostgreSQL under /usr/lib/postgresql/*/bin: install the postgresql package or set PG_URL');
    const line = '!'.repeat(100);
    console.warn(`\n${line}\n!! SKIPPING the PostgreSQL tests: no /usr/lib/postgresql/*/bin/postgres and no PG_URL.\n!! Install Debian's postgresql package or set PG_URL to run them (CI=true makes this an error).\n${line}\n`);
    project.provide('pgUrl', null);
    return undefined;
  }
  const server = await startServer(bin);
  project.provide('pgUrl', server.url);
  return server.stop;
}

function findBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')) && existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/** PostgreSQL refuses to run as root; then run it as the `postgres` user the package creates. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const read = (flag: string): number => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = read('-u');
  const gid = read('-g');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root, and there is no postgres user to run PostgreSQL as');
  return { uid, gid };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** A running throw-away server: its URL, a fast restart on the same port and data, and its removal. */
export interface PgServer {
  readonly url: string;
  /** Fast shutdown (as `pg_ctl restart -m fast`: clients are cut off), then a start on the same port and data. */
  readonly restart: () => Promise<void>;
  readonly stop: () => Promise<void>;
}

/** A throw-away server of its own, for a test that must restart it (the shared one must never be). */
export async function startOwnServer(): Promise<PgServer> {
  const bin = findBin();
  if (bin === undefined) throw new Error('no PostgreSQL under /usr/lib/postgresql/*/bin');
  return startServer(bin);
}

async function startServer(bin: string): Promise<PgServer> {
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'kokugen-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  if (user !== undefined) chownSync(dir, user.uid, user.gid);
  const initdb = spawnSync(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], { encoding: 'utf8', ...user });
  if (initdb.status !== 0) throw new Error(`initdb failed (${initdb.status}): ${initdb.stderr || String(initdb.error)}`);
  const launch = async (port: number): Promise<{ child: ChildProcess; watchdog: ChildProcess }> => {
    const out = openSync(log, 'a');
    const child = spawn(
      join(bin, 'postgres'),
      // Throw-away data: durability settings off for speed (the crash tests kill clients, never the server).
      ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
      { stdio: ['ignore', out, out], ...user },
    );
    const watchdog = guard(child, dir);
    try {
      await waitReady(`postgres://postgres@127.0.0.1:${port}/postgres`, child);
      return { child, watchdog };
    } catch (error) {
      await stopServer(child, watchdog, undefined);
      throw error;
    }
  };
  let lastError: unknown;
  // A port found free can be taken before postgres binds it; try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    let running: { child: ChildProcess; watchdog: ChildProcess };
    try {
      running = await launch(port);
    } catch (error) {
      lastError = error;
      continue;
    }
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      restart: async () => {
        await stopServer(running.child, running.watchdog, undefined);
        running = await launch(port);
      },
      stop: () => stopServer(running.child, running.watchdog, dir),
    };
  }
  const tail = existsSync(log) ? readFileSync(log, 'utf8').slice(-2_000) : '';
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`PostgreSQL did not start: ${String(lastError)}\n${tail}`);
}

async function waitReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`postgres exited (${child.exitCode ?? child.signalCode})`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    } finally {
      await client.end().catch(() => undefined);
    }
    await sleep(100);
  }
}

/**
 * If this process dies without its teardown (killed by a timeout, say), the server must not live
 * on: a shell holding the read end of a pipe from us stops it by pid when that pipe closes, then
 * removes its dir.
 */
function guard(server: ChildProcess, dir: string): ChildProcess {
  const pid = String(server.pid);
  const script = `read _ignored; kill -INT ${pid} 2>/dev/null; while kill -0 ${pid} 2>/dev/null; do sleep 0.1; done; rm -rf "$0"`;
  return spawn('sh', ['-c', script, dir], { stdio: ['pipe', 'ignore', 'ignore'] });
}

/** Fast shutdown (SIGINT) by pid; SIGKILL if it lingers; then the data dir goes. */
async function stopServer(child: ChildProcess, watchdog: ChildProcess, dir: string | undefined): Promise<void> {
  if (watchdog.exitCode === null && watchdog.pid !== undefined) process.kill(watchdog.pid, 'SIGKILL');
  if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(child.pid, 'SIGINT');
    const timer = setTimeout(() => child.pid !== undefined && process.kill(child.pid, 'SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}
