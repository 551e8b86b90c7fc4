import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ErrorCode, TaskState } from '../src/index.js';
import { FakeClock } from '../src/testing/index.js';
import { describeBrowser, launchChromium } from './dashboard/chromium.js';
import { hostileParam, NOW, seed } from './dashboard/seed.js';
import { serve } from './dashboard/serve.js';
import { openStore } from './typeorm/stores.js';
import type { StoreFixture } from './typeorm/stores.js';

const token = 'browser-test-token-0123456789';
const shots = fileURLToPath(new URL('../.tmp/dashboard/', import.meta.url));

describeBrowser('the dashboard in a real Chromium, over a SQLite file store', () => {
  let store: StoreFixture;
  let dashboard: { url: string; close: () => Promise<void> };
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  let evil: Server;
  let evilUrl: string;

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    store = await openStore('sqlite');
    await seed(store.repository);
    dashboard = await serve({ repository: store.repository, clock: new FakeClock(NOW), token });
    // Another origin (same host, other port: same-site but cross-origin) that posts to the dashboard.
    evil = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<form method="post" action="${dashboard.url}/tasks/mail-cancel/retry"><input type="hidden" name="action" value="retry"><button id="go">win a prize</button></form>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    evilUrl = `http://127.0.0.1:${(evil.address() as AddressInfo).port}/`;
    browser = await launchChromium();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (evil === undefined ? resolve() : evil.close(() => resolve())));
    await dashboard?.close();
    await store?.close();
  });

  const shot = (name: string): Promise<Buffer> => page.screenshot({ path: `${shots}${name}.png` });
  const cell = (state: string): Promise<string | null> => page.locator(`#by-state a[data-state="${state}"]`).textContent();

  it('overview: counts by state, charts, counts by work', { timeout: 60_000 }, async () => {
    await page.goto(`${dashboard.url}/`);
    expect(await page.title()).toBe('Overview · kokugen');
    expect(await cell(TaskState.Done)).toBe('12');
    expect(await cell(TaskState.Failed)).toBe('2');
    expect(await cell(TaskState.Dispatched)).toBe('1');
    expect(await page.locator('figure.chart svg').count()).toBe(2);
    expect(await page.locator('figure.chart rect.done').count()).toBeGreaterThan(0);
    expect(await page.locator('#by-work tr').count()).toBe(6);
    await shot('overview');
  });

  it('tasks: filter by state and work with the form, then page', { timeout: 60_000 }, async () => {
    await page.click('header nav >> text=Tasks');
    await page.selectOption('#filters select[name=state]', 'done');
    await page.selectOption('#filters select[name=work]', 'mail');
    await page.fill('#filters input[name=limit]', '3');
    await page.click('#filters button');
    expect(new URL(page.url()).search).toBe('?state=done&work=mail&series=&limit=3');
    expect(await page.locator('#tasks tr[data-id]').count()).toBe(3);
    await shot('tasks');
    await page.click('a[rel=next]');
    expect(await page.locator('#tasks tr[data-id]').count()).toBe(3);
    expect(new URL(page.url()).searchParams.get('offset')).toBe('3');
    await page.fill('#find input[name=id]', 'charge-7');
    await page.click('#find button');
    expect(new URL(page.url()).pathname).toBe('/tasks/charge-7');
    expect(await page.locator('#errors tr').count()).toBe(3);
    await shot('task-detail');
  });

  it('a param holding <script> renders as text and never runs', { timeout: 60_000 }, async () => {
    await page.goto(`${dashboard.url}/tasks/${encodeURIComponent('<b>hostile</b>')}`);
    expect(await page.locator('#param pre').textContent()).toBe(JSON.stringify(hostileParam, null, 2));
    expect(await page.locator('#error').textContent()).toContain('<script>window.__pwned = true</script>');
    expect(await page.locator('main script, main img, main b, main i').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { __pwned?: boolean }).__pwned)).toBeUndefined();
    await shot('escaped');
  });

  it('a POST without the token is refused, and there is no button to press', { timeout: 60_000 }, async () => {
    await page.goto(`${dashboard.url}/tasks/charge-7`);
    expect(await page.locator('#actions button').count()).toBe(0);
    const answer = await browser.context.request.post(`${dashboard.url}/tasks/charge-7/retry`, { form: { action: 'retry' }, maxRedirects: 0 });
    expect(answer.status()).toBe(403);
    expect(answer.headers()['kokugen-error-code']).toBe(ErrorCode.Forbidden);
    expect((await store.repository.get('charge-7'))?.state).toBe(TaskState.Failed);
  });

  it('sign in, click retry on a failed task and see it scheduled again', { timeout: 60_000 }, async () => {
    await page.goto(`${dashboard.url}/login`);
    await page.fill('#login input[name=token]', token);
    await page.click('#login button');
    await page.waitForURL(`${dashboard.url}/`);
    expect(await page.locator('header button').textContent()).toBe('Sign out');
    await page.goto(`${dashboard.url}/tasks?state=failed`);
    await page.click('#tasks a >> text=charge-7');
    expect(await page.locator('#state').textContent()).toBe(TaskState.Failed);
    await page.click('#actions button[data-action=retry]');
    expect(new URL(page.url()).pathname).toBe('/tasks/charge-7');
    expect(await page.locator('#state').textContent()).toBe(TaskState.Scheduled);
    expect((await store.repository.get('charge-7'))?.state).toBe(TaskState.Scheduled);
    await shot('retried');
  });

  it('a form on another origin cannot act, even with the session cookie', { timeout: 60_000 }, async () => {
    await page.goto(evilUrl);
    await page.click('#go');
    expect(await page.locator('#error-code').textContent()).toBe(ErrorCode.Forbidden);
    expect((await store.repository.get('mail-cancel'))?.state).toBe(TaskState.Cancelled);
  });

  it('series: next runs, disable and enable', { timeout: 60_000 }, async () => {
    await page.goto(`${dashboard.url}/series`);
    const row = page.locator('#series tr[data-id=cleanup]');
    expect(await row.locator('.enabled').textContent()).toBe('yes');
    expect(await row.locator('time').count()).toBe(6);
    await shot('series');
    await row.locator('button[data-action=disable]').click();
    expect(await page.locator('#series tr[data-id=cleanup] .enabled').textContent()).toBe('no');
    expect((await store.repository.getSeries('cleanup'))?.enabled).toBe(false);
    await page.locator('#series tr[data-id=cleanup] button[data-action=enable]').click();
    expect(await page.locator('#series tr[data-id=cleanup] .enabled').textContent()).toBe('yes');
    await page.goto(`${dashboard.url}/`);
    await shot('overview-signed-in');
  });

  it('bad requests show a typed error page', { timeout: 60_000 }, async () => {
    const answer = await page.goto(`${dashboard.url}/tasks?limit=abc`);
    expect(answer?.status()).toBe(400);
    expect(await page.locator('#error-code').textContent()).toBe(ErrorCode.InvalidArgument);
    expect((await page.goto(`${dashboard.url}/nowhere`))?.status()).toBe(404);
  });
});
