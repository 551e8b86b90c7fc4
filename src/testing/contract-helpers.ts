import type { Series } from '../schedule/series.js';
import type { NewTask } from '../task/task.js';

/* What every contract topic file shares. */

let ids = 0;

/** A valid NewTask for tests; override any field. */
export function newTask(overrides: Partial<NewTask> = {}): NewTask {
  return {
    id: `task-${++ids}`,
    workId: 'work',
    param: null,
    scheduledAt: 1_000,
    priority: 0,
    meta: {},
    createdAt: 0,
    seriesId: null,
    retry: null,
    timeout: null,
    deadline: null,
    ...overrides,
  };
}

/** What `promise` rejected with, or 'resolved'. */
export async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  return 'resolved';
}

/** The `code` of what `promise` rejected with, or 'resolved'. */
export async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  const error = await errorOf(promise);
  return error === 'resolved' ? error : (error as { code?: unknown }).code;
}

/** A valid Series for the contract's cases (an `every 100 ms` series of work 'work'); override any field. */
export function newSeries(overrides: Partial<Series> = {}): Series {
  return {
    id: 'nightly',
    workId: 'work',
    param: { n: 1 },
    schedule: { kind: 'every', ms: 100, anchor: 0 },
    misfire: 'once',
    grace: 1_000,
    priority: 0,
    meta: {},
    retry: null,
    timeout: null,
    enabled: true,
    error: null,
    createdAt: 5,
    ...overrides,
  };
}
