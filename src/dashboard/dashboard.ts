import type { IncomingMessage, ServerResponse } from 'node:http';
import { ForbiddenError, InvalidArgumentError, KokugenError, MethodNotAllowedError, RouteNotFoundError } from '../errors.js';
import type { RepositoryStats } from '../repository/task-repository.js';
import { reviveSchedule } from '../schedule/revive.js';
import type { Series } from '../schedule/series.js';
import { TaskState } from '../task/task.js';
import type { Task } from '../task/task.js';
import { checkId } from '../validation/validate.js';
import { recentActivity } from './activity.js';
import { Guard } from './guard.js';
import { href } from './layout.js';
import type { PageContext } from './layout.js';
import { checkDashboardOptions } from './options.js';
import type { CheckedDashboardOptions, DashboardOptions } from './options.js';
import { errorPage } from './pages/error.js';
import { loginPage } from './pages/login.js';
import { overviewPage } from './pages/overview.js';
import type { SeriesRow } from './pages/series.js';
import { seriesPage } from './pages/series.js';
import { taskDetailPage } from './pages/task-detail.js';
import { tasksPage } from './pages/tasks.js';
import { Query } from './query.js';
import { allowHeader, readForm, redirect, sendHtml, sendJsonError, statusOf, wantsJson } from './respond.js';

/** A Node request handler: mount it in `http.createServer`, Express, or any framework's raw hook. */
export type DashboardHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The last hour, in one-minute bars. */
const windowMs = 3_600_000;
const buckets = 60;
/** How many of the newest done and failed tasks the charts read. */
const activitySample = 2_000;
const defaultLimit = 50;
const maxLimit = 1_000;
const upcomingCount = 5;

const readMethods = ['GET', 'HEAD'] as const;
const writeMethods = ['POST'] as const;

/**
 * The dashboard: server-rendered pages over a repository, and POST actions through a Scheduler.
 * See docs/dashboard.md. The handler never rejects: every failure becomes a 4xx page with the
 * error's code (the request's fault) or a 500 (the store's, passed to `onError`).
 */
export function createDashboard(options: DashboardOptions): DashboardHandler {
  const dashboard = new Dashboard(checkDashboardOptions(options));
  return (req, res) => dashboard.handle(req, res);
}

class Dashboard {
  readonly #options: CheckedDashboardOptions;
  readonly #guard: Guard;

  constructor(options: CheckedDashboardOptions) {
    this.#options = options;
    this.#guard = new Guard(options.token, options.basePath === '' ? '/' : options.basePath);
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ctx = this.#context(req);
    try {
      const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
      const segments = this.#segments(url.pathname);
      await this.#route(req, res, ctx, segments, url.searchParams);
    } catch (error) {
      this.#fail(req, res, ctx, error);
    }
  }

  #context(req: IncomingMessage): PageContext {
    return { base: this.#options.basePath, now: this.#options.clock.now(), actions: !this.#guard.readOnly, signedIn: this.#guard.signedIn(req.headers) };
  }

