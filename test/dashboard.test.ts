import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDashboard } from '../src/dashboard.js';
import type { DashboardOptions } from '../src/dashboard.js';
import { ErrorCode, HeapRepository, TaskState } from '../src/index.js';
import type { TaskRepository } from '../src/index.js';
import { FakeClock } from '../src/testing/index.js';
import { NOW, seed } from './dashboard/seed.js';
import type { Seeded } from './dashboard/seed.js';
import { serve } from './dashboard/serve.js';
import { kit } from './helpers.js';

const token = 'a-test-token-of-enough-length';

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

let repository: HeapRepository;
let seeded: Seeded;
let clock: FakeClock;
let server: { url: string; close: () => Promise<void> } | undefined;

beforeEach(async () => {
  clock = new FakeClock(NOW);
  repository = new HeapRepository();
  seeded = await seed(repository);
});

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: Partial<DashboardOptions> = {}, mount = ''): Promise<string> {
  server = await serve({ repository, clock, ...options }, mount);
  return server.url;
}

async function http(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, { redirect: 'manual', ...init });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

function post(url: string, headers: Record<string, string> = {}, body = ''): Promise<Answer> {
  return http(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
}

/** Signs in with the token and returns the session cookie. */
async function signIn(base: string): Promise<string> {
  const answer = await post(`${base}/login`, { origin: base }, `token=${encodeURIComponent(token)}`);
  expect(answer.status).toBe(303);
  const cookie = answer.headers.get('set-cookie') ?? '';
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Strict/);
  expect(cookie).not.toContain(token);
  return cookie.split(';')[0] as string;
}

