import type { RepositoryStats } from '../../repository/task-repository.js';
import { TaskState } from '../../task/task.js';
import type { Activity } from '../activity.js';
import { barChart } from '../chart.js';
import { html } from '../html.js';
import type { Html } from '../html.js';
import { duration, href, page, stateBadge, time } from '../layout.js';
import type { PageContext } from '../layout.js';

const states = Object.values(TaskState);

/** Counts by state and by work, how overdue the queue is, and the last hour as two charts. */
export function overviewPage(ctx: PageContext, stats: RepositoryStats, activity: Activity): Html {
  const works = Object.keys(stats.byWork).sort();
  const clock = (at: number): string => new Date(at).toISOString().slice(11, 16);
  const end = activity.from + activity.bucketMs * activity.done.length;
  const labels = { startLabel: `${clock(activity.from)} UTC`, endLabel: `${clock(end)} UTC` };
  const throughput = barChart({
    title: `Ended tasks per ${duration(activity.bucketMs)}`,
    stacked: [
      { label: 'done', className: 'done', values: activity.done },
      { label: 'failed', className: 'failed', values: activity.failed },
    ],
    formatValue: (v) => String(v),
    ...labels,
  });
  const lateness = barChart({
    title: `Lateness at dispatch per ${duration(activity.bucketMs)}`,
    stacked: [{ label: 'median', className: 'median', values: activity.latenessMedian }],
    marks: { label: 'max', className: 'max', values: activity.latenessMax },
    formatValue: duration,
    ...labels,
  });
  const body = html`
<h2>Tasks by state</h2>
<table id="by-state"><tr>${states.map((s) => html`<th>${stateBadge(s)}</th>`)}</tr>
<tr>${states.map((s) => html`<td><a href="${href(ctx, '/tasks', { state: s })}" data-state="${s}">${stats.byState[s]}</a></td>`)}</tr></table>
<p>Oldest due task waiting: ${stats.oldestDueAt === null ? html`<span class="none">none</span>` : html`${time(ctx, stats.oldestDueAt)}`}</p>
<h2>Last hour</h2>
${activity.truncated ? html`<p class="notice">Charts are drawn from the newest ended tasks only; some older ones that ended in this hour may be missing.</p>` : ''}
<div class="charts">${throughput}${lateness}</div>
<h2>Tasks by work</h2>
${works.length === 0
  ? html`<p class="none">No tasks.</p>`
  : html`<table id="by-work"><tr><th>work</th>${states.map((s) => html`<th>${s}</th>`)}</tr>
${works.map((w) => html`<tr><td><a href="${href(ctx, '/tasks', { work: w })}">${w}</a></td>${states.map((s) => {
  const n = stats.byWork[w]?.[s] ?? 0;
  return html`<td class="n">${n === 0 ? html`<span class="none">0</span>` : html`<a href="${href(ctx, '/tasks', { work: w, state: s })}">${n}</a>`}</td>`;
})}</tr>`)}</table>`}`;
  return page(ctx, 'Overview', body);
}
