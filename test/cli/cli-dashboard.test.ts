import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Task } from '../../src/index.js';
import { createStore } from '../typeorm/stores.js';
import { kokugen, kokugenJson, startKokugen } from './run-cli.js';
import type { RunningCli } from './run-cli.js';

/**
 * `kokugen dashboard` as a child process on a real SQLite file: it prints its URL (port 0, so the
 * system picks a free port), answers over loopback while other kokugen processes use the same
 * store, and exits with status 0 when told to stop.
 */
const slow = { timeout: 60_000 };
const token = 'a-token-of-32-characters-or-so!!';
let db = '';
let drop: () => Promise<void> = () => Promise.resolve();
let running: RunningCli | undefined;

beforeAll(async () => {
  ({ location: db, drop } = await createStore('sqlite'));
  await kokugenJson<Task>(['--db', db, 'add', 'send-mail', '--delay', '1h', '--id', 'mail-1', '--param', '{"to":"ada@example.com"}']);
});
afterEach(async () => {
  await running?.stop('SIGKILL');
  running = undefined;
});
afterAll(() => drop());

describe('kokugen dashboard', () => {
  it('serves the pages on 127.0.0.1, runs token-guarded actions, and stops on SIGTERM', slow, async () => {
    running = startKokugen(['--db', db, 'dashboard', '--port', '0'], { KOKUGEN_DASHBOARD_TOKEN: token });
    const [, url] = await running.line(/^dashboard on (http:\/\/127\.0\.0\.1:\d+\/) \(Ctrl-C to stop\)$/m);

    const overview = await fetch(`${url}`);
    expect(overview.status).toBe(200);
    expect(overview.headers.get('content-type')).toMatch(/^text\/html/);
    const detail = await fetch(`${url}tasks/mail-1`);
    expect(detail.status).toBe(200);
    expect(await detail.text()).toContain('ada@example.com');

    const wrong = await fetch(`${url}tasks/mail-1/cancel`, { method: 'POST', redirect: 'manual', headers: { authorization: 'Bearer not-the-token-at-all' } });
    expect(wrong.status).toBe(403);
    const cancel = await fetch(`${url}tasks/mail-1/cancel`, { method: 'POST', redirect: 'manual', headers: { authorization: `Bearer ${token}` } });
    expect(cancel.status).toBe(303);
    expect((await kokugenJson<Task>(['--db', db, 'show', 'mail-1'])).state).toBe('cancelled');

    expect(await running.stop('SIGTERM')).toBe(0);
    expect(running.stderr()).toBe('');
  });

  it('without a token it is read-only', slow, async () => {
    running = startKokugen(['--db', db, 'dashboard', '--port', '0', '--json']);
    const [, json] = await running.line(/^(\{[^]*\})\n/);
    const { url, actions } = JSON.parse(json ?? '') as { url: string; actions: boolean };
    expect(actions).toBe(false);
    const retry = await fetch(`${url}tasks/mail-1/retry`, { method: 'POST', redirect: 'manual', headers: { authorization: `Bearer ${token}` } });
    expect(retry.status).toBe(403);
    expect(retry.headers.get('kokugen-error-code')).toBe('ERR_FORBIDDEN');
    expect(await running.stop('SIGINT')).toBe(0);
  });

  it('refuses a short token and a bad port before opening the store', async () => {
    for (const args of [['--token', 'short'], ['--port', '70000'], ['--port', 'http']]) {
      const result = await kokugen(['--db', `${db}.never`, 'dashboard', ...args]);
      expect(result.code, args.join(' ')).toBe('ERR_INVALID_ARGUMENT');
      expect(result.stdout).toBe('');
      expect(existsSync(`${db}.never`)).toBe(false);
    }
  });

  it('reports a port in use with a non-zero exit', slow, async () => {
    running = startKokugen(['--db', db, 'dashboard', '--port', '0']);
    const [, port] = await running.line(/127\.0\.0\.1:(\d+)\//);
    const second = await kokugen(['--db', db, 'dashboard', '--port', port ?? '']);
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/^kokugen: EADDRINUSE: /);
  });
});
