import type { Series } from '../../schedule/series.js';
import type { Task } from '../../task/task.js';
import { html } from '../html.js';
import type { Html } from '../html.js';
import { actionButton, href, page, stateBadge, taskHref, time } from '../layout.js';
import type { PageContext } from '../layout.js';

export interface SeriesRow {
  readonly series: Series;
  /** Its pending or running occurrence, if any. */
  readonly current: Task | undefined;
  /** The schedule's next times after now, or why they cannot be shown. */
  readonly upcoming: readonly number[] | string;
}

function describeSchedule(series: Series): string {
  const { kind, ...rest } = series.schedule;
  return `${kind} ${JSON.stringify(rest)}`;
}

/** Every series with its current occurrence and next times, and enable/disable for each. */
export function seriesPage(ctx: PageContext, rows: readonly SeriesRow[]): Html {
  const body = rows.length === 0
    ? html`<p class="none">No series.</p>`
    : html`<table id="series"><tr><th>series</th><th>work</th><th>schedule</th><th>enabled</th><th>current occurrence</th><th>next times</th>${ctx.actions && ctx.signedIn ? html`<th></th>` : ''}</tr>
${rows.map(({ series, current, upcoming }) => {
  const path = `/series/${encodeURIComponent(series.id)}`;
  return html`<tr data-id="${series.id}"><td><a href="${href(ctx, '/tasks', { series: series.id })}">${series.id}</a></td><td>${series.workId}</td><td><code>${describeSchedule(series)}</code></td>
<td class="enabled">${series.enabled ? 'yes' : html`<strong>no</strong>`}${series.error === null ? '' : html`<div class="series-error"><code>${series.error.name}</code> ${series.error.message}</div>`}</td>
<td>${current === undefined ? html`<span class="none">none</span>` : html`<a href="${taskHref(ctx, current.id)}">${current.id}</a> ${stateBadge(current.state)} ${time(ctx, current.scheduledAt)}`}</td>
<td>${typeof upcoming === 'string' ? html`<small>${upcoming}</small>` : upcoming.length === 0 ? html`<span class="none">none</span>` : upcoming.map((at) => html`<div>${time(ctx, at)}</div>`)}</td>
${ctx.actions && ctx.signedIn ? html`<td>${series.enabled ? actionButton(ctx, `${path}/disable`, 'Disable', 'disable') : actionButton(ctx, `${path}/enable`, 'Enable', 'enable')}</td>` : ''}</tr>`;
})}</table>`;
  return page(ctx, 'Series', body);
}
