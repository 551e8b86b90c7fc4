import { html } from '../html.js';
import type { Html } from '../html.js';
import { page } from '../layout.js';
import type { PageContext } from '../layout.js';

/** A refused request: the status, the stable code a script can match, and the message. */
export function errorPage(ctx: PageContext, status: number, code: string, message: string): Html {
  return page(ctx, `Error ${status}`, html`<p id="error-code"><code>${code}</code></p><p id="error-message">${message}</p>`);
}
