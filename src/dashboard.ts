/**
 * `kokugen/dashboard`: a web page for people who run a scheduler — counts, charts, tasks, series,
 * and token-guarded actions. A subpath of its own so that the core never loads node:http code.
 */
export { createDashboard } from './dashboard/dashboard.js';
export type { DashboardHandler } from './dashboard/dashboard.js';
export type { DashboardOptions } from './dashboard/options.js';
export { ForbiddenError, MethodNotAllowedError, RouteNotFoundError } from './errors.js';
