import { ErrorCode, KokugenError } from './kokugen-error.js';
import { describe } from './describe.js';

/** A dashboard request for a path that no page or action answers. */
export class RouteNotFoundError extends KokugenError {
  override get name(): string {
    return 'RouteNotFoundError';
  }

  readonly path: string;
  constructor(path: string) {
    super(ErrorCode.RouteNotFound, `no dashboard page or action at ${describe(path)}`);
    this.path = path;
  }
}

/** A dashboard request with a method its route does not take; `allowed` lists the ones it does. */
export class MethodNotAllowedError extends KokugenError {
  override get name(): string {
    return 'MethodNotAllowedError';
  }

  readonly method: string;
  readonly allowed: readonly string[];
  constructor(method: string, allowed: readonly string[]) {
    super(ErrorCode.MethodNotAllowed, `method ${describe(method)} is not allowed here: expected ${allowed.join(' or ')}`);
    this.method = method;
    this.allowed = allowed;
  }
}

/**
 * A dashboard action refused: the dashboard is read-only (no token), the token or session is
 * missing or wrong, or the request came from another site.
 */
export class ForbiddenError extends KokugenError {
  override get name(): string {
    return 'ForbiddenError';
  }

  constructor(reason: string) {
    super(ErrorCode.Forbidden, reason);
  }
}