describe('createDashboard options', () => {
  const bad: Array<[string, Record<string, unknown>]> = [
    ['not an object', null as unknown as Record<string, unknown>],
    ['unknown key', { repository: new HeapRepository(), colour: 'red' }],
    ['no repository', {}],
    ['a short token', { repository: new HeapRepository(), token: 'short' }],
    ['a token that is not a string', { repository: new HeapRepository(), token: 42 }],
    ['a basePath with a trailing slash', { repository: new HeapRepository(), basePath: '/admin/' }],
    ['a basePath with a query', { repository: new HeapRepository(), basePath: '/a?b' }],
    ['a scheduler that is not one', { repository: new HeapRepository(), scheduler: {} }],
    ['an onError that is not a function', { repository: new HeapRepository(), onError: 1 }],
  ];
  for (const [name, options] of bad) {
    it(`refuses ${name} with ERR_INVALID_ARGUMENT`, () => {
      expect(() => createDashboard(options as unknown as DashboardOptions)).toThrow(expect.objectContaining({ code: ErrorCode.InvalidArgument }));
    });
  }

  it('never echoes a bad token in the error', () => {
    let message = '';
    try {
      createDashboard({ repository: new HeapRepository(), token: 'secret-ish' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/dashboard token/);
    expect(message).not.toContain('secret-ish');
  });
});

describe('dashboard pages over loopback HTTP', () => {
  it('overview: counts by state and work, and both charts', async () => {
    const base = await start();
    const page = await http(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const count = (state: string): number => Number(new RegExp(`data-state="${state}">(\\d+)<`).exec(page.text)?.[1]);
    expect(count(TaskState.Done)).toBe(seeded.done.length);
    expect(count(TaskState.Failed)).toBe(2);
    expect(count(TaskState.Dispatched)).toBe(1);
    expect(count(TaskState.Cancelled)).toBe(1);
    expect(count(TaskState.Expired)).toBe(1);
    expect(count(TaskState.Scheduled)).toBe(seeded.scheduled.length + seeded.seriesIds.length);
    expect(page.text.match(/<svg /g)).toHaveLength(2);
    // Every done task ended within the hour: the throughput bars add up to them.
    const doneBars = [...page.text.matchAll(/<title>done: (\d+)<\/title>/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(doneBars).toBe(seeded.done.length);
    // The running task started 1.5 s late, the latest run of the hour.
    expect(page.text).toMatch(/<title>max: 1\.5 s<\/title><\/rect>\n<text x="48"/);
    expect(page.text).toContain('href="/tasks?work=charge"');
  });

  it('tasks: filters by state, work and series, and pages', async () => {
    const base = await start();
    const failed = await http(`${base}/tasks?state=failed`);
    expect(failed.status).toBe(200);
    const ids = (text: string): string[] => [...text.matchAll(/<tr data-id="([^"]*)"/g)].map((m) => m[1] as string);
    expect(ids(failed.text).sort()).toEqual(['&lt;b&gt;hostile&lt;/b&gt;', 'charge-7']);
    expect(ids((await http(`${base}/tasks?work=report&state=done`)).text)).toEqual(['report-0', 'report-3', 'report-6', 'report-9']);
    expect(ids((await http(`${base}/tasks?series=backup`)).text)).toHaveLength(1);
    const first = await http(`${base}/tasks?state=done&limit=5`);
    expect(ids(first.text)).toHaveLength(5);
    const next = /href="([^"]*)" rel="next"/.exec(first.text)?.[1]?.replaceAll('&amp;', '&');
    expect(next).toBe('/tasks?state=done&limit=5&offset=5');
    const third = await http(`${base}/tasks?state=done&limit=5&offset=10`);
    expect(ids(third.text)).toHaveLength(2);
    expect(third.text).not.toContain('rel="next"');
    expect(third.text).toContain('rel="prev"');
  });

  it('find by id redirects to the task, an unknown one is a typed 404', async () => {
    const base = await start();
    const found = await http(`${base}/tasks?id=charge-7`);
    expect(found.status).toBe(303);
    expect(found.headers.get('location')).toBe('/tasks/charge-7');
    const missing = await http(`${base}/tasks/nope`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('kokugen-error-code')).toBe(ErrorCode.TaskNotFound);
  });

  it('task detail: param, result, every attempt error and a timeline', async () => {
    const base = await start();
    const page = await http(`${base}/tasks/charge-7`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('&quot;amount&quot;: 42');
    expect(page.text).toContain('first try: declined');
    expect(page.text).toContain('second try: declined');
    expect(page.text.match(/attempt \d failed/g)).toEqual(['attempt 1 failed', 'attempt 2 failed']);
    const done = await http(`${base}/tasks/${seeded.done[0]?.id}`);
    expect(done.text).toMatch(/id="result"><pre>\{\n {2}&quot;sent&quot;: 0\n\}<\/pre>/);
  });

  it('series: next runs from the schedule and the current occurrence', async () => {
    const base = await start();
    const page = await http(`${base}/series`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-id="cleanup"');
    expect(page.text).toContain(new Date(NOW + 15 * 60_000).toISOString());
    expect(page.text).toContain(new Date(NOW + 75 * 60_000).toISOString());
  });

  it('series: one kokugen disabled shows why, escaped', async () => {
    await repository.setSeriesEnabled('backup', false, NOW, undefined, { name: 'InvalidScheduleError', message: 'the schedule produced <b>no</b> time' });
    const base = await start();
    const page = await http(`${base}/series`);
    expect(page.text).toMatch(/<tr data-id="backup">[\s\S]*?<strong>no<\/strong><div class="series-error"><code>InvalidScheduleError<\/code> the schedule produced &lt;b&gt;no&lt;\/b&gt; time<\/div>/);
  });

  it('escapes every stored value: markup in params, ids and errors renders as text', async () => {
    const base = await start({ token });
    const cookie = await signIn(base);
    const id = encodeURIComponent(seeded.hostile.id);
    for (const path of [`/tasks/${id}`, '/tasks?state=failed', '/tasks?work=mail']) {
      const page = await http(`${base}${path}`, { headers: { cookie } });
      expect(page.status, path).toBe(200);
      expect(page.text).not.toMatch(/<script|<img|<b>|<i>/);
    }
    const detail = await http(`${base}/tasks/${id}`, { headers: { cookie } });
    expect(detail.text).toContain('&lt;script&gt;window.__pwned = true&lt;/script&gt;');
    expect(detail.text).toContain('onerror=\\&quot;window.__pwned=true\\&quot;');
    expect(detail.text).toContain('&lt;i&gt;Evil&lt;/i&gt;');
  });

  it('HEAD answers headers only', async () => {
    const base = await start();
    const head = await http(`${base}/tasks`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
  });
});

describe('bad requests get a typed 4xx', () => {
  const cases: Array<[string, string, string | undefined, number, string]> = [
    ['a non-integer limit', '/tasks?limit=abc', undefined, 400, ErrorCode.InvalidArgument],
    ['a limit of 0', '/tasks?limit=0', undefined, 400, ErrorCode.InvalidArgument],
    ['a negative offset', '/tasks?offset=-1', undefined, 400, ErrorCode.InvalidArgument],
    ['an unknown state', '/tasks?state=sleeping', undefined, 400, ErrorCode.InvalidArgument],
    ['an unknown query key', '/tasks?colour=red', undefined, 400, ErrorCode.InvalidArgument],
    ['a repeated query key', '/tasks?state=done&state=failed', undefined, 400, ErrorCode.InvalidArgument],
    ['a query on the overview', '/?x=1', undefined, 400, ErrorCode.InvalidArgument],
    ['bad percent-encoding', '/tasks/%E0%A4%A', undefined, 400, ErrorCode.InvalidArgument],
    ['an unknown route', '/nope', undefined, 404, ErrorCode.RouteNotFound],
    ['an unknown action', '/tasks/charge-7/explode', 'POST', 404, ErrorCode.RouteNotFound],
    ['a deep path', '/tasks/a/b/c', undefined, 404, ErrorCode.RouteNotFound],
    ['PUT on a page', '/tasks', 'PUT', 405, ErrorCode.MethodNotAllowed],
    ['GET on an action', '/tasks/charge-7/retry', undefined, 405, ErrorCode.MethodNotAllowed],
    ['DELETE on an action', '/series/cleanup/disable', 'DELETE', 405, ErrorCode.MethodNotAllowed],
  ];
  for (const [name, path, method, status, code] of cases) {
    it(`${name}: ${status} ${code}`, async () => {
      const base = await start({ token });
      const answer = await http(`${base}${path}`, method === undefined ? {} : { method });
      expect(answer.status).toBe(status);
      expect(answer.headers.get('kokugen-error-code')).toBe(code);
      expect(answer.text).toContain(code);
    });
  }

  it('405 lists the allowed methods; JSON clients get JSON', async () => {
    const base = await start();
    const answer = await http(`${base}/tasks?limit=abc`, { headers: { accept: 'application/json' } });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.text)).toEqual({ error: { code: ErrorCode.InvalidArgument, message: expect.stringMatching(/limit/) } });
    expect((await http(`${base}/`, { method: 'DELETE' })).headers.get('allow')).toBe('GET, HEAD');
  });

  it('a store that fails gives a 500 and onError, and the server keeps answering', async () => {
    const failures: unknown[] = [];
    const broken = new Proxy(repository, {
      get: (target, key) => {
        if (key === 'find') return () => Promise.reject(new Error('disk on fire'));
        const value = Reflect.get(target, key) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    }) as TaskRepository;
    const base = await start({ repository: broken, onError: (error) => failures.push(error) });
    const answer = await http(`${base}/tasks`);
    expect(answer.status).toBe(500);
    expect(answer.text).not.toContain('disk on fire');
    expect(failures).toEqual([expect.objectContaining({ message: 'disk on fire' })]);
    expect((await http(`${base}/tasks/charge-7`)).status).toBe(200);
  });
});

describe('actions', () => {
  it('without a token the dashboard is read-only: no buttons, every POST refused', async () => {
    const base = await start();
    const page = await http(`${base}/tasks/charge-7`);
    expect(page.text).not.toContain('<form method="post"');
    expect(page.text).toContain('read-only');
    for (const path of ['/tasks/charge-7/retry', '/series/cleanup/disable', '/login']) {
      const answer = await post(`${base}${path}`, {}, path === '/login' ? `token=${token}` : '');
      expect(answer.status, path).toBe(403);
      expect(answer.headers.get('kokugen-error-code')).toBe(ErrorCode.Forbidden);
    }
    expect((await repository.get('charge-7'))?.state).toBe(TaskState.Failed);
  });

  it('with a token: refused without a session, a wrong token is refused, signing in allows retry', async () => {
    const base = await start({ token });
    expect((await post(`${base}/tasks/charge-7/retry`)).status).toBe(403);
    expect((await post(`${base}/tasks/charge-7/retry`, { cookie: 'kokugen_dashboard=forged' })).status).toBe(403);
    const wrong = await post(`${base}/login`, {}, 'token=wrong-token-of-some-length');
    expect(wrong.status).toBe(403);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect((await repository.get('charge-7'))?.state).toBe(TaskState.Failed);
    const cookie = await signIn(base);
    expect((await http(`${base}/tasks/charge-7`, { headers: { cookie } })).text).toContain('data-action="retry"');
    const retried = await post(`${base}/tasks/charge-7/retry`, { cookie, origin: base, 'sec-fetch-site': 'same-origin' }, 'action=retry');
    expect(retried.status).toBe(303);
    expect(retried.headers.get('location')).toBe('/tasks/charge-7');
    const task = await repository.get('charge-7');
    expect(task?.state).toBe(TaskState.Scheduled);
    expect(task?.errors).toHaveLength(2);
  });

  it('refuses cross-site posts even with a valid session', async () => {
    const base = await start({ token });
    const cookie = await signIn(base);
    const attempts: Array<Record<string, string>> = [
      { cookie, origin: 'http://evil.example' },
      { cookie, origin: 'null' },
      { cookie, 'sec-fetch-site': 'cross-site' },
      { cookie, 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of attempts) {
      const answer = await post(`${base}/tasks/mail-future-1/cancel`, headers);
      expect(answer.status, JSON.stringify(headers)).toBe(403);
      expect(answer.headers.get('kokugen-error-code')).toBe(ErrorCode.Forbidden);
    }
    expect((await post(`${base}/login`, { origin: 'http://evil.example' }, `token=${token}`)).status).toBe(403);
    expect((await repository.get('mail-future-1'))?.state).toBe(TaskState.Scheduled);
  });

  it('a bearer token works for scripts; cancel, run now, disable and enable', async () => {
    const base = await start({ token });
    const auth = { authorization: `Bearer ${token}` };
    expect((await post(`${base}/tasks/mail-future-1/cancel`, auth)).status).toBe(303);
    expect((await repository.get('mail-future-1'))?.state).toBe(TaskState.Cancelled);
    expect((await post(`${base}/tasks/mail-future-2/run`, auth)).status).toBe(303);
    expect((await repository.get('mail-future-2'))?.scheduledAt).toBe(NOW);
    expect((await post(`${base}/series/cleanup/disable`, auth)).status).toBe(303);
    expect((await repository.getSeries('cleanup'))?.enabled).toBe(false);
    expect((await post(`${base}/series/cleanup/enable`, auth)).status).toBe(303);
    expect((await repository.getSeries('cleanup'))?.enabled).toBe(true);
    expect((await post(`${base}/tasks/mail-future-1/cancel`, { authorization: 'Bearer not-the-token-at-all' })).status).toBe(403);
  });

  it('an action the task state does not allow is a typed 409, and changes nothing', async () => {
    const base = await start({ token });
    const auth = { authorization: `Bearer ${token}` };
    const answer = await post(`${base}/tasks/${seeded.done[0]?.id}/retry`, auth);
    expect(answer.status).toBe(409);
    expect(answer.headers.get('kokugen-error-code')).toMatch(/^ERR_/);
    expect((await repository.get(seeded.done[0]?.id as string))?.state).toBe(TaskState.Done);
    expect((await post(`${base}/series/nope/disable`, auth)).headers.get('kokugen-error-code')).toBe(ErrorCode.SeriesNotFound);
  });

  it('refuses unknown form fields and other content types', async () => {
    const base = await start({ token });
    const auth = { authorization: `Bearer ${token}` };
    expect((await post(`${base}/tasks/mail-future-1/cancel`, auth, 'evil=1')).status).toBe(400);
    expect((await post(`${base}/tasks/mail-future-1/cancel`, { ...auth, 'content-type': 'application/json' }, '{}')).status).toBe(400);
    expect((await post(`${base}/tasks/mail-future-1/cancel?x=1`, auth)).status).toBe(400);
    expect((await post(`${base}/tasks/mail-future-1/cancel`, auth, `action=${'x'.repeat(10_000)}`)).status).toBe(400);
    expect((await repository.get('mail-future-1'))?.state).toBe(TaskState.Scheduled);
  });
});

describe('mounted under a base path', () => {
  it('links carry the base path; requests work with it or with it stripped by a framework', async () => {
    const direct = await start({ token, basePath: '/admin/jobs' });
    const page = await http(`${direct}/admin/jobs/tasks?state=failed`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('href="/admin/jobs/tasks/charge-7"');
    expect(page.text).not.toMatch(/href="\/tasks/);
    const login = await post(`${direct}/admin/jobs/login`, {}, `token=${token}`);
    expect(login.headers.get('set-cookie')).toContain('Path=/admin/jobs;');
    expect(login.headers.get('location')).toBe('/admin/jobs/');
    await server?.close();
    const stripped = await start({ basePath: '/admin/jobs' }, '/admin/jobs');
    const again = await http(`${stripped}/admin/jobs/tasks/charge-7`);
    expect(again.status).toBe(200);
    expect(again.text).toContain('href="/admin/jobs/series"');
  });
});

describe('with the application\'s scheduler', () => {
  it('runs actions through it: run now wakes its loop and the task runs at once', async () => {
    const { scheduler, clock: appClock, repository: appRepository, events } = kit();
    await scheduler.start();
    try {
      const task = await scheduler.schedule({ id: 'later', workId: 'record', param: 'hi', delay: 3_600_000 });
      server = await serve({ repository: appRepository, scheduler, clock: appClock, token });
      const answer = await post(`${server.url}/tasks/later/run`, { authorization: `Bearer ${token}` });
      expect(answer.status).toBe(303);
      await appClock.advance(0);
      const ended = await scheduler.wait(task.id);
      expect(ended.state).toBe(TaskState.Done);
      expect(ended.dispatchedAt).toBe(task.createdAt);
      expect(events.map(([name]) => name)).toContain('task:done');
    } finally {
      await scheduler.stop();
    }
  });
});