  /** The path below the mount point, split and decoded: [] for the overview. */
  #segments(pathname: string): string[] {
    const base = this.#options.basePath;
    let path = pathname;
    if (base !== '' && (path === base || path.startsWith(`${base}/`))) path = path.slice(base.length);
    const parts = path.split('/').filter((part, i, all) => !(part === '' && (i === 0 || i === all.length - 1)));
    try {
      return parts.map((part) => decodeURIComponent(part));
    } catch (error) {
      throw new InvalidArgumentError('request path', 'valid percent-encoding', pathname, { cause: error });
    }
  }

  async #route(req: IncomingMessage, res: ServerResponse, ctx: PageContext, segments: readonly string[], params: URLSearchParams): Promise<void> {
    const [first, second, third, ...rest] = segments;
    const path = `/${segments.join('/')}`;
    if (rest.length > 0) throw new RouteNotFoundError(path);
    if (first === undefined) return this.#read(req, params, () => this.#overview(req, res, ctx));
    if (first === 'tasks' && second === undefined) return this.#read(req, params, (query) => this.#tasks(req, res, ctx, query), ['state', 'work', 'series', 'limit', 'offset', 'id']);
    if (first === 'tasks' && second !== undefined && third === undefined) return this.#read(req, params, () => this.#task(req, res, ctx, checkId(second)));
    if (first === 'tasks' && second !== undefined && (third === 'cancel' || third === 'retry' || third === 'run')) {
      return this.#write(req, params, async () => {
        await this.#taskAction(checkId(second), third);
        redirect(res, href(ctx, `/tasks/${encodeURIComponent(second)}`));
      });
    }
    if (first === 'series' && second === undefined) return this.#read(req, params, () => this.#series(req, res, ctx));
    if (first === 'series' && second !== undefined && (third === 'enable' || third === 'disable')) {
      return this.#write(req, params, async () => {
        const id = checkId(second, 'seriesId');
        await (third === 'enable' ? this.#options.scheduler.enable(id) : this.#options.scheduler.disable(id));
        redirect(res, href(ctx, '/series'));
      });
    }
    if (first === 'login' && second === undefined) {
      if (req.method === 'POST') return this.#login(req, res, ctx, params);
      return this.#read(req, params, () => {
        sendHtml(req, res, 200, loginPage(ctx, false));
        return Promise.resolve();
      });
    }
    if (first === 'logout' && second === undefined) {
      return this.#post(req, params, async () => {
        await readForm(req);
        redirect(res, href(ctx, '/'), { 'set-cookie': this.#guard.signOutCookie() });
      });
    }
    throw new RouteNotFoundError(path);
  }

  /** A page: GET or HEAD, with only the query parameters it reads (checked before any read). */
  #read(req: IncomingMessage, params: URLSearchParams, page: (query: Query) => Promise<void>, allowed: readonly string[] = []): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new MethodNotAllowedError(String(req.method), readMethods);
    return page(new Query(params, allowed));
  }

  /** A POST from this site, without a query string: the common checks of sign-in and actions. */
  #post(req: IncomingMessage, params: URLSearchParams, action: () => Promise<void>): Promise<void> {
    if (req.method !== 'POST') throw new MethodNotAllowedError(String(req.method), writeMethods);
    new Query(params, []);
    this.#guard.checkSameSite(req.headers);
    return action();
  }

  /** An action: a same-site POST by someone holding the token, with no fields but the button's. */
  #write(req: IncomingMessage, params: URLSearchParams, action: () => Promise<void>): Promise<void> {
    return this.#post(req, params, async () => {
      this.#guard.requireAction(req.headers);
      new Query(await readForm(req), ['action']);
      await action();
    });
  }

  async #taskAction(id: string, action: 'cancel' | 'retry' | 'run'): Promise<void> {
    const scheduler = this.#options.scheduler;
    if (action === 'cancel') await scheduler.cancel(id);
    else if (action === 'retry') await scheduler.retry(id);
    else await scheduler.runNow(id);
  }

  #login(req: IncomingMessage, res: ServerResponse, ctx: PageContext, params: URLSearchParams): Promise<void> {
    return this.#post(req, params, async () => {
      if (this.#guard.readOnly) throw new ForbiddenError('the dashboard is read-only: create it with a token to allow actions');
      const form = new Query(await readForm(req), ['token']);
      if (!this.#guard.matches(form.text('token') ?? '')) {
        sendHtml(req, res, 403, loginPage(ctx, true), { 'kokugen-error-code': new ForbiddenError('').code });
        return;
      }
      redirect(res, href(ctx, '/'), { 'set-cookie': this.#guard.sessionCookie() });
    });
  }

  async #stats(now: number): Promise<RepositoryStats> {
    return this.#options.repository.stats(now);
  }

  async #overview(req: IncomingMessage, res: ServerResponse, ctx: PageContext): Promise<void> {
    const stats = await this.#stats(ctx.now);
    const activity = await recentActivity(this.#options.repository, { now: ctx.now, windowMs, buckets, sample: activitySample, counts: stats.byState });
    sendHtml(req, res, 200, overviewPage(ctx, stats, activity));
  }

  async #tasks(req: IncomingMessage, res: ServerResponse, ctx: PageContext, query: Query): Promise<void> {
    const id = query.id('id');
    if (id !== undefined) return redirect(res, href(ctx, `/tasks/${encodeURIComponent(id)}`));
    const filter = { state: query.state('state'), work: query.id('work'), series: query.id('series'), limit: query.integer('limit', 1, maxLimit, defaultLimit), offset: query.integer('offset', 0, Number.MAX_SAFE_INTEGER, 0) };
    const [tasks, stats] = await Promise.all([
      this.#options.repository.find({
        ...(filter.state === undefined ? {} : { state: filter.state }),
        ...(filter.work === undefined ? {} : { workId: filter.work }),
        ...(filter.series === undefined ? {} : { seriesId: filter.series }),
        limit: filter.limit + 1,
        offset: filter.offset,
      }),
      this.#stats(ctx.now),
    ]);
    sendHtml(req, res, 200, tasksPage(ctx, filter, tasks, Object.keys(stats.byWork).sort()));
  }

  async #task(req: IncomingMessage, res: ServerResponse, ctx: PageContext, id: string): Promise<void> {
    const task = await this.#options.scheduler.get(id);
    sendHtml(req, res, 200, taskDetailPage(ctx, task));
  }

  async #series(req: IncomingMessage, res: ServerResponse, ctx: PageContext): Promise<void> {
    const { repository } = this.#options;
    const rows: SeriesRow[] = [];
    for (const series of await repository.listSeries()) {
      const [pending, running] = await Promise.all([repository.find({ seriesId: series.id, state: TaskState.Scheduled, limit: 1 }), repository.find({ seriesId: series.id, state: TaskState.Dispatched, limit: 1 })]);
      const current: Task | undefined = running[0] ?? pending[0];
      rows.push({ series, current, upcoming: this.#upcoming(series, ctx.now) });
    }
    sendHtml(req, res, 200, seriesPage(ctx, rows));
  }

  /** The schedule's next times after now, from its stored form; a kind this process cannot rebuild says so. */
  #upcoming(series: Series, now: number): readonly number[] | string {
    if (!series.enabled) return 'disabled';
    try {
      const schedule = reviveSchedule(series.schedule, this.#options.schedules);
      const times: number[] = [];
      let after = new Date(now);
      for (let i = 0; i < upcomingCount; i++) {
        const next = schedule.next(after);
        if (next === null || !(next.getTime() > after.getTime())) break;
        times.push(next.getTime());
        after = next;
      }
      return times;
    } catch (error) {
      return error instanceof KokugenError ? `cannot compute: ${error.message}` : 'cannot compute next times';
    }
  }

  #fail(req: IncomingMessage, res: ServerResponse, ctx: PageContext, error: unknown): void {
    const status = statusOf(error);
    if (status === undefined) this.#options.onError(error);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // A failure that is not the request's fault keeps its code if it has one, but not its message.
    const code = error instanceof KokugenError ? error.code : undefined;
    const message = status === undefined ? 'the dashboard failed to answer: see the server log' : (error as KokugenError).message;
    const headers = { ...(code === undefined ? {} : { 'kokugen-error-code': code }), ...allowHeader(error) };
    // Drain what the client still sends, so that the answer is not lost to a reset connection.
    req.resume();
    if (wantsJson(req)) sendJsonError(req, res, status ?? 500, code ?? 'internal', message, headers);
    else sendHtml(req, res, status ?? 500, errorPage(ctx, status ?? 500, code ?? 'internal error', message), headers);
  }
}
