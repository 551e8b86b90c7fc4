import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode, InvalidArgumentError, KokugenError, MethodNotAllowedError } from '../errors.js';
import type { Html } from './html.js';

/** Headers on every answer: no caching of task data, no framing (clickjacking), no script at all. */
const securityHeaders: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // Not no-referrer: with it, browsers send `Origin: null` on form posts, which the guard refuses.
  'referrer-policy': 'same-origin',
};

export function sendHtml(req: IncomingMessage, res: ServerResponse, status: number, body: Html, headers: Readonly<Record<string, string>> = {}): void {
  const text = body.toString();
  res.writeHead(status, { ...securityHeaders, 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(req.method === 'HEAD' ? undefined : text);
}

/** 303 See Other: after a POST the browser GETs the page that shows the result. */
export function redirect(res: ServerResponse, location: string, headers: Readonly<Record<string, string>> = {}): void {
  res.writeHead(303, { ...securityHeaders, location, 'content-length': 0, ...headers });
  res.end();
}

/** The HTTP status for an error a request caused; undefined for one it did not (a 500). */
export function statusOf(error: unknown): number | undefined {
  if (!(error instanceof KokugenError)) return undefined;
  switch (error.code) {
    case ErrorCode.InvalidArgument:
      return 400;
    case ErrorCode.Forbidden:
      return 403;
    case ErrorCode.RouteNotFound:
    case ErrorCode.TaskNotFound:
    case ErrorCode.SeriesNotFound:
      return 404;
    case ErrorCode.MethodNotAllowed:
      return 405;
    case ErrorCode.AlreadyDispatched:
    case ErrorCode.TaskCancelled:
    case ErrorCode.StateConflict:
    case ErrorCode.InvalidSchedule:
      return 409;
    default:
      return undefined;
  }
}

export function wantsJson(req: IncomingMessage): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

/** A refused request as JSON, for scripts: `{ error: { code, message } }`. */
export function sendJsonError(req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string, headers: Readonly<Record<string, string>>): void {
  const text = JSON.stringify({ error: { code, message } });
  res.writeHead(status, { ...securityHeaders, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(req.method === 'HEAD' ? undefined : text);
}

export function allowHeader(error: unknown): Readonly<Record<string, string>> {
  return error instanceof MethodNotAllowedError ? { allow: error.allowed.join(', ') } : {};
}

const maxBody = 8 * 1024;

/** A POST's form fields; only `application/x-www-form-urlencoded`, at most a few KB. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBody) throw new InvalidArgumentError('request body', `at most ${maxBody} bytes`, 'more', { described: true });
    chunks.push(chunk);
  }
  if (size === 0) return new URLSearchParams();
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') throw new InvalidArgumentError('request content-type', 'application/x-www-form-urlencoded', req.headers['content-type'] ?? 'none', { described: true });
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
