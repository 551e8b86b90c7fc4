import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ForbiddenError } from '../errors.js';

const cookieName = 'kokugen_dashboard';

/**
 * Who may change things through the dashboard, and from where.
 *
 * Without a token the dashboard is read-only: every action is refused. With one, an action needs
 * either an `Authorization: Bearer <token>` header (scripts) or the session cookie that signing in
 * with the token sets (people). The cookie holds an HMAC of the token under a key made when the
 * dashboard was created — never the token itself — so sessions end when the process restarts and
 * a leaked cookie does not reveal the token.
 *
 * Cross-site requests: the cookie is `SameSite=Strict` and `HttpOnly`, and every POST (sign-in
 * included) is refused when the browser says it comes from elsewhere: `Sec-Fetch-Site` other than
 * `same-origin`/`none`, or an `Origin` whose host is not the request's `Host`. Browsers send at
 * least one of them on every cross-site form post, and a bearer header cannot be added cross-site
 * without a CORS preflight, which the dashboard never answers.
 */
export class Guard {
  readonly #token: Buffer | undefined;
  readonly #session: string | undefined;
  readonly #cookiePath: string;

  constructor(token: string | undefined, cookiePath: string) {
    this.#cookiePath = cookiePath;
    if (token === undefined) return;
    this.#token = digest(token);
    this.#session = createHmac('sha256', randomBytes(32)).update(token).digest('base64url');
  }

  get readOnly(): boolean {
    return this.#token === undefined;
  }

  /** Whether this request may run actions (it still has to pass `checkSameSite`). */
  signedIn(headers: IncomingHttpHeaders): boolean {
    if (this.#token === undefined || this.#session === undefined) return false;
    const auth = headers.authorization;
    if (auth !== undefined && /^bearer /i.test(auth)) return this.matches(auth.slice('bearer '.length).trim());
    const session = readCookie(headers.cookie, cookieName);
    return session !== undefined && timingSafeEqual(digest(session), digest(this.#session));
  }

  /** Whether `token` is the dashboard's token, compared in constant time. */
  matches(token: string): boolean {
    return this.#token !== undefined && timingSafeEqual(digest(token), this.#token);
  }

  /** Throws `ERR_FORBIDDEN` unless the request may run an action. */
  requireAction(headers: IncomingHttpHeaders): void {
    if (this.readOnly) throw new ForbiddenError('the dashboard is read-only: create it with a token to allow actions');
    if (!this.signedIn(headers)) throw new ForbiddenError('sign in with the dashboard token first (or send Authorization: Bearer <token>)');
  }

  /** Throws `ERR_FORBIDDEN` when the browser says the POST comes from another site. */
  checkSameSite(headers: IncomingHttpHeaders): void {
    const site = headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new ForbiddenError(`a cross-site request (Sec-Fetch-Site: ${site}) cannot change anything`);
    const origin = headers.origin;
    if (origin === undefined) return;
    let host: string | undefined;
    try {
      host = new URL(origin).host;
    } catch {
      host = undefined;
    }
    if (host === undefined || host === '' || host !== headers.host) throw new ForbiddenError('a request from another origin cannot change anything');
  }

  /** The Set-Cookie value that signs a browser in. */
  sessionCookie(): string {
    return `${cookieName}=${this.#session ?? ''}; Path=${this.#cookiePath}; HttpOnly; SameSite=Strict`;
  }

  signOutCookie(): string {
    return `${cookieName}=; Path=${this.#cookiePath}; HttpOnly; SameSite=Strict; Max-Age=0`;
  }
}

/** Equal-length digests, so that `timingSafeEqual` can compare inputs of any length. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
