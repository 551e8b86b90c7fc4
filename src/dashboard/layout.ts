import { html } from './html.js';
import type { Html, HtmlValue } from './html.js';

/** What every page needs to draw its links and its actions. */
export interface PageContext {
  /** The mount path, '' at the root: links are `${base}/tasks`. */
  readonly base: string;
  readonly now: number;
  /** Whether the dashboard has a token at all (otherwise it is read-only). */
  readonly actions: boolean;
  readonly signedIn: boolean;
}

/** A link to `path` under the dashboard, with the non-empty `params` as its query. */
export function href(ctx: PageContext, path: string, params: Readonly<Record<string, string | number | undefined>> = {}): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') query.set(key, String(value));
  const text = query.toString();
  return `${ctx.base}${path}${text === '' ? '' : `?${text}`}`;
}

export function taskHref(ctx: PageContext, id: string): string {
  return href(ctx, `/tasks/${encodeURIComponent(id)}`);
}

/** An epoch-ms time as UTC, with how far it is from now. */
export function time(ctx: PageContext, at: number | null): Html {
  if (at === null) return html`<span class="none">—</span>`;
  return html`<time datetime="${new Date(at).toISOString()}">${new Date(at).toISOString().replace('T', ' ')}</time> <small>${relative(at - ctx.now)}</small>`;
}

export function duration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < 1_000) return `${Math.round(ms)} ms`;
  if (abs < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  if (abs < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (abs < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

function relative(ms: number): string {
  if (Math.abs(ms) < 1_000) return 'now';
  return ms > 0 ? `in ${duration(ms)}` : `${duration(-ms)} ago`;
}

/** A POST form with one button: the only way the pages change anything. */
export function actionButton(ctx: PageContext, path: string, label: string, name: string): Html {
  return html`<form method="post" action="${href(ctx, path)}" class="action"><button type="submit" name="action" value="${name}" data-action="${name}">${label}</button></form>`;
}

export function stateBadge(state: string): Html {
  return html`<span class="state state-${state}">${state}</span>`;
}

export function page(ctx: PageContext, title: string, body: HtmlValue): Html {
  const session = !ctx.actions
    ? html`<span class="mode">read-only</span>`
    : ctx.signedIn
      ? html`<form method="post" action="${href(ctx, '/logout')}" class="action"><button type="submit">Sign out</button></form>`
      : html`<a href="${href(ctx, '/login')}">Sign in</a>`;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · kokugen</title><style>${styles}</style></head>
<body><header><strong>kokugen</strong><nav><a href="${href(ctx, '/')}">Overview</a><a href="${href(ctx, '/tasks')}">Tasks</a><a href="${href(ctx, '/series')}">Series</a></nav>${session}</header>
<main><h1>${title}</h1>${body}</main></body></html>`;
}

const styles = html`
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{display:flex;gap:1.5em;align-items:center;padding:.6em 1.2em;background:#1d2430;color:#fff}
header a{color:#cfe0ff;margin-right:1em}header nav{flex:1}.mode{color:#ffd479}
main{padding:1em 1.2em;max-width:1100px}h1{font-size:1.3em;margin:.2em 0 .6em}h2{font-size:1.05em;margin:1.2em 0 .4em}
table{border-collapse:collapse;background:#fff;width:100%}td,th{padding:.3em .6em;border-bottom:1px solid #e3e6ea;text-align:left;vertical-align:top}
th{background:#eef1f5;font-weight:600}#by-state td{font-size:1.3em}td.n{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#fff;border:1px solid #e3e6ea;padding:.6em;overflow:auto;white-space:pre-wrap;word-break:break-all;margin:.2em 0}
small{color:#667}.none{color:#99a}.state{padding:0 .4em;border-radius:3px;background:#e3e6ea}
.state-done{background:#d5f0dc}.state-failed{background:#f8d4d4}.state-scheduled{background:#dbe7fb}.state-dispatched{background:#fff0c2}.state-expired{background:#eadcf5}
form.action{display:inline;margin:0 .3em 0 0}form.filters{display:flex;gap:.6em;flex-wrap:wrap;align-items:end;margin:.4em 0 .8em}
form.filters label{display:flex;flex-direction:column;font-size:.9em}button{cursor:pointer}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:1em}
figure.chart{background:#fff;border:1px solid #e3e6ea;margin:0;padding:.5em}figure svg{width:100%;height:auto}
svg text{font-size:10px;fill:#556}.axis{stroke:#99a}.key{margin-left:.8em;font-size:.85em}.key::before{content:"■ "}
rect.done,.key.done::before{fill:#3b9a57;color:#3b9a57}rect.failed,.key.failed::before{fill:#d05050;color:#d05050}
rect.median,.key.median::before{fill:#4a78c9;color:#4a78c9}rect.max,.key.max::before{fill:#e08a00;color:#e08a00}
.pager{margin:.6em 0}.pager a{margin-right:1em}.notice{padding:.5em .8em;background:#fff6d6;border:1px solid #ecd68a}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em;background:#fff;padding:.6em;border:1px solid #e3e6ea}dt{font-weight:600}dd{margin:0}
`;
