import { html } from '../html.js';
import type { Html } from '../html.js';
import { href, page } from '../layout.js';
import type { PageContext } from '../layout.js';

/** The token form: a POST, so the token never lands in a URL, a log or the history. */
export function loginPage(ctx: PageContext, failed: boolean): Html {
  const body = !ctx.actions
    ? html`<p>This dashboard is read-only: it was created without a token.</p>`
    : html`${failed ? html`<p class="notice" id="login-failed">That is not the dashboard's token.</p>` : ''}
<form method="post" action="${href(ctx, '/login')}" id="login"><label>Token <input type="password" name="token" autocomplete="current-password" required></label> <button type="submit">Sign in</button></form>`;
  return page(ctx, 'Sign in', body);
}
