// A throw-away PostgreSQL for W5 when PG_URL is not set: initdb into a temp dir, listen on a
// loopback port, stop it by its data dir (pg_ctl stop) at the end. Initdb refuses to run as root,
// so as root the server runs as the `postgres` user.
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** @returns {Promise<{ url: string, stop: () => void } | { error: string }>} */
export async function startPostgres() {
  const bin = findBin();
  if (bin === undefined) return { error: 'initdb/pg_ctl not found (apt-get install -y postgresql)' };
  const dir = mkdtempSync(join(tmpdir(), 'kokugen-bench-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  const asRoot = userInfo().uid === 0;
  const run = (cmd, args) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), args];
    return execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  };
  try {
    if (asRoot) chownSync(dir, uidOf('postgres'), gidOf('postgres'));
    run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=50`;
    run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return { error: `could not start PostgreSQL: ${String(error.stderr ?? error.message).trim().split('\n').pop()}` };
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

function findBin() {
  for (const candidate of ['/usr/local/bin', ...['17', '16', '15', '14', '13'].map((v) => `/usr/lib/postgresql/${v}/bin`)]) {
    try {
      execFileSync(join(candidate, 'pg_ctl'), ['--version'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

function uidOf(user) {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
}

function gidOf(user) {
  return Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}
