import type { Task, TaskState } from '../../task/task.js';
import { TaskState as States } from '../../task/task.js';
import { html } from '../html.js';
import type { Html } from '../html.js';
import { href, page, stateBadge, taskHref, time } from '../layout.js';
import type { PageContext } from '../layout.js';

export interface TaskFilter {
  readonly state: TaskState | undefined;
  readonly work: string | undefined;
  readonly series: string | undefined;
  readonly limit: number;
  readonly offset: number;
}

/**
 * The task list: filters as a GET form (so every view is a link), paged with limit/offset. One
 * more task than shown is read to know whether a next page exists without counting.
 */
export function tasksPage(ctx: PageContext, filter: TaskFilter, tasks: readonly Task[], works: readonly string[]): Html {
  const shown = tasks.slice(0, filter.limit);
  const params = { state: filter.state, work: filter.work, series: filter.series, limit: filter.limit === 50 ? undefined : filter.limit };
  const previous = filter.offset > 0 ? href(ctx, '/tasks', { ...params, offset: Math.max(0, filter.offset - filter.limit) || undefined }) : undefined;
  const next = tasks.length > filter.limit ? href(ctx, '/tasks', { ...params, offset: filter.offset + filter.limit }) : undefined;
  const body = html`
<form class="filters" method="get" action="${href(ctx, '/tasks')}" id="find">
<label>Find by id<input name="id" size="28"></label><button type="submit">Open</button></form>
<form class="filters" method="get" action="${href(ctx, '/tasks')}" id="filters">
<label>State<select name="state"><option value="">any</option>${Object.values(States).map((s) => html`<option value="${s}"${s === filter.state ? html` selected` : ''}>${s}</option>`)}</select></label>
<label>Work<select name="work"><option value="">any</option>${[...new Set([...works, ...(filter.work === undefined ? [] : [filter.work])])].map((w) => html`<option value="${w}"${w === filter.work ? html` selected` : ''}>${w}</option>`)}</select></label>
<label>Series<input name="series" value="${filter.series ?? ''}" size="20"></label>
<label>Per page<input name="limit" value="${filter.limit}" size="4"></label>
<button type="submit">Filter</button></form>
${shown.length === 0
  ? html`<p class="none">No tasks match.</p>`
  : html`<table id="tasks"><tr><th>id</th><th>work</th><th>state</th><th>scheduled</th><th>attempt</th><th>series</th></tr>
${shown.map((t) => html`<tr data-id="${t.id}"><td><a href="${taskHref(ctx, t.id)}">${t.id}</a></td><td>${t.workId}</td><td>${stateBadge(t.state)}</td><td>${time(ctx, t.scheduledAt)}</td><td class="n">${t.attempt}</td><td>${t.seriesId === null ? '' : html`<a href="${href(ctx, '/tasks', { series: t.seriesId })}">${t.seriesId}</a>`}</td></tr>`)}</table>`}
<p class="pager">${previous === undefined ? '' : html`<a href="${previous}" rel="prev">← previous</a>`}${next === undefined ? '' : html`<a href="${next}" rel="next">next →</a>`}
<small>tasks ${shown.length === 0 ? 0 : filter.offset + 1}–${filter.offset + shown.length}</small></p>`;
  return page(ctx, 'Tasks', body);
}
