import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDashboard } from '../../src/dashboard.js';
import type { DashboardOptions } from '../../src/dashboard.js';

/** A dashboard on a real loopback server (port 0); `close` stops it. */
export async function serve(options: DashboardOptions, mount = ''): Promise<{ readonly url: string; readonly close: () => Promise<void> }> {
  const handler = createDashboard(options);
  const server = createServer((req, res) => {
    // Like a framework mounted at `mount`: strip it before the handler sees the path.
    if (mount !== '' && req.url?.startsWith(mount) === true) req.url = req.url.slice(mount.length) || '/';
    void handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}
