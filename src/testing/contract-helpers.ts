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
