import type { Task } from '../../task/task.js';
import { TaskState } from '../../task/task.js';
import { html } from '../html.js';
import type { Html } from '../html.js';
import { actionButton, duration, href, page, stateBadge, time } from '../layout.js';
import type { PageContext } from '../layout.js';

/** Which actions a task in each state offers; the Scheduler still checks each one. */
export function taskActions(task: Task): ReadonlyArray<{ readonly name: 'cancel' | 'retry' | 'run'; readonly label: string }> {
  if (task.state === TaskState.Scheduled) return [{ name: 'run', label: 'Run now' }, { name: 'cancel', label: 'Cancel' }];
  if (task.state === TaskState.Failed || task.state === TaskState.Expired || task.state === TaskState.Cancelled) return [{ name: 'retry', label: 'Retry' }];
  return [];
}

function json(value: unknown): Html {
  return html`<pre>${JSON.stringify(value, null, 2)}</pre>`;
}

/** Everything stored about one task: its data, every attempt's error, and what happened when. */
export function taskDetailPage(ctx: PageContext, task: Task): Html {
  const path = `/tasks/${encodeURIComponent(task.id)}`;
  const actions = taskActions(task);
  const events: Array<{ at: number; what: Html }> = [{ at: task.createdAt, what: html`created` }];
  for (const e of task.errors) events.push({ at: e.at, what: html`attempt ${e.attempt} failed: <code>${e.name}</code> ${e.message}` });
  if (task.dispatchedAt !== null) events.push({ at: task.dispatchedAt, what: html`attempt ${task.attempt} dispatched${task.owner === null ? '' : html` by <code>${task.owner}</code>`}, ${duration(Math.max(0, task.dispatchedAt - task.scheduledAt))} late` });
  if (task.endedAt !== null) events.push({ at: task.endedAt, what: html`ended ${stateBadge(task.state)}` });
  else if (task.state === TaskState.Scheduled) events.push({ at: task.scheduledAt, what: html`due` });
  events.sort((a, b) => a.at - b.at);
  const body = html`
<dl id="task">
<dt>id</dt><dd><code>${task.id}</code></dd>
<dt>state</dt><dd id="state">${stateBadge(task.state)}${task.recovered ? html` <small>recovered after a crash</small>` : ''}</dd>
<dt>work</dt><dd><a href="${href(ctx, '/tasks', { work: task.workId })}">${task.workId}</a></dd>
<dt>series</dt><dd>${task.seriesId === null ? html`<span class="none">one-off</span>` : html`<a href="${href(ctx, '/tasks', { series: task.seriesId })}">${task.seriesId}</a>`}</dd>
<dt>scheduled</dt><dd>${time(ctx, task.scheduledAt)}</dd>
<dt>priority</dt><dd>${task.priority}</dd>
<dt>attempt</dt><dd>${task.attempt}${task.retry === null ? '' : html` of ${task.retry.attempts}`}</dd>
<dt>timeout</dt><dd>${task.timeout === null ? html`<span class="none">none</span>` : duration(task.timeout)}</dd>
<dt>deadline</dt><dd>${time(ctx, task.deadline)}</dd>
<dt>meta</dt><dd>${Object.keys(task.meta).length === 0 ? html`<span class="none">none</span>` : json(task.meta)}</dd>
</dl>
${actions.length === 0 || !ctx.actions ? '' : html`<div id="actions">${ctx.signedIn ? actions.map((a) => actionButton(ctx, `${path}/${a.name}`, a.label, a.name)) : html`<a href="${href(ctx, '/login')}">Sign in</a> to ${actions.map((a) => a.label.toLowerCase()).join(' or ')}.`}</div>`}
<h2>Param</h2><div id="param">${json(task.param)}</div>
<h2>Result</h2><div id="result">${task.state === TaskState.Done ? json(task.result) : html`<span class="none">none</span>`}</div>
${task.error === null ? '' : html`<h2>Error</h2><div id="error"><code>${task.error.name}</code>${json(task.error.message)}</div>`}
<h2>Attempt errors</h2>
${task.errors.length === 0 ? html`<p class="none">None.</p>` : html`<table id="errors"><tr><th>attempt</th><th>at</th><th>name</th><th>message</th></tr>${task.errors.map((e) => html`<tr><td class="n">${e.attempt}</td><td>${time(ctx, e.at)}</td><td><code>${e.name}</code></td><td>${e.message}</td></tr>`)}</table>`}
<h2>Timeline</h2>
<table id="timeline">${events.map((e) => html`<tr><td>${time(ctx, e.at)}</td><td>${e.what}</td></tr>`)}</table>`;
  return page(ctx, `Task ${task.id}`, body);
}
